package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// connectionIndicator shows whether the server can be reached.
type connectionIndicator struct {
	app.Compo

	Conn connState
}

func newConnectionIndicator() *connectionIndicator {
	return &connectionIndicator{Conn: connConnected}
}

// State sets the state shown.
func (c *connectionIndicator) State(s connState) *connectionIndicator {
	c.Conn = s
	return c
}

// Render shows a coloured dot and the state in words.
func (c *connectionIndicator) Render() app.UI {
	return app.Span().Class("kd-conn kd-conn-"+string(c.Conn)).Role("status").
		Title("Connection to the Kubedeck server").Body(
		app.Span().Class("kd-conn-dot"),
		app.Span().Class("kd-conn-label").Text(c.Conn.label()),
	)
}
