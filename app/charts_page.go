package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// chartsPage is the page at /apps/charts; a later version fills it.
type chartsPage struct {
	app.Compo
}

func newChartsPage() *chartsPage { return &chartsPage{} }

// Render shows the page.
func (p *chartsPage) Render() app.UI {
	return app.Section().ID("page-charts").Class("kd-page").Body(
		app.H1().Text("Helm charts"),
		newNotAvailable().What("Managing Helm charts"),
	)
}
