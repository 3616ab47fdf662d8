package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// panicDemo panics on request, once in its Render or in a click handler.
type panicDemo struct {
	app.Compo
	guarded

	explode bool
}

func newPanicDemo() *panicDemo { return &panicDemo{} }

// Render panics when asked to, then renders normally again (so Retry works).
func (d *panicDemo) Render() app.UI {
	if d.explode {
		d.explode = false
		panic("demo panic while rendering")
	}
	return app.Div().ID("panic-demo").Class("kd-card").Body(
		app.P().Text("This component panics when you ask it to."),
		app.Button().ID("panic-render").Type("button").Class("kd-button").
			Text("Panic while rendering").OnClick(d.guard(d.panicInRender)),
		app.Button().ID("panic-handler").Type("button").Class("kd-button").
			Text("Panic in a click handler").OnClick(d.guard(d.panicInHandler)),
	)
}

func (d *panicDemo) panicInRender(ctx app.Context, e app.Event) { d.explode = true }

func (d *panicDemo) panicInHandler(ctx app.Context, e app.Event) {
	panic("demo panic in a click handler")
}
