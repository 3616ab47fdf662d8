package main

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// chartsPage is the page at /apps/charts: the Helm releases the user may
// see, as a table or a grid (the choice kept in localStorage), filtered by
// namespace, status and a search; releases selected are uninstalled
// together behind a confirmation, each operation followed to its end with
// a toast. Its other tab, the catalog (?view=catalog, see chartsView),
// searches the configured repositories and installs a chart.
//
// What the page knows lives in plain structs (charts_state.go,
// charts_ops_state.go); the page loads, renders and holds what runs in the
// browser. go-app's hooks only start (OnMount) and stop (OnDismount) it.
type chartsPage struct {
	app.Compo
	guarded

	// Link is the layout's API client, socket and toasts.
	Link *serverLink

	list    chartsList
	filter  chartsFilter
	sel     chartsSelection
	layout  chartsLayout
	prefs   prefStore
	confirm chartsConfirm
	ops     chartsOps
	follows map[string]*opFollower
	detail  releaseDetailState
	view    chartsView
	search  objectsSearch // the catalog's search box; the view follows it after a pause
	catalog chartsCatalog
	install chartInstall
	live    chartsLive
	upgrade releaseUpgrade
	known   permissionSet // observed: permissionsState
	drafts  draftStore    // sessionStorage: the install form's draft

	// Set while the page runs in the browser.
	running bool
	ui      app.Context
	stopCtx context.Context
	stop    context.CancelFunc
}

func newChartsPage() *chartsPage { return &chartsPage{layout: layoutTable} }

// Server sets the layout's link to the server.
func (p *chartsPage) Server(l *serverLink) *chartsPage {
	p.Link = l
	return p
}

// OnMount starts the page in the browser.
func (p *chartsPage) OnMount(ctx app.Context) {
	ctx.ObserveState(permissionsState, &p.known)
	p.drafts = ctx.SessionStorage()
	p.start(ctx, ctx.LocalStorage())
}

// OnNav reads the view from the URL: at first, and again when the browser
// goes back or forward. On the server, which prerenders the page, it reads
// nothing (go-app does not quote attribute values the HTML way; see
// objectsPage.OnNav): the server renders the releases.
func (p *chartsPage) OnNav(ctx app.Context) {
	if !app.IsClient {
		return
	}
	v := parseChartsView(ctx.Page().URL().Query())
	p.search.set(v.Query)
	if !p.running {
		p.view = v
		return
	}
	p.setView(ctx, v)
}

// OnDismount stops what start started.
func (p *chartsPage) OnDismount() { p.end() }

// start reads the kept layout, lists the releases and starts the poll
// that keeps the list current.
func (p *chartsPage) start(ctx app.Context, prefs prefStore) {
	if p.running || p.Link == nil || p.Link.api == nil {
		return
	}
	p.ui, p.running, p.prefs = ctx, true, prefs
	p.layout = readLayout(prefs)
	p.stopCtx, p.stop = context.WithCancel(context.Background())
	if app.IsClient {
		p.view = parseChartsView(ctx.Page().URL().Query())
		p.search.set(p.view.Query)
	}
	p.load(false)
	if p.view.Catalog {
		p.loadCatalog()
	}
	p.syncDrawer(ctx)
	// The poll lives as long as the page, until stop: a plain goroutine,
	// as go-app waits for what ctx.Async starts when it consumes its work.
	go p.poll(p.stopCtx, ctx)
}

// end cancels the page's requests, follows and poll.
func (p *chartsPage) end() {
	if p.stop != nil {
		p.stop()
	}
	for _, f := range p.follows {
		f.stop()
	}
	p.follows = nil
	p.live.stop()
	p.running = false
}

// shown are the releases the filter lets through.
func (p *chartsPage) shown() []shared.Release { return p.filter.apply(p.list.releases) }

// Render shows the page.
func (p *chartsPage) Render() app.UI {
	now := time.Now()
	shown := p.shown()
	return app.Section().ID("page-charts").Class("kd-page").Body(
		app.H1().Text("Helm charts"),
		app.Div().Class("kd-tabs").Role("tablist").Aria("label", "Helm charts").Body(
			p.viewTab("kd-view-releases", "Releases", false),
			p.viewTab("kd-view-catalog", "Install a chart", true),
		),
		app.Div().ID("kd-charts-panel").Role("tabpanel").Aria("labelledby", p.tabID()).Body(
			app.If(p.view.Catalog, p.catalogPanel).Else(func() app.UI { return p.releasesPanel(shown, now) }),
		),
		app.If(p.detail.open() && p.upgrade.isOpen(), p.upgradePanel).ElseIf(p.detail.open(), func() app.UI {
			return newReleaseDrawer().
				Release(p.detail.ref).
				Loaded(p.detail.status, p.detail.reply, p.detail.err).
				Busy(p.ops.busy(p.detail.ref.Namespace, p.detail.ref.Name)).
				Permissions(p.known.of(p.detail.ref.Namespace)).
				Showing(p.view.Tab).OnTab(p.showReleaseTab).
				At(now).IconRoot(p.apiRoot()).
				OnClose(p.closeDetail).OnRetry(p.retryDetail).OnRollback(p.rollback).OnUninstall(p.askUninstallShown).
				OnUpgrade(p.startUpgrade).
				Guard(p.wrap)
		}),
		app.If(p.confirm.open(), func() app.UI {
			return newUninstallDialog().Of(p.confirm.refs).Working(p.confirm.working).
				OnConfirm(p.confirmUninstall).OnCancel(p.cancelUninstall).Guard(p.wrap)
		}),
	)
}

// viewTab is the tab of the releases or of the catalog.
func (p *chartsPage) viewTab(id, label string, catalog bool) app.UI {
	return app.Button().Type("button").Role("tab").ID(id).Class("kd-tab").
		Aria("selected", p.view.Catalog == catalog).Aria("controls", "kd-charts-panel").
		OnClick(p.guard(p.chooseTab(catalog)), app.EventScope(id)).Text(label)
}

// tabID is the id of the tab shown.
func (p *chartsPage) tabID() string {
	if p.view.Catalog {
		return "kd-view-catalog"
	}
	return "kd-view-releases"
}

// releasesPanel is the releases tab: the filter, the notes and the list.
func (p *chartsPage) releasesPanel(shown []shared.Release, now time.Time) app.UI {
	return app.Div().Body(
		newChartsToolbar().
			Current(p.list.namespaces(), p.filter, p.layout).
			Selected(len(p.sel.picked(shown)), p.confirm.working).
			OnFilter(p.setFilter).OnLayout(p.setLayout).OnUninstall(p.askUninstall).
			Guard(p.wrap),
		p.notes(),
		p.body(shown, now),
	)
}

// catalogPanel is the catalog tab: the install form of the chart chosen,
// then the catalog.
func (p *chartsPage) catalogPanel() app.UI {
	return app.Div().Body(
		app.If(p.install.isOpen(), func() app.UI {
			return newChartInstallForm().Of("kd-install", p.install).
				OnChange(p.changeInstall).OnSubmit(p.submitInstall).OnCancel(p.closeInstall).
				OnPreview(p.previewInstall).OnDefaults(p.useInstallDefaults).
				OnEdit(p.editInstall).OnDone(p.showReleases).Guard(p.wrap)
		}),
		newChartsCatalogView().Showing(p.search.text, p.catalog, p.view.Chart).IconRoot(p.apiRoot()).
			OnSearch(p.typeCatalogSearch).OnChoose(p.chooseChart).OnRetry(p.retryCatalog).Guard(p.wrap),
	)
}

// notes say what the list left out and whether the last refresh failed.
func (p *chartsPage) notes() app.UI {
	var errs []string
	for ns, why := range p.list.errors {
		errs = append(errs, "namespace "+ns+": "+why)
	}
	slices.Sort(errs)
	return app.Div().Class("kd-notes").Body(
		app.If(len(p.list.forbidden) > 0, func() app.UI {
			return app.P().Class("kd-note kd-forbidden-note").Role("note").Title(allNamespaces(p.list.forbidden)).
				Text(releasesForbiddenNote(p.list.forbidden))
		}),
		app.If(p.list.hidden > 0, func() app.UI {
			return app.P().Class("kd-note kd-hidden-note").Role("note").Text(hiddenNote(p.list.hidden))
		}),
		app.If(len(errs) > 0, func() app.UI {
			return app.P().Class("kd-note kd-errors-note").Role("note").
				Text("Some releases could not be read: " + strings.Join(errs, "; ") + ".")
		}),
		app.If(p.list.status == statusFailed && len(p.list.releases) > 0, func() app.UI {
			return app.P().Class("kd-note kd-stale-note").Role("status").
				Text("The list could not be refreshed (" + p.list.err + "); it shows the last releases read.")
		}),
	)
}

// releasesForbiddenNote names the namespaces whose releases the user may
// not read.
func releasesForbiddenNote(namespaces []string) string {
	return notShownNote("releases", namespaces, "read")
}

// body is the releases as a table or a grid, or the state that stands in
// for them.
func (p *chartsPage) body(shown []shared.Release, now time.Time) app.UI {
	switch {
	case p.list.status == statusFailed && len(p.list.releases) == 0:
		return failedState("The releases could not be loaded: "+p.list.err, "releases", p.guard(p.retryList))
	case p.list.status != statusLoaded && len(p.list.releases) == 0:
		return app.P().Class("kd-state kd-state-loading").Aria("busy", "true").Text("Loading releases…")
	case len(p.list.releases) == 0:
		return app.P().Class("kd-state kd-state-empty").Text("No Helm releases that you may see.")
	case len(shown) == 0:
		return app.P().Class("kd-state kd-state-empty").Text("No releases match the filter.")
	}
	count := app.P().Class("kd-muted kd-release-count").Role("status").Text(countText(len(shown), len(p.list.releases)))
	props := ReleaseViewProps{Releases: withIconURLs(shown, p.apiRoot()), Selected: p.sel.keys, AllOn: p.sel.allOf(shown), Now: now,
		onToggle: p.toggle, onToggleAll: p.toggleAll, onOpen: p.openDetail}
	if p.layout == layoutGrid {
		return app.Div().Class("kd-list").Aria("busy", p.list.status == statusLoading).Body(count,
			newReleaseGrid().With(props).Guard(p.wrap))
	}
	return app.Div().Class("kd-list").Aria("busy", p.list.status == statusLoading).Body(count,
		newReleaseTable().With(props).Guard(p.wrap))
}

// countText says how many releases show.
func countText(shown, all int) string {
	if shown == all {
		if all == 1 {
			return "1 release"
		}
		return strconv.Itoa(all) + " releases"
	}
	return strconv.Itoa(shown) + " of " + strconv.Itoa(all) + " releases"
}

func (p *chartsPage) setFilter(ctx app.Context, f chartsFilter) {
	p.filter = f
	p.syncLive()
}

func (p *chartsPage) setLayout(ctx app.Context, l chartsLayout) {
	p.layout = l
	keepLayout(p.prefs, l)
}

func (p *chartsPage) toggle(ctx app.Context, key string) { p.sel.toggle(key) }

func (p *chartsPage) toggleAll(ctx app.Context) { p.sel.toggleAll(p.shown()) }

// apiRoot is the API's root URL ("" while the page does not run in the
// browser).
func (p *chartsPage) apiRoot() string {
	if p.Link == nil || p.Link.api == nil {
		return ""
	}
	return p.Link.api.root
}

// wrap is the page's guard, handed to its parts.
func (p *chartsPage) wrap(h app.EventHandler) app.EventHandler { return p.guard(h) }
