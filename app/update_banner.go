package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// updateBanner offers to reload once a new version of the app has been
// downloaded in the background.
type updateBanner struct {
	app.Compo

	onReload func(app.Context)
}

func newUpdateBanner() *updateBanner { return &updateBanner{} }

// OnReload sets what the Reload button does.
func (b *updateBanner) OnReload(f func(app.Context)) *updateBanner {
	b.onReload = f
	return b
}

// Render shows the banner.
func (b *updateBanner) Render() app.UI {
	return app.Div().Class("kd-banner kd-update-banner").Role("status").Body(
		app.Span().Text("Update available: a new version of Kubedeck is ready."),
		app.Button().Type("button").Class("kd-button").Text("Reload").OnClick(b.reload),
	)
}

func (b *updateBanner) reload(ctx app.Context, e app.Event) { callIfSet(b.onReload, ctx) }
