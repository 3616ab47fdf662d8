package main

import (
	"slices"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// resourceToolbar holds the object viewer's kind selector, namespace
// selector and search box.
type resourceToolbar struct {
	app.Compo
	guarded

	Kinds      []shared.KindInfo
	Kind       string
	Namespaces []string
	Namespace  string // "" for every namespace
	Namespaced bool   // whether the kind has namespaces at all
	Search     string

	onKind      func(ctx app.Context, kind string)
	onNamespace func(ctx app.Context, namespace string)
	onSearch    func(ctx app.Context, text string)
}

func newResourceToolbar() *resourceToolbar { return &resourceToolbar{} }

// Choices sets the kinds and namespaces offered.
func (b *resourceToolbar) Choices(kinds []shared.KindInfo, namespaces []string) *resourceToolbar {
	b.Kinds, b.Namespaces = kinds, namespaces
	return b
}

// Current sets what is chosen and typed.
func (b *resourceToolbar) Current(kind, namespace, search string, namespaced bool) *resourceToolbar {
	b.Kind, b.Namespace, b.Search, b.Namespaced = kind, namespace, search, namespaced
	return b
}

// OnKind sets what choosing a kind does.
func (b *resourceToolbar) OnKind(f func(app.Context, string)) *resourceToolbar {
	b.onKind = f
	return b
}

// OnNamespace sets what choosing a namespace does ("" for all).
func (b *resourceToolbar) OnNamespace(f func(app.Context, string)) *resourceToolbar {
	b.onNamespace = f
	return b
}

// OnSearch sets what typing in the search box does.
func (b *resourceToolbar) OnSearch(f func(app.Context, string)) *resourceToolbar {
	b.onSearch = f
	return b
}

// Guard sets the error boundary's wrapper for the toolbar's handlers.
func (b *resourceToolbar) Guard(wrap func(app.EventHandler) app.EventHandler) *resourceToolbar {
	b.setGuard(wrap)
	return b
}

// Render shows the three controls, each with its label.
func (b *resourceToolbar) Render() app.UI {
	namespaces := b.Namespaces
	if b.Namespace != "" && !slices.Contains(namespaces, b.Namespace) {
		namespaces = append([]string{b.Namespace}, namespaces...)
	}
	return app.Div().Class("kd-toolbar").Role("search").Body(
		app.Div().Class("kd-field").Body(
			app.Label().For("kd-kind").Text("Kind"),
			app.Select().ID("kd-kind").Class("kd-input").OnChange(b.guard(b.kindChanged), app.EventScope("kind")).Body(
				app.Range(b.Kinds).Slice(func(i int) app.UI {
					k := b.Kinds[i]
					return app.Option().Value(k.Name).Selected(k.Name == b.Kind).Text(k.Kind + "s")
				}),
			),
		),
		app.Div().Class("kd-field").Body(
			app.Label().For("kd-namespace").Text("Namespace"),
			b.namespaceSelect().
				OnChange(b.guard(b.namespaceChanged), app.EventScope("namespace")).Body(
				app.Option().Value("").Selected(b.Namespace == "").Text("All namespaces"),
				app.Range(namespaces).Slice(func(i int) app.UI {
					return app.Option().Value(namespaces[i]).Selected(namespaces[i] == b.Namespace).Text(namespaces[i])
				}),
			),
		),
		app.Div().Class("kd-field kd-field-grow").Body(
			app.Label().For("kd-search").Text("Search"),
			app.Input().Type("search").ID("kd-search").Class("kd-input").
				Placeholder("Name, label, status…").MaxLength(maxSearchLength).
				AutoComplete(false).Value(b.Search).
				OnInput(b.guard(b.searchTyped), app.EventScope("search")),
		),
	)
}

// namespaceSelect is the namespace selector, disabled for a kind that has
// no namespaces.
func (b *resourceToolbar) namespaceSelect() app.HTMLSelect {
	sel := app.Select().ID("kd-namespace").Class("kd-input")
	if !b.Namespaced {
		sel = sel.Disabled(true).Title("This kind has no namespaces")
	}
	return sel
}

func (b *resourceToolbar) kindChanged(ctx app.Context, e app.Event) {
	if b.onKind != nil {
		b.onKind(ctx, ctx.JSSrc().Get("value").String())
	}
}

func (b *resourceToolbar) namespaceChanged(ctx app.Context, e app.Event) {
	if b.onNamespace != nil {
		b.onNamespace(ctx, ctx.JSSrc().Get("value").String())
	}
}

func (b *resourceToolbar) searchTyped(ctx app.Context, e app.Event) {
	if b.onSearch != nil {
		b.onSearch(ctx, ctx.JSSrc().Get("value").String())
	}
}
