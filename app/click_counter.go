package main

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// clickCounter counts clicks: the demo page's sibling that must keep working
// while its neighbour has failed.
type clickCounter struct {
	app.Compo
	guarded

	clicks int
}

func newClickCounter() *clickCounter { return &clickCounter{} }

// Render shows the count and the button.
func (c *clickCounter) Render() app.UI {
	return app.Div().ID("click-counter").Class("kd-card").Body(
		app.Button().ID("sibling-count").Type("button").Class("kd-button").
			Text("Clicked " + strconv.Itoa(c.clicks) + " times").OnClick(c.guard(c.click)),
	)
}

func (c *clickCounter) click(ctx app.Context, e app.Event) { c.clicks++ }
