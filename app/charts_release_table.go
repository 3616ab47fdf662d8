package main

import (
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// releaseTable shows releases as a table, one row each with a box to
// select it, and a box in the header that selects them all.
type releaseTable struct {
	app.Compo
	guarded

	ReleaseViewProps
}

func newReleaseTable() *releaseTable { return &releaseTable{} }

// With sets what the table shows and does.
func (t *releaseTable) With(p ReleaseViewProps) *releaseTable {
	t.ReleaseViewProps = p
	return t
}

// Guard sets the error boundary's wrapper for the table's handlers.
func (t *releaseTable) Guard(wrap func(app.EventHandler) app.EventHandler) *releaseTable {
	t.setGuard(wrap)
	return t
}

// Render shows the table.
func (t *releaseTable) Render() app.UI {
	return app.Div().Class("kd-table-wrap").Body(
		app.Table().ID("kd-releases").Class("kd-table kd-release-table").Body(
			app.Caption().Class("kd-visually-hidden").Text("Helm releases"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Class("kd-select-cell").Body(
					app.Input().Type("checkbox").ID("kd-select-all").Checked(t.AllOn).
						Aria("label", "Select all releases shown").
						OnChange(t.guard(t.toggleAll)),
				),
				app.Th().Scope("col").Body(app.Span().Class("kd-visually-hidden").Text("Icon")),
				app.Th().Scope("col").Text("Name"),
				app.Th().Scope("col").Text("Namespace"),
				app.Th().Scope("col").Text("Chart"),
				app.Th().Scope("col").Text("App version"),
				app.Th().Scope("col").Text("Status"),
				app.Th().Scope("col").Text("Updated"),
				app.Th().Scope("col").Body(app.Span().Class("kd-visually-hidden").Text("Actions")),
			)),
			app.TBody().Body(
				app.Range(t.Releases).Slice(func(i int) app.UI { return t.row(t.Releases[i]) }),
			),
		),
	)
}

// row is one release.
func (t *releaseTable) row(r shared.Release) app.UI {
	key := releaseKey(r.Namespace, r.Name)
	return app.Tr().Class("kd-row kd-release").DataSet("release", key).DataSet("status", r.Status).Body(
		app.Td().Class("kd-select-cell").Body(
			app.Input().Type("checkbox").ID("kd-select-"+key).Checked(t.Selected[key]).
				Aria("label", "Select release "+key).
				OnChange(t.guard(t.toggle(key)), app.EventScope(key)),
		),
		app.Td().Body(releaseIcon(r)),
		app.Td().Class("kd-cell-name").Body(
			app.Span().Class("kd-release-name").Text(r.Name),
			app.If(r.Description != "", func() app.UI {
				return app.Span().Class("kd-release-desc kd-muted").Text(r.Description)
			}),
		),
		app.Td().Text(r.Namespace),
		app.Td().Text(chartText(r)),
		app.Td().Text(orDash(r.AppVersion)),
		app.Td().Body(releaseStatus(r)),
		app.Td().Body(app.Time().DateTime(r.Updated.UTC().Format(time.RFC3339)).
			Title(r.Updated.Format(time.RFC1123)).Text(updatedText(r.Updated, t.Now))),
		app.Td().Class("kd-row-actions").Body(
			app.Button().Type("button").ID("kd-open-"+key).Class("kd-button kd-details").
				Aria("label", "Details of release "+key).
				OnClick(t.guard(t.open(r)), app.EventScope(key)).Text("Details"),
		),
	)
}

func (t *releaseTable) toggle(key string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if t.onToggle != nil {
			t.onToggle(ctx, key)
		}
	}
}

func (t *releaseTable) toggleAll(ctx app.Context, e app.Event) { callIfSet(t.onToggleAll, ctx) }

func (t *releaseTable) open(r shared.Release) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if t.onOpen != nil {
			t.onOpen(ctx, r)
		}
	}
}

// orDash is s, or a dash for nothing.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
