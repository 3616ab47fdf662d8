package main

import (
	"net/url"
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// logsPage is the page at /apps/logs/{kind}/{namespace}/{name}: the log
// viewer on its own, its options in the URL (see logsView), so that a
// reload or a shared link shows the same view.
//
// Like the other pages it reads the URL only in the browser: the server's
// prerender shows the page of no logs.
type logsPage struct {
	app.Compo
	guarded

	// Link is the layout's API client, socket and toasts.
	Link *serverLink
	// Base is the path prefix the app is served under.
	Base string

	view  logsView
	errs  map[string]string
	ready bool
}

func newLogsPage() *logsPage { return &logsPage{} }

// Server sets the layout's link to the server.
func (p *logsPage) Server(l *serverLink) *logsPage { p.Link = l; return p }

// BasePath sets the path prefix the app is served under.
func (p *logsPage) BasePath(base string) *logsPage { p.Base = base; return p }

// OnMount reads the view from the URL (go-app calls it in the browser
// only), as OnNav does when the browser goes back or forward.
func (p *logsPage) OnMount(ctx app.Context) { p.OnNav(ctx) }

// OnNav reads the view from the URL (in the browser only).
func (p *logsPage) OnNav(ctx app.Context) {
	if !app.IsClient {
		return
	}
	u := ctx.Page().URL()
	p.read(strings.TrimPrefix(u.Path, p.Base), u.Query())
}

// read takes the view from the page's path (without the base) and query.
func (p *logsPage) read(path string, q url.Values) {
	p.view, p.errs = parseLogsView(path, q)
	p.ready = true
}

// named says whether the URL names logs the viewer can read.
func (p *logsPage) named() bool {
	for _, f := range []string{"path", "kind", "namespace", "name"} {
		if _, bad := p.errs[f]; bad {
			return false
		}
	}
	return true
}

// Render shows the page.
func (p *logsPage) Render() app.UI {
	q := p.view.Query
	title := "Logs"
	if p.ready && p.named() {
		title = "Logs of " + q.Namespace + "/" + q.Name
	}
	return app.Section().ID("page-logs").Class("kd-page kd-logs-page").Body(
		app.Div().Class("kd-logs-page-head").Body(
			app.H1().Text(title),
			app.If(p.ready && p.named(), func() app.UI {
				return app.A().ID("kd-logs-object").Class("kd-button").Href(p.objectHref()).Text("Show the " + singular(q.Kind))
			}),
		),
		app.If(!p.ready, func() app.UI { return app.P().Class("kd-state kd-state-loading").Text("Loading…") }),
		app.If(p.ready && len(p.errs) > 0, func() app.UI { return p.problems() }),
		app.If(p.ready && p.named(), func() app.UI {
			return newLogViewer().Server(p.Link).BasePath(p.Base).Logs(p.view).Page(true).
				OnView(p.viewChanged).Guard(p.wrap)
		}),
	)
}

// problems lists the options of the URL that were not valid.
func (p *logsPage) problems() app.UI {
	keys := make([]string, 0, len(p.errs))
	for k := range p.errs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return app.Div().ID("kd-logs-url-errors").Class("kd-note").Role("alert").Body(
		app.P().Text("Some options of this address were not valid and were left out:"),
		app.Ul().Body(app.Range(keys).Slice(func(i int) app.UI {
			return app.Li().Body(app.Code().Text(keys[i]), app.Text(": "+p.errs[keys[i]]))
		})),
	)
}

// objectHref links to the object in the object viewer's drawer.
func (p *logsPage) objectHref() string {
	q := p.view.Query
	v := objectsView{Kind: q.Kind, Namespace: q.Namespace, Name: q.Name, Page: 1}
	return p.Base + "/apps/objects?" + v.encode()
}

// viewChanged writes the viewer's options in the URL.
func (p *logsPage) viewChanged(ctx app.Context, v logsView) {
	p.view = v
	replaceQuery(ctx, v.encode())
}

// singular names one object of a kind of LogKinds.
func singular(kind string) string {
	if slices.Contains(shared.LogKinds, kind) {
		return strings.TrimSuffix(kind, "s")
	}
	return "object"
}
