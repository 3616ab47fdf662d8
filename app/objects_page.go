package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// objectsPage is the page at /apps/objects; a later version fills it.
type objectsPage struct {
	app.Compo
}

func newObjectsPage() *objectsPage { return &objectsPage{} }

// Render shows the page.
func (p *objectsPage) Render() app.UI {
	return app.Section().ID("page-objects").Class("kd-page").Body(
		app.H1().Text("Objects on the cluster"),
		newNotAvailable().What("The object viewer"),
	)
}
