package main

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// deleteDialog asks whether to delete one object (or, with Asks, to do
// something else to it), naming it. Escape or Cancel closes it; focus
// starts on Cancel, so Enter does not delete.
type deleteDialog struct {
	app.Compo
	guarded

	Kind      string // "Deployment"
	Namespace string
	Name      string
	Busy      bool
	// What is asked: the verb ("Delete"), what it does ("deletes"), to
	// the object (after its name), and the confirm button's words while it
	// works.
	Verb, Does, Consequence, BusyLabel string

	onConfirm func(ctx app.Context)
	onCancel  func(ctx app.Context)
}

func newDeleteDialog() *deleteDialog {
	return &deleteDialog{Verb: "Delete", Does: "deletes", Consequence: " from the cluster. It cannot be undone.", BusyLabel: "Deleting…"}
}

// Asks makes the dialog ask about verb ("Restart"), saying what it does
// ("restarts") and to the object (the text after its name), and showing
// working while it runs.
func (d *deleteDialog) Asks(verb, does, consequence, working string) *deleteDialog {
	d.Verb, d.Does, d.Consequence, d.BusyLabel = verb, does, consequence, working
	return d
}

// Object names the object asked about.
func (d *deleteDialog) Object(kind, namespace, name string) *deleteDialog {
	d.Kind, d.Namespace, d.Name = kind, namespace, name
	return d
}

// Working says the delete has been sent and not answered yet.
func (d *deleteDialog) Working(busy bool) *deleteDialog { d.Busy = busy; return d }

// OnConfirm sets what Delete does.
func (d *deleteDialog) OnConfirm(f func(app.Context)) *deleteDialog { d.onConfirm = f; return d }

// OnCancel sets what Cancel and Escape do.
func (d *deleteDialog) OnCancel(f func(app.Context)) *deleteDialog { d.onCancel = f; return d }

// Guard sets the error boundary's wrapper for the dialog's handlers.
func (d *deleteDialog) Guard(wrap func(app.EventHandler) app.EventHandler) *deleteDialog {
	d.setGuard(wrap)
	return d
}

// Render shows the dialog over a backdrop.
func (d *deleteDialog) Render() app.UI {
	what := d.Name
	if d.Namespace != "" {
		what = d.Namespace + "/" + d.Name
	}
	return app.Div().Class("kd-backdrop").OnKeyDown(d.guard(d.key)).Body(
		app.Div().ID("kd-confirm").Class("kd-dialog kd-card").Role("alertdialog").Aria("modal", "true").
			Aria("labelledby", "kd-confirm-title").Aria("describedby", "kd-confirm-text").Body(
			app.H2().ID("kd-confirm-title").Text(d.Verb+" "+d.Kind+"?"),
			app.P().ID("kd-confirm-text").Body(
				app.Text("This "+d.Does+" "+d.Kind+" "),
				app.Strong().Class("kd-confirm-name").Text(what),
				app.Text(d.Consequence),
			),
			app.Div().Class("kd-dialog-actions").Body(
				disabledIf(app.Button().Type("button").ID("kd-confirm-cancel").Class("kd-button"), d.Busy).
					OnClick(d.guard(d.cancel)).Text("Cancel"),
				disabledIf(app.Button().Type("button").ID("kd-confirm-"+strings.ReplaceAll(strings.ToLower(d.Verb), " ", "-")).Class("kd-button kd-danger"), d.Busy).
					OnClick(d.guard(d.confirm)).
					Text(map[bool]string{true: d.BusyLabel, false: d.Verb + " " + d.Name}[d.Busy]),
			),
		),
	)
}

func (d *deleteDialog) key(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Escape" && !d.Busy {
		d.cancel(ctx, e)
	}
}

func (d *deleteDialog) cancel(ctx app.Context, e app.Event) { callIfSet(d.onCancel, ctx) }

func (d *deleteDialog) confirm(ctx app.Context, e app.Event) { callIfSet(d.onConfirm, ctx) }
