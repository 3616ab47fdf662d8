package main

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// objectsPage is the object viewer at /apps/objects: a kind, a namespace
// and a search pick a sorted, paged list of objects; a drawer shows one
// object in detail. The view lives in the URL query (see objectsView), and
// the rows stay current through the tab's WebSocket, or by polling the list
// while the socket is down.
//
// The page does its work in plain methods; go-app's lifecycle hooks only
// start (OnMount, in the browser) and stop (OnDismount) it, and OnNav, which
// also runs while the server prerenders, only reads the URL, and only in the
// browser. What the page knows lives in plain structs (objects_state*.go),
// whose methods make every change of state; the page calls them, does the
// loading and rendering, and holds what runs in the browser.
type objectsPage struct {
	app.Compo
	guarded

	// Link is the layout's API client, socket and toasts.
	Link *serverLink

	view       objectsView
	search     objectsSearch // the search box; the view follows it after a pause
	kinds      objectsKinds
	namespaces []string
	list       objectsList
	known      permissionSet // what the user may do per namespace, for the Delete buttons
	drawer     drawerData
	confirm    deleteState
	work       workloadActions // the drawer's Scale and Restart
	focus      focusReturn     // where focus goes when the drawer or the dialog closes

	// Set while the page runs in the browser.
	running       bool
	ui            app.Context
	stopCtx       context.Context
	stop          context.CancelFunc
	subs          pageSubs
	workFollower  *opFollower // follows the drawer's scale or restart
	reloadPending bool
	expirePending bool
}

// searchPause is how long typing must pause before the list follows it.
const searchPause = 250 * time.Millisecond

func newObjectsPage() *objectsPage { return &objectsPage{} }

// Server sets the layout's link to the server.
func (p *objectsPage) Server(l *serverLink) *objectsPage {
	p.Link = l
	return p
}

// OnNav reads the view from the URL: at first, and again when the browser
// goes back or forward or a link leads here with another query.
//
// On the server, which prerenders the page, it reads nothing: go-app quotes
// attribute values the Go way, not the HTML way, so a `"` in a query value
// would end the attribute it lands in and the rest would become markup. The
// server renders the page of no query; the browser reads the URL.
func (p *objectsPage) OnNav(ctx app.Context) {
	if !app.IsClient {
		return
	}
	v := parseObjectsView(ctx.Page().URL().Query())
	p.search.set(v.Query)
	if !p.running {
		p.view = v
		return
	}
	p.setView(ctx, v)
}

// OnMount starts the page in the browser.
func (p *objectsPage) OnMount(ctx app.Context) { p.start(ctx) }

// OnDismount stops what start started.
func (p *objectsPage) OnDismount() { p.end() }

// start loads the kinds, the namespaces and then the list, and starts the
// poll that refreshes the list while live updates are not flowing.
func (p *objectsPage) start(ctx app.Context) {
	if p.running || p.Link == nil || p.Link.api == nil {
		return
	}
	p.ui, p.running = ctx, true
	p.stopCtx, p.stop = context.WithCancel(context.Background())
	p.view = parseObjectsView(ctx.Page().URL().Query())
	p.search.set(p.view.Query)
	p.loadKinds()
	p.loadNamespaces()
	stop := p.stopCtx
	ctx.Async(func() { p.poll(stop, ctx) })
}

// end cancels the page's requests, subscriptions and poll.
func (p *objectsPage) end() {
	if p.stop != nil {
		p.stop()
	}
	p.subs.cancelAll()
	if p.workFollower != nil {
		p.workFollower.stop()
	}
	p.running = false
}

// kind is the kind shown.
func (p *objectsPage) kind() shared.KindInfo {
	return p.kinds.find(p.view.Kind)
}

// Render shows the page.
func (p *objectsPage) Render() app.UI {
	now := time.Now()
	k := p.kind()
	return app.Section().ID("page-objects").Class("kd-page").Body(
		app.H1().Text("Objects on the cluster"),
		newResourceToolbar().
			Choices(p.kinds.list, offeredNamespaces(p.namespaces, p.list.notOffered, p.view.Namespace)).
			Current(p.view.Kind, p.view.Namespace, p.search.text, k.Namespaced || k.Name == "").
			OnKind(p.chooseKind).OnNamespace(p.chooseNamespace).OnSearch(p.typeSearch).
			Guard(p.wrap),
		p.notes(k),
		p.body(k, now),
		app.If(p.view.Name != "" && k.Name != "", func() app.UI {
			return newObjectDrawer().
				Object(k, p.view.drawerNamespace(), p.view.Name).
				Loaded(p.drawer.state, p.drawer.detail, p.drawer.err).
				At(now.Unix()).Server(p.Link).
				Tools(p.drawerTools(k)).
				OnClose(p.closeDrawer).OnRetry(p.retryDrawer).OnCopy(p.copyYAML).
				Guard(p.wrap)
		}),
		app.If(p.work.asking && p.view.Name != "", func() app.UI {
			return newDeleteDialog().Object(k.Kind, p.view.drawerNamespace(), p.view.Name).
				Asks("Restart", "restarts", ": new pods replace the old ones, a few at a time.", "Restarting…").
				Working(p.work.sending).OnConfirm(p.confirmRestart).OnCancel(p.cancelRestart).Guard(p.wrap)
		}),
		app.If(p.confirm.row != nil, func() app.UI {
			r := p.confirm.row
			return newDeleteDialog().Object(k.Kind, r.Namespace, r.Name).Working(p.confirm.working).
				OnConfirm(p.confirmDelete).OnCancel(p.cancelDelete).Guard(p.wrap)
		}),
	)
}

// notes are the lines above the table: whether the rows are live, which
// namespaces were left out, and whether the last refresh failed.
func (p *objectsPage) notes(k shared.KindInfo) app.UI {
	live, label := "false", "Refreshing every 5 seconds (live updates are not connected)"
	if p.subs.live() {
		live, label = "true", "Live: changes appear as they happen"
	}
	return app.Div().Class("kd-notes").Body(
		app.If(k.Name != "" && p.list.status == statusLoaded, func() app.UI {
			return app.P().Class("kd-live-status").DataSet("live", live).DataSet("events", p.list.events).Text(label)
		}),
		app.If(len(p.list.forbidden) > 0, func() app.UI {
			return app.P().Class("kd-note kd-forbidden-note").Role("note").Title(allNamespaces(p.list.forbidden)).
				Text(forbiddenNote(k, p.list.forbidden))
		}),
		app.If(p.list.hidden > 0, func() app.UI {
			return app.P().Class("kd-note kd-hidden-note").Role("note").Text(hiddenNote(p.list.hidden))
		}),
		app.If(p.list.staleErr != "", func() app.UI {
			return app.P().Class("kd-note kd-stale-note").Role("status").Text(p.list.staleErr)
		}),
	)
}

// forbiddenNote names the namespaces a list across all of them left out.
func forbiddenNote(k shared.KindInfo, namespaces []string) string {
	return notShownNote(k.Name, namespaces, "list")
}

// notShownNote says that what in namespaces is not shown, as the user may
// not verb it there. It names at most maxNotedNamespaces and counts the
// rest, so that the note stays a line long however many there are (the
// note's title names them all: see allNamespaces).
func notShownNote(what string, namespaces []string, verb string) string {
	s := "Not shown: " + what + " in "
	if len(namespaces) == 1 {
		return s + "namespace " + namespaces[0] + ", which you may not " + verb + "."
	}
	named := namespaces
	if len(named) > maxNotedNamespaces {
		named = namespaces[:maxNotedNamespaces-1]
	}
	list := strings.Join(named[:len(named)-1], ", ") + " and " + named[len(named)-1]
	if len(named) < len(namespaces) {
		list = strings.Join(named, ", ") + " and " + strconv.Itoa(len(namespaces)-len(named)) + " more"
	}
	return s + "namespaces " + list + ", which you may not " + verb + "."
}

// maxNotedNamespaces is how many namespaces a note names at most.
const maxNotedNamespaces = 4

// allNamespaces names every namespace of a note, for its title, when the
// note does not ("" when it does).
func allNamespaces(namespaces []string) string {
	if len(namespaces) <= maxNotedNamespaces {
		return ""
	}
	return strings.Join(namespaces, ", ")
}

// hiddenNote counts the namespaces a list left out without naming them: the
// user may not list or get them, so may not learn their names either.
func hiddenNote(n int) string {
	if n == 1 {
		return "1 namespace is hidden from you."
	}
	return strconv.Itoa(n) + " namespaces are hidden from you."
}

// body is the table with its pager, or the state that stands in for it.
func (p *objectsPage) body(k shared.KindInfo, now time.Time) app.UI {
	rows := &p.list.rows
	switch {
	case p.kinds.status == statusFailed:
		return failedState("The kinds of objects could not be loaded: "+p.kinds.err, "kinds", p.guard(p.retryKinds))
	case p.list.status == statusFailed:
		return failedState("The list could not be loaded: "+p.list.err, "list", p.guard(p.retryList))
	case k.Name == "" || (p.list.status != statusLoaded && len(rows.rows) == 0):
		what := "objects"
		if k.Kind != "" {
			what = k.Kind + " objects"
		}
		return app.P().Class("kd-state kd-state-loading").Aria("busy", "true").Text("Loading " + what + "…")
	case len(rows.rows) == 0:
		return app.P().Class("kd-state kd-state-empty").Text(emptyText(k, p.view))
	}
	return app.Div().Class("kd-list").Aria("busy", p.list.status == statusLoading).Body(
		newResourceTable().Of(k).
			Show(rows.rows, p.actions(k)).
			Sorted(p.view.Sort, p.view.Desc).
			At(now).
			OnSort(p.sortBy).OnDetails(p.openDetails).OnDelete(p.askDelete).
			Guard(p.wrap),
		newResourcePager().At(rows.rangeText(), rows.page, rows.pages()).
			OnPage(p.goToPage).Guard(p.wrap),
	)
}

// emptyText says that nothing matched, and where.
func emptyText(k shared.KindInfo, v objectsView) string {
	s := "No " + k.Kind + " objects"
	if v.Namespace != "" {
		s += " in namespace " + v.Namespace
	}
	if v.Query != "" {
		s += " match “" + v.Query + "”"
	}
	return s + "."
}

// failedState is a failure the user can retry.
func failedState(text, scope string, retry app.EventHandler) app.UI {
	return app.Div().Class("kd-state kd-state-failed kd-card").Role("alert").Body(
		app.P().Text(text),
		app.Button().Type("button").Class("kd-button kd-retry").OnClick(retry, app.EventScope(scope)).Text("Retry"),
	)
}

// wrap is the page's guard, handed to its parts.
func (p *objectsPage) wrap(h app.EventHandler) app.EventHandler { return p.guard(h) }
