package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// deployPage is the page at /apps/deploy; a later version fills it.
type deployPage struct {
	app.Compo
}

func newDeployPage() *deployPage { return &deployPage{} }

// Render shows the page.
func (p *deployPage) Render() app.UI {
	return app.Section().ID("page-deploy").Class("kd-page").Body(
		app.H1().Text("Deploy an application"),
		newNotAvailable().What("The deployment wizard"),
	)
}
