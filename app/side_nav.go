package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// sideNav is the navigation between the pages: a sidebar on wide screens,
// a menu the header's button opens on narrow ones.
type sideNav struct {
	app.Compo

	Base     string
	Page     pageID
	Expanded bool
}

func newSideNav() *sideNav { return &sideNav{} }

// BasePath sets the prefix of the links.
func (n *sideNav) BasePath(b string) *sideNav {
	n.Base = b
	return n
}

// Current sets the page highlighted.
func (n *sideNav) Current(id pageID) *sideNav {
	n.Page = id
	return n
}

// Open says whether the narrow-screen menu is open.
func (n *sideNav) Open(open bool) *sideNav {
	n.Expanded = open
	return n
}

// Render shows the links, the current one marked for eyes and screen readers.
func (n *sideNav) Render() app.UI {
	class := "kd-nav"
	if n.Expanded {
		class += " kd-nav-open"
	}
	pages := shellPages()
	return app.Nav().ID("kd-nav").Class(class).Aria("label", "Main").Body(
		app.Ul().Class("kd-nav-list").Body(
			app.Range(pages).Slice(func(i int) app.UI {
				p := pages[i]
				link := app.A().Class("kd-nav-link").Href(n.Base + p.path).Text(p.title)
				if p.id == n.Page {
					link = link.Class("kd-nav-current").Aria("current", "page")
				}
				return app.Li().Body(link)
			}),
		),
	)
}
