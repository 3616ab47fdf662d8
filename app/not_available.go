package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// notAvailable says plainly that a feature is not in this version yet,
// instead of showing made-up data.
type notAvailable struct {
	app.Compo

	Feature string
}

func newNotAvailable() *notAvailable { return &notAvailable{} }

// What names the missing feature, as a sentence.
func (n *notAvailable) What(feature string) *notAvailable {
	n.Feature = feature
	return n
}

// Render shows the notice.
func (n *notAvailable) Render() app.UI {
	return app.Div().Class("kd-card kd-not-available").Body(
		app.H2().Text("Not yet available"),
		app.P().Text(n.Feature+" is not part of this version of Kubedeck yet."),
		app.P().Class("kd-muted").Text("Nothing on this page is simulated: it stays empty until the feature ships."),
	)
}
