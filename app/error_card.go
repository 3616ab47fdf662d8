package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// errorCard is what an error boundary shows instead of a component that
// failed: what happened, and a button to try again.
type errorCard struct {
	app.Compo

	Heading string
	Text    string

	onRetry func(app.Context)
}

// newErrorCard returns an empty card.
func newErrorCard() *errorCard { return &errorCard{} }

// Title sets the card's heading.
func (c *errorCard) Title(s string) *errorCard {
	c.Heading = s
	return c
}

// Detail sets what happened, in a sentence.
func (c *errorCard) Detail(s string) *errorCard {
	c.Text = s
	return c
}

// OnRetry sets what the Retry button does.
func (c *errorCard) OnRetry(f func(app.Context)) *errorCard {
	c.onRetry = f
	return c
}

// Render shows the card.
func (c *errorCard) Render() app.UI {
	return app.Section().Class("kd-card kd-error-card").Aria("live", "assertive").Body(
		app.H2().Class("kd-error-card-title").Text(c.Heading),
		app.P().Class("kd-error-card-text").Text(c.Text),
		app.P().Class("kd-muted").Text("The rest of the page still works. The error was reported."),
		app.Button().Type("button").Class("kd-button kd-error-card-retry").Text("Retry").OnClick(c.retry),
	)
}

func (c *errorCard) retry(ctx app.Context, e app.Event) {
	if c.onRetry != nil {
		c.onRetry(ctx)
	}
}
