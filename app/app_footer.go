package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// appFooter names the version of the UI, and the server's when it differs.
type appFooter struct {
	app.Compo

	UI     string
	Server string
}

func newAppFooter() *appFooter { return &appFooter{} }

// Version sets the UI's version.
func (f *appFooter) Version(v string) *appFooter {
	f.UI = v
	return f
}

// ServerVersion sets the version the server reported ("" until it did).
func (f *appFooter) ServerVersion(v string) *appFooter {
	f.Server = v
	return f
}

// Render shows the footer.
func (f *appFooter) Render() app.UI {
	text := "Kubedeck " + f.UI
	if f.Server != "" && f.Server != f.UI {
		text += " (server " + f.Server + ")"
	}
	return app.Footer().Class("kd-footer").Body(
		app.Span().Class("kd-version").Text(text),
	)
}
