package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// toastArea shows the toasts in a live region, so screen readers announce
// them, each with a button to dismiss it.
type toastArea struct {
	app.Compo

	Items []toast

	onDismiss func(app.Context, int)
}

func newToastArea() *toastArea { return &toastArea{} }

// Toasts sets the toasts shown, oldest first.
func (a *toastArea) Toasts(t []toast) *toastArea {
	a.Items = t
	return a
}

// OnDismiss sets what a dismiss button does with its toast's id.
func (a *toastArea) OnDismiss(f func(app.Context, int)) *toastArea {
	a.onDismiss = f
	return a
}

// Render shows the toasts.
func (a *toastArea) Render() app.UI {
	return app.Div().Class("kd-toasts").Role("status").Aria("live", "polite").Body(
		app.Range(a.Items).Slice(func(i int) app.UI {
			t := a.Items[i]
			return app.Div().Class("kd-toast kd-toast-"+string(t.Level)).Body(
				app.P().Class("kd-toast-text").Text(t.Text),
				app.Button().Type("button").Class("kd-button kd-toast-dismiss").
					Aria("label", "Dismiss: "+t.Text).Text("Dismiss").
					// The scope tells go-app this handler belongs to this
					// toast, so it is replaced when another takes the place.
					OnClick(a.dismiss(t.ID), app.EventScope(t.ID)),
			)
		}),
	)
}

func (a *toastArea) dismiss(id int) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if a.onDismiss != nil {
			a.onDismiss(ctx, id)
		}
	}
}
