package main

import (
	"slices"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// chartsToolbar is the filter of the releases list (namespace, status,
// search), the choice of layout, and the bulk uninstall button.
type chartsToolbar struct {
	app.Compo
	guarded

	Namespaces []string
	Filter     chartsFilter
	Layout     chartsLayout
	Picked     int  // releases selected among those shown
	Busy       bool // a bulk uninstall is on its way

	onFilter    func(app.Context, chartsFilter)
	onLayout    func(app.Context, chartsLayout)
	onUninstall func(app.Context)
}

func newChartsToolbar() *chartsToolbar { return &chartsToolbar{} }

// Current sets the choices and what is chosen.
func (b *chartsToolbar) Current(namespaces []string, f chartsFilter, l chartsLayout) *chartsToolbar {
	b.Namespaces, b.Filter, b.Layout = namespaces, f, l
	return b
}

// Selected sets how many releases the bulk button acts on.
func (b *chartsToolbar) Selected(n int, busy bool) *chartsToolbar {
	b.Picked, b.Busy = n, busy
	return b
}

// OnFilter sets what a change of the filter does.
func (b *chartsToolbar) OnFilter(f func(app.Context, chartsFilter)) *chartsToolbar {
	b.onFilter = f
	return b
}

// OnLayout sets what choosing table or grid does.
func (b *chartsToolbar) OnLayout(f func(app.Context, chartsLayout)) *chartsToolbar {
	b.onLayout = f
	return b
}

// OnUninstall sets what the bulk uninstall button does.
func (b *chartsToolbar) OnUninstall(f func(app.Context)) *chartsToolbar {
	b.onUninstall = f
	return b
}

// Guard sets the error boundary's wrapper for the toolbar's handlers.
func (b *chartsToolbar) Guard(wrap func(app.EventHandler) app.EventHandler) *chartsToolbar {
	b.setGuard(wrap)
	return b
}

// Render shows the controls, each with its label.
func (b *chartsToolbar) Render() app.UI {
	namespaces := b.Namespaces
	if b.Filter.Namespace != "" && !slices.Contains(namespaces, b.Filter.Namespace) {
		namespaces = append([]string{b.Filter.Namespace}, namespaces...)
	}
	label := "Uninstall selected"
	if b.Picked > 0 {
		label += " (" + strconv.Itoa(b.Picked) + ")"
	}
	uninstall := app.Button().Type("button").ID("kd-uninstall-selected").Class("kd-button kd-danger").
		OnClick(b.guard(b.uninstall)).Text(label)
	if b.Picked == 0 || b.Busy {
		uninstall = uninstall.Disabled(true).Title("Select the releases to uninstall first.")
	}
	return app.Div().Class("kd-charts-bar").Body(
		app.Div().Class("kd-toolbar").Role("search").Body(
			app.Div().Class("kd-field").Body(
				app.Label().For("kd-charts-namespace").Text("Namespace"),
				app.Select().ID("kd-charts-namespace").Class("kd-input").
					OnChange(b.guard(b.namespaceChanged), app.EventScope("namespace")).Body(
					app.Option().Value("").Selected(b.Filter.Namespace == "").Text("All namespaces"),
					app.Range(namespaces).Slice(func(i int) app.UI {
						return app.Option().Value(namespaces[i]).Selected(namespaces[i] == b.Filter.Namespace).Text(namespaces[i])
					}),
				),
			),
			app.Div().Class("kd-field").Body(
				app.Label().For("kd-charts-status").Text("Status"),
				app.Select().ID("kd-charts-status").Class("kd-input").
					OnChange(b.guard(b.statusChanged), app.EventScope("status")).Body(
					app.Range(chartsStatusChoices).Slice(func(i int) app.UI {
						c := chartsStatusChoices[i]
						return app.Option().Value(c.Value).Selected(c.Value == b.Filter.Status).Text(c.Label)
					}),
				),
			),
			app.Div().Class("kd-field kd-field-grow").Body(
				app.Label().For("kd-search").Text("Search"),
				app.Input().Type("search").ID("kd-search").Class("kd-input").
					Placeholder("Name, chart, description…").MaxLength(maxSearchLength).
					AutoComplete(false).Value(b.Filter.Query).
					OnInput(b.guard(b.searchTyped), app.EventScope("search")),
			),
		),
		app.Div().Class("kd-charts-actions").Body(
			app.Div().Class("kd-layout-switch").Role("group").Aria("label", "Layout").Body(
				b.layoutButton(layoutTable, "Table"),
				b.layoutButton(layoutGrid, "Grid"),
			),
			uninstall,
		),
	)
}

// layoutButton is one of the layout buttons, pressed when it is the
// layout shown.
func (b *chartsToolbar) layoutButton(l chartsLayout, label string) app.UI {
	return app.Button().Type("button").ID("kd-layout-"+string(l)).Class("kd-button kd-layout-button").
		Aria("pressed", b.Layout == l).OnClick(b.guard(b.chooseLayout(l)), app.EventScope(string(l))).Text(label)
}

func (b *chartsToolbar) changed(ctx app.Context, f chartsFilter) {
	if b.onFilter != nil {
		b.onFilter(ctx, f)
	}
}

func (b *chartsToolbar) namespaceChanged(ctx app.Context, e app.Event) {
	f := b.Filter
	f.Namespace = ctx.JSSrc().Get("value").String()
	b.changed(ctx, f)
}

func (b *chartsToolbar) statusChanged(ctx app.Context, e app.Event) {
	f := b.Filter
	f.Status = ctx.JSSrc().Get("value").String()
	b.changed(ctx, f)
}

func (b *chartsToolbar) searchTyped(ctx app.Context, e app.Event) {
	f := b.Filter
	f.Query = ctx.JSSrc().Get("value").String()
	b.changed(ctx, f)
}

func (b *chartsToolbar) chooseLayout(l chartsLayout) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if b.onLayout != nil {
			b.onLayout(ctx, l)
		}
	}
}

func (b *chartsToolbar) uninstall(ctx app.Context, e app.Event) { callIfSet(b.onUninstall, ctx) }
