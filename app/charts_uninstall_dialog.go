package main

import (
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// uninstallDialog asks whether to uninstall the releases it lists, exactly
// those. Escape or Cancel closes it; focus starts on Cancel, so Enter does
// not uninstall.
type uninstallDialog struct {
	app.Compo
	guarded

	Releases []shared.ReleaseRef
	Busy     bool

	onConfirm func(ctx app.Context)
	onCancel  func(ctx app.Context)
}

func newUninstallDialog() *uninstallDialog { return &uninstallDialog{} }

// Of sets the releases asked about.
func (d *uninstallDialog) Of(refs []shared.ReleaseRef) *uninstallDialog { d.Releases = refs; return d }

// Working says the request has been sent and not answered yet.
func (d *uninstallDialog) Working(busy bool) *uninstallDialog { d.Busy = busy; return d }

// OnConfirm sets what Uninstall does.
func (d *uninstallDialog) OnConfirm(f func(app.Context)) *uninstallDialog { d.onConfirm = f; return d }

// OnCancel sets what Cancel and Escape do.
func (d *uninstallDialog) OnCancel(f func(app.Context)) *uninstallDialog { d.onCancel = f; return d }

// Guard sets the error boundary's wrapper for the dialog's handlers.
func (d *uninstallDialog) Guard(wrap func(app.EventHandler) app.EventHandler) *uninstallDialog {
	d.setGuard(wrap)
	return d
}

// Render shows the dialog over a backdrop.
func (d *uninstallDialog) Render() app.UI {
	confirm := "Uninstall"
	if d.Busy {
		confirm = "Uninstalling…"
	}
	return app.Div().Class("kd-backdrop").OnKeyDown(d.guard(d.key)).Body(
		app.Div().ID("kd-confirm").Class("kd-dialog kd-card").Role("alertdialog").Aria("modal", "true").
			Aria("labelledby", "kd-confirm-title").Aria("describedby", "kd-confirm-text").Body(
			app.H2().ID("kd-confirm-title").Text(uninstallTitle(len(d.Releases))),
			app.P().ID("kd-confirm-text").Text("These releases and the objects their charts made are removed from the cluster, with their history. It cannot be undone."),
			app.Ul().ID("kd-confirm-list").Class("kd-confirm-list").Body(
				app.Range(d.Releases).Slice(func(i int) app.UI {
					r := d.Releases[i]
					return app.Li().Body(app.Strong().Class("kd-confirm-name").Text(r.Name),
						app.Text(" in namespace "+r.Namespace))
				}),
			),
			app.Div().Class("kd-dialog-actions").Body(
				disabledIf(app.Button().Type("button").ID("kd-confirm-cancel").Class("kd-button"), d.Busy).
					OnClick(d.guard(d.cancel)).Text("Cancel"),
				disabledIf(app.Button().Type("button").ID("kd-confirm-delete").Class("kd-button kd-danger"), d.Busy).
					OnClick(d.guard(d.confirm)).Text(confirm),
			),
		),
	)
}

func (d *uninstallDialog) key(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Escape" && !d.Busy {
		d.cancel(ctx, e)
	}
}

func (d *uninstallDialog) cancel(ctx app.Context, e app.Event) { callIfSet(d.onCancel, ctx) }

func (d *uninstallDialog) confirm(ctx app.Context, e app.Event) { callIfSet(d.onConfirm, ctx) }
