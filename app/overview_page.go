package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// overviewPage is the start page. It shows only what is real today: the
// versions, the connection, and where the other pages are.
type overviewPage struct {
	app.Compo

	Base   string
	UI     string
	Server string
	Conn   connState
}

func newOverviewPage() *overviewPage { return &overviewPage{Conn: connConnected} }

// BasePath sets the prefix of the links.
func (p *overviewPage) BasePath(b string) *overviewPage { p.Base = b; return p }

// Version sets the UI's version.
func (p *overviewPage) Version(v string) *overviewPage { p.UI = v; return p }

// ServerVersion sets the version the server reported ("" until it did).
func (p *overviewPage) ServerVersion(v string) *overviewPage { p.Server = v; return p }

// Connection sets the connection state shown.
func (p *overviewPage) Connection(s connState) *overviewPage { p.Conn = s; return p }

// Render shows the page.
func (p *overviewPage) Render() app.UI {
	server := p.Server
	if server == "" {
		server = "not known yet (the server has not answered)"
	}
	pages := shellPages()[1:]
	return app.Section().ID("page-overview").Class("kd-page").Body(
		app.H1().Text("Overview"),
		app.P().Class("kd-lead").Text("Kubedeck deploys containers, shows what runs on the cluster and manages your Helm charts."),
		app.Div().Class("kd-card").Body(
			app.H2().Text("This Kubedeck"),
			app.Dl().Class("kd-facts").Body(
				app.Dt().Text("Interface version"), app.Dd().Text(p.UI),
				app.Dt().Text("Server version"), app.Dd().Text(server),
				app.Dt().Text("Connection"), app.Dd().Class("kd-overview-conn").Text(p.Conn.label()),
			),
		),
		app.Div().Class("kd-card").Body(
			app.H2().Text("Pages"),
			app.Ul().Class("kd-links").Body(
				app.Range(pages).Slice(func(i int) app.UI {
					return app.Li().Body(app.A().Href(p.Base + pages[i].path).Text(pages[i].title))
				}),
			),
		),
	)
}
