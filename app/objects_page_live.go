package main

import (
	"context"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// How the object viewer keeps its rows current: socket subscriptions that
// follow the view, and a poll of the list while they do not flow.

// pollEvery is how often the list is asked for again while live updates
// are not flowing.
const pollEvery = 5 * time.Second

// syncSubs makes the page's subscriptions those the view needs.
func (p *objectsPage) syncSubs() {
	if !p.running || p.Link == nil || p.Link.socket == nil || p.list.status != statusLoaded {
		return
	}
	k := p.kind()
	clusterWide := p.subs.clusterWide(k.Name) && p.list.hidden == 0
	want := wantedSubs(p.view, k, p.namespaces, p.list.forbidden, clusterWide, maxPageSubs)
	ui := p.ui
	for _, t := range p.subs.keep(want) {
		s := p.subs.add(t)
		s.cancel = p.Link.socket.subscribe(t.kind, t.namespace, wsHandler{
			onMessage: func(m shared.WSMessage) {
				ui.Dispatch(func(ctx app.Context) { p.onSocket(s, m) })
			},
			onLive: func(live bool) {
				ui.Dispatch(func(ctx app.Context) { p.onLive(s, live) })
			},
		})
	}
}

// onLive follows a subscription's socket: once the server has it in place,
// what happened before is listed again; while the socket is down the poll
// refreshes.
func (p *objectsPage) onLive(s *pageSub, live bool) {
	if p.subs.connected(s, live) {
		p.requestReload()
	}
}

// onSocket takes one message of a subscription.
func (p *objectsPage) onSocket(s *pageSub, m shared.WSMessage) {
	if !p.subs.current(s) {
		return
	}
	switch m.Type {
	case shared.WSCreated, shared.WSUpdated, shared.WSDeleted:
		changed := p.list.event(m, time.Now())
		if p.list.status != statusLoaded {
			return
		}
		if changed {
			p.scheduleExpire()
		}
		p.drawer.follow(m)
	case shared.WSResync:
		p.requestReload()
	case shared.WSError:
		if p.subs.refused(s, m.Error, p.kind().Namespaced) {
			// Not across the cluster: one per namespace instead.
			p.syncSubs()
		}
	}
}

// requestReload lists again in the background, once for a burst of
// requests (several subscriptions coming back after a reconnect).
func (p *objectsPage) requestReload() {
	if p.reloadPending || !p.running {
		return
	}
	p.reloadPending = true
	p.ui.After(150*time.Millisecond, func(ctx app.Context) {
		p.reloadPending = false
		p.reload(true)
	})
}

// scheduleExpire ends row marks when their time comes.
func (p *objectsPage) scheduleExpire() {
	if p.expirePending || !p.running || !p.list.marked() {
		return
	}
	p.expirePending = true
	p.ui.After(markFor+100*time.Millisecond, func(ctx app.Context) {
		p.expirePending = false
		p.list.rows.expire(time.Now())
		p.scheduleExpire()
	})
}

// poll lists again every pollEvery while live updates do not flow, until
// stop ends.
func (p *objectsPage) poll(stop context.Context, ui app.Context) {
	every(stop, ui, pollEvery, func(app.Context) {
		if p.running && !p.subs.live() && p.list.status != statusLoading && !p.list.refused && p.kind().Name != "" {
			p.reload(true)
		}
	})
}

// every runs fn on the UI goroutine each period until stop ends.
func every(stop context.Context, ui app.Context, period time.Duration, fn func(app.Context)) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop.Done():
			return
		case <-t.C:
			ui.Dispatch(fn)
		}
	}
}
