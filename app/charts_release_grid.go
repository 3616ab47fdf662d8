package main

import (
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// releaseGrid shows releases as cards, each with a box to select it, and
// a box above them that selects them all.
type releaseGrid struct {
	app.Compo
	guarded

	ReleaseViewProps
}

func newReleaseGrid() *releaseGrid { return &releaseGrid{} }

// With sets what the grid shows and does.
func (g *releaseGrid) With(p ReleaseViewProps) *releaseGrid {
	g.ReleaseViewProps = p
	return g
}

// Guard sets the error boundary's wrapper for the grid's handlers.
func (g *releaseGrid) Guard(wrap func(app.EventHandler) app.EventHandler) *releaseGrid {
	g.setGuard(wrap)
	return g
}

// Render shows the cards.
func (g *releaseGrid) Render() app.UI {
	return app.Div().Class("kd-release-grid-wrap").Body(
		app.Label().Class("kd-select-all-line").Body(
			app.Input().Type("checkbox").ID("kd-select-all").Checked(g.AllOn).OnChange(g.guard(g.toggleAll)),
			app.Text(" Select all releases shown"),
		),
		app.Ul().ID("kd-releases").Class("kd-release-grid").Aria("label", "Helm releases").Body(
			app.Range(g.Releases).Slice(func(i int) app.UI { return g.card(g.Releases[i]) }),
		),
	)
}

// card is one release.
func (g *releaseGrid) card(r shared.Release) app.UI {
	key := releaseKey(r.Namespace, r.Name)
	return app.Li().Class("kd-card kd-release kd-release-card").DataSet("release", key).DataSet("status", r.Status).Body(
		app.Div().Class("kd-release-card-head").Body(
			app.Input().Type("checkbox").ID("kd-select-"+key).Checked(g.Selected[key]).
				Aria("label", "Select release "+key).
				OnChange(g.guard(g.toggle(key)), app.EventScope(key)),
			releaseIcon(r),
			app.Div().Class("kd-release-card-title").Body(
				app.H3().Class("kd-release-name").Text(r.Name),
				app.P().Class("kd-muted").Text("in "+r.Namespace),
			),
			releaseStatus(r),
		),
		app.If(r.Description != "", func() app.UI {
			return app.P().Class("kd-release-desc").Text(r.Description)
		}),
		app.Dl().Class("kd-facts kd-release-facts").Body(
			app.Dt().Text("Chart"), app.Dd().Text(chartText(r)),
			app.Dt().Text("App version"), app.Dd().Text(orDash(r.AppVersion)),
			app.Dt().Text("Updated"), app.Dd().Body(app.Time().DateTime(r.Updated.UTC().Format(time.RFC3339)).
				Title(r.Updated.Format(time.RFC1123)).Text(updatedText(r.Updated, g.Now)+" ago")),
		),
		app.Button().Type("button").ID("kd-open-"+key).Class("kd-button kd-details").
			Aria("label", "Details of release "+key).
			OnClick(g.guard(g.open(r)), app.EventScope(key)).Text("Details"),
	)
}

func (g *releaseGrid) toggle(key string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if g.onToggle != nil {
			g.onToggle(ctx, key)
		}
	}
}

func (g *releaseGrid) toggleAll(ctx app.Context, e app.Event) { callIfSet(g.onToggleAll, ctx) }

func (g *releaseGrid) open(r shared.Release) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if g.onOpen != nil {
			g.onOpen(ctx, r)
		}
	}
}
