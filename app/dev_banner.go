package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// devBanner warns that the server runs in dev auth mode, where everyone is
// the same fixed user. The layout shows it once the server says so.
type devBanner struct {
	app.Compo

	Name string
}

func newDevBanner() *devBanner { return &devBanner{} }

// User sets the fixed user of dev mode.
func (b *devBanner) User(name string) *devBanner {
	b.Name = name
	return b
}

// Render shows the warning.
func (b *devBanner) Render() app.UI {
	return app.Div().Class("kd-banner kd-dev-banner").Role("note").Text(
		"Development mode: everyone is signed in as " + b.Name + ". Never run this mode on a shared cluster.")
}
