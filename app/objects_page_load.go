package main

import (
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What the object viewer loads from the server. Each load runs in a
// goroutine and hands its outcome to the UI goroutine; a sequence number or
// key drops outcomes that a newer load has overtaken.

// loadKinds asks for the kinds, then lists the view's.
func (p *objectsPage) loadKinds() {
	p.kinds.begin()
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		kinds, err := apiGet[[]shared.KindInfo](stop, api, "/kinds")
		ui.Dispatch(func(ctx app.Context) {
			if !p.running {
				return
			}
			if !p.kinds.loaded(kinds, err) {
				p.recheck()
				return
			}
			p.setView(ctx, p.view)
			p.reload(false)
			p.loadDrawer()
		})
	})
}

func (p *objectsPage) retryKinds(ctx app.Context, e app.Event) { p.loadKinds() }

// loadNamespaces asks for the namespaces the user may see, for the
// namespace selector.
func (p *objectsPage) loadNamespaces() {
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		list, err := apiGet[[]shared.Namespace](stop, api, "/namespaces")
		if err != nil {
			return // the API client showed it; the selector offers "All namespaces"
		}
		names := make([]string, 0, len(list))
		for _, n := range list {
			names = append(names, n.Name)
		}
		ui.Dispatch(func(ctx app.Context) {
			p.namespaces = names
			p.syncSubs()
		})
	})
}

// reload lists the view's rows. A background reload (a poll, a resync, a
// reconnect) is quiet: when it fails the rows stay, with a note.
func (p *objectsPage) reload(background bool) {
	if !p.running || p.kind().Name == "" {
		return
	}
	seq, view := p.list.begin(background), p.view
	var opts []callOption
	if background {
		opts = append(opts, quiet())
	}
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		res, err := apiGet[shared.ListResult](stop, api, view.listPath(), opts...)
		ui.Dispatch(func(ctx app.Context) { p.listed(ctx, seq, view, res, err) })
	})
}

// listed takes a list's outcome.
func (p *objectsPage) listed(ctx app.Context, seq int, view objectsView, res shared.ListResult, err error) {
	if !p.running {
		return
	}
	switch p.list.listed(seq, view, res, err, time.Now()) {
	case listStale, listFailed:
		p.recheck()
	case listShrank:
		// The list shrank below this page: show its last page.
		v := p.view
		v.Page = res.Pages
		p.setView(ctx, v)
	case listLoaded:
		p.loadPerms()
		p.syncSubs()
		p.scheduleExpire()
	}
}

func (p *objectsPage) retryList(ctx app.Context, e app.Event) { p.reload(false) }

// recheck asks the layout to probe the server, so the connection indicator
// reflects a failure no longer than it lasts.
func (p *objectsPage) recheck() {
	if p.Link != nil && p.Link.recheck != nil {
		p.Link.recheck()
	}
}

// loadPerms asks the layout's permission store about the namespaces of the
// rows shown, once per namespace while the page is open (the store keeps
// the answers for the session, so other pages need not ask again).
func (p *objectsPage) loadPerms() {
	if !p.kind().Namespaced || p.Link.perms == nil {
		return
	}
	if p.known == nil {
		p.known = permissionSet{}
	}
	store, stop, ui := p.Link.perms, p.stopCtx, p.ui
	for _, r := range p.list.rows.rows {
		ns := r.Row.Namespace
		if _, asked := p.known[ns]; asked || ns == "" {
			continue
		}
		p.known[ns] = nsPermissions{Namespace: ns, Status: statusLoading}
		ui.Async(func() {
			got := store.get(stop, ns)
			ui.Dispatch(func(app.Context) {
				if got.Status != statusLoaded {
					delete(p.known, ns) // asked again with the next list
					return
				}
				p.known[ns] = got
			})
		})
	}
}

// actions says, per row, whether Delete shows and works. It shows only
// where the server has said whether the user may delete the kind there.
func (p *objectsPage) actions(k shared.KindInfo) []rowAction {
	rows := p.list.rows.rows
	out := make([]rowAction, len(rows))
	key := shared.Action("delete", k.Name)
	for i, r := range rows {
		perms := p.known.of(r.Row.Namespace)
		if _, known := perms.Me.Can[key]; perms.Status != statusLoaded || !known {
			continue
		}
		can, why := perms.can(key)
		out[i] = rowAction{Delete: true, Allowed: can, Reason: why}
	}
	return out
}

// drawerKey names the object the URL opens the drawer on ("" for none).
func (p *objectsPage) drawerKey() string {
	if p.view.Name == "" {
		return ""
	}
	return p.view.Kind + "/" + p.view.drawerNamespace() + "/" + p.view.Name
}

// loadDrawer loads the detail of the object the view names, unless it is
// loaded or loading already.
func (p *objectsPage) loadDrawer() {
	p.pointWorkload()
	key := p.drawerKey()
	if key != "" && (!p.running || len(p.kinds.list) == 0) {
		return
	}
	if !p.drawer.open(key) {
		return
	}
	path := objectPath(p.view.Kind, p.view.drawerNamespace(), p.view.Name)
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		d, err := apiGet[shared.ObjectDetail](stop, api, path)
		ui.Dispatch(func(ctx app.Context) { p.drawer.loaded(key, d, err) })
	})
}

func (p *objectsPage) retryDrawer(ctx app.Context) { p.loadDrawer() }
