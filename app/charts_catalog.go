package main

import (
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// chartsCatalogView is the catalog of the configured repositories: a
// search box and a card per chart, each with its icon, latest version and
// description, a notice when its repository failed and an older copy
// shows, and a button that opens the chart's install form.
type chartsCatalogView struct {
	app.Compo
	guarded

	Box     string // what the search box holds
	Catalog chartsCatalog
	Chosen  string // the chart whose install form is open ("<repository>/<chart>")
	Root    string // the API's root, which icon paths are relative to ("" shows no images)

	onSearch func(app.Context, string)
	onChoose func(app.Context, shared.CatalogChart)
	onRetry  func(app.Context)
}

func newChartsCatalogView() *chartsCatalogView { return &chartsCatalogView{} }

// Showing sets the search box's text, the catalog and the chart chosen.
func (v *chartsCatalogView) Showing(box string, c chartsCatalog, chosen string) *chartsCatalogView {
	v.Box, v.Catalog, v.Chosen = box, c, chosen
	return v
}

// IconRoot sets the API's root, which the charts' icon paths are
// relative to.
func (v *chartsCatalogView) IconRoot(root string) *chartsCatalogView { v.Root = root; return v }

// OnSearch sets what typing in the search box does.
func (v *chartsCatalogView) OnSearch(f func(app.Context, string)) *chartsCatalogView {
	v.onSearch = f
	return v
}

// OnChoose sets what a chart's Install button does.
func (v *chartsCatalogView) OnChoose(f func(app.Context, shared.CatalogChart)) *chartsCatalogView {
	v.onChoose = f
	return v
}

// OnRetry sets what Retry does after a failed load.
func (v *chartsCatalogView) OnRetry(f func(app.Context)) *chartsCatalogView {
	v.onRetry = f
	return v
}

// Guard sets the error boundary's wrapper for the view's handlers.
func (v *chartsCatalogView) Guard(wrap func(app.EventHandler) app.EventHandler) *chartsCatalogView {
	v.setGuard(wrap)
	return v
}

// Render shows the search, the notes and the charts.
func (v *chartsCatalogView) Render() app.UI {
	c := v.Catalog
	failures := c.failures()
	return app.Section().ID("kd-catalog").Class("kd-charts-catalog").Aria("labelledby", "kd-catalog-title").Body(
		app.H2().ID("kd-catalog-title").Text("Install a chart"),
		app.Div().Class("kd-toolbar").Role("search").Body(
			app.Div().Class("kd-field kd-field-grow").Body(
				app.Label().For("kd-catalog-search").Text("Search the catalog"),
				app.Input().Type("search").ID("kd-catalog-search").Class("kd-input").
					Placeholder("Chart name, description, keyword…").MaxLength(maxSearchLength).
					AutoComplete(false).Value(v.Box).Aria("controls", "kd-catalog-charts").
					OnInput(v.guard(v.typed), app.EventScope("catalog-search")),
			),
		),
		app.Div().Class("kd-notes").Body(
			app.If(len(failures) > 0, func() app.UI {
				return app.P().Class("kd-note kd-errors-note").Role("note").
					Text("Some repositories have no charts here: " + strings.Join(failures, "; ") + ".")
			}),
			app.If(c.status == statusFailed && len(c.charts) > 0, func() app.UI {
				return app.P().Class("kd-note kd-stale-note").Role("status").
					Text("The search failed (" + c.err + "); the charts shown are those of the last search.")
			}),
		),
		v.body(),
	)
}

// body is the charts, or the state that stands in for them.
func (v *chartsCatalogView) body() app.UI {
	c := v.Catalog
	switch {
	case c.status == statusFailed && len(c.charts) == 0:
		return failedState("The catalog could not be loaded: "+c.err, "catalog", v.guard(v.retry))
	case c.status != statusLoaded && len(c.charts) == 0:
		return app.P().Class("kd-state kd-state-loading").Aria("busy", "true").Text("Loading the catalog…")
	case len(c.charts) == 0 && c.query != "":
		return app.P().Class("kd-state kd-state-empty").Text("No chart matches “" + c.query + "”.")
	case len(c.charts) == 0:
		return app.P().Class("kd-state kd-state-empty").Text("The configured repositories hold no charts.")
	}
	return app.Ul().ID("kd-catalog-charts").Class("kd-release-grid").Aria("label", "Charts").
		Aria("busy", c.status == statusLoading).Body(
		app.Range(c.charts).Slice(func(i int) app.UI { return v.card(c.charts[i]) }),
	)
}

// card is one chart.
func (v *chartsCatalogView) card(ch shared.CatalogChart) app.UI {
	ref := chartRef(ch)
	stale := v.Catalog.isStale(ch.Repository)
	choose := app.Button().Type("button").ID("kd-choose-"+ref).Class("kd-button kd-primary").
		Aria("label", "Install chart "+ref).OnClick(v.guard(v.choose(ch)), app.EventScope(ref)).Text("Install…")
	if ref == v.Chosen {
		choose = choose.Aria("pressed", "true")
	}
	return app.Li().Class("kd-card kd-release-card kd-catalog-card").DataSet("chart", ref).DataSet("stale", stale).Body(
		app.Div().Class("kd-release-card-head").Body(
			newChartIcon().Of(ch.Name, iconURL(v.Root, ch.IconPath)),
			app.Div().Class("kd-release-card-title").Body(
				app.H3().Class("kd-release-name").Text(ch.Name),
				app.P().Class("kd-muted").Text("from "+ch.Repository),
			),
		),
		app.If(ch.Description != "", func() app.UI {
			return app.P().Class("kd-release-desc").Text(ch.Description)
		}),
		app.Dl().Class("kd-facts kd-release-facts").Body(
			app.Dt().Text("Latest version"), app.Dd().Class("kd-catalog-latest").Text(orDash(latestVersion(ch))),
			app.Dt().Text("App version"), app.Dd().Text(orDash(ch.AppVersion)),
		),
		app.If(stale, func() app.UI {
			return app.P().Class("kd-note kd-stale-note kd-catalog-stale").Role("note").Text(staleNote(ch.Repository))
		}),
		choose,
	)
}

func (v *chartsCatalogView) typed(ctx app.Context, e app.Event) {
	if v.onSearch != nil {
		v.onSearch(ctx, ctx.JSSrc().Get("value").String())
	}
}

func (v *chartsCatalogView) retry(ctx app.Context, e app.Event) { callIfSet(v.onRetry, ctx) }

func (v *chartsCatalogView) choose(ch shared.CatalogChart) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if v.onChoose != nil {
			v.onChoose(ctx, ch)
		}
	}
}
