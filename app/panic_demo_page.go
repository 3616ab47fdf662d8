package main

import (
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// panicDemoPage is the hidden page (testPanicPath) on which tests make a
// component panic: a panicking demo and a sibling, each in its own boundary,
// to show that one failing leaves the other working.
type panicDemoPage struct {
	app.Compo

	onPanic func(shared.ClientError)
}

func newPanicDemoPage() *panicDemoPage { return &panicDemoPage{} }

// OnPanic sets what receives the reports of the boundaries on the page.
func (p *panicDemoPage) OnPanic(f func(shared.ClientError)) *panicDemoPage {
	p.onPanic = f
	return p
}

// Render shows the two boundaries.
func (p *panicDemoPage) Render() app.UI {
	return app.Section().ID("page-test-panic").Class("kd-page").Body(
		app.H1().Text("Error boundary demo"),
		newErrorBoundary().Named("panic-demo").Child(newPanicDemo()).OnPanic(p.onPanic),
		newErrorBoundary().Named("click-counter").Child(newClickCounter()).OnPanic(p.onPanic),
	)
}
