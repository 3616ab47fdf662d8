package main

import (
	"context"
	"slices"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// How the object viewer keeps its rows current: socket subscriptions that
// follow the view, and a poll of the list while they do not flow.

// pollEvery is how often the list is asked for again while live updates
// are not flowing.
const pollEvery = 5 * time.Second

// maxPageSubs bounds the subscriptions the page holds (the server allows 20
// per connection); a view that needs more is polled.
const maxPageSubs = 16

// subTarget is what one subscription follows: a kind in a namespace ("" for
// every namespace, or a cluster-scoped kind).
type subTarget struct {
	kind, namespace string
}

// pageSub is one subscription of the page and how it stands.
type pageSub struct {
	target    subTarget
	cancel    func()
	live      bool // subscribed on an open socket
	forbidden bool // the server refused it: the user may not list there
	failed    bool // the server refused it for another reason
}

// wantedSubs are the subscriptions a view needs. A namespace, or a
// cluster-scoped kind, needs one. Every namespace needs one across the
// cluster, but a user whose list left namespaces out, or who was refused
// that subscription (clusterWide false), may not subscribe across the
// cluster: then one per namespace the list did not leave out (at most
// limit; beyond that, none, and the page polls).
func wantedSubs(v objectsView, k shared.KindInfo, namespaces, forbidden []string, clusterWide bool, limit int) []subTarget {
	if k.Name == "" {
		return nil
	}
	if !k.Namespaced {
		return []subTarget{{kind: k.Name}}
	}
	if v.Namespace != "" {
		return []subTarget{{kind: k.Name, namespace: v.Namespace}}
	}
	if len(forbidden) == 0 && clusterWide {
		return []subTarget{{kind: k.Name}}
	}
	var out []subTarget
	for _, ns := range namespaces {
		if !slices.Contains(forbidden, ns) {
			out = append(out, subTarget{kind: k.Name, namespace: ns})
		}
	}
	if len(out) > limit {
		return nil
	}
	return out
}

// syncSubs makes the page's subscriptions those the view needs.
func (p *objectsPage) syncSubs() {
	if !p.running || p.Link == nil || p.Link.socket == nil || p.list != statusLoaded {
		return
	}
	want := map[subTarget]bool{}
	k := p.kind()
	clusterWide := !p.notClusterWide[k.Name] && p.hidden == 0
	for _, t := range wantedSubs(p.view, k, p.namespaces, p.forbidden, clusterWide, maxPageSubs) {
		want[t] = true
	}
	if p.subs == nil {
		p.subs = map[subTarget]*pageSub{}
	}
	for t, s := range p.subs {
		if !want[t] {
			s.cancel()
			delete(p.subs, t)
		}
	}
	ui := p.ui
	for t := range want {
		if _, ok := p.subs[t]; ok {
			continue
		}
		s := &pageSub{target: t}
		p.subs[t] = s
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

// current says whether s is still one of the page's subscriptions.
func (p *objectsPage) current(s *pageSub) bool {
	for _, x := range p.subs {
		if x == s {
			return true
		}
	}
	return false
}

// onLive follows a subscription's socket: once the server has it in place,
// what happened before is listed again; while the socket is down the poll
// refreshes.
func (p *objectsPage) onLive(s *pageSub, live bool) {
	if !p.current(s) {
		return
	}
	s.live = live
	if live {
		p.requestReload()
		return
	}
	// What the server refused on the lost connection is asked again on the
	// next one.
	s.failed, s.forbidden = false, false
}

// maxPending bounds the changes kept while a list loads; past it the list
// itself is newer than most of them anyway.
const maxPending = 1000

// applyPending applies the changes that came while the list loaded (older
// versions of a row than the list's are skipped).
func (p *objectsPage) applyPending(now time.Time) {
	for _, m := range p.pending {
		p.rows.apply(m, now)
	}
	p.pending = nil
}

// onSocket takes one message of a subscription.
func (p *objectsPage) onSocket(s *pageSub, m shared.WSMessage) {
	if !p.current(s) {
		return
	}
	switch m.Type {
	case shared.WSCreated, shared.WSUpdated, shared.WSDeleted:
		p.liveEvents++
		if p.listing && len(p.pending) < maxPending {
			// A list is on its way; it may have been taken before this
			// change, so the change is applied again on top of it.
			p.pending = append(p.pending, m)
		}
		if p.list != statusLoaded {
			return
		}
		if p.rows.apply(m, time.Now()) {
			p.scheduleExpire()
		}
		var ev shared.WSResourceEvent
		if p.drawer.state == statusLoaded && m.Decode(&ev) == nil && p.drawer.detail.Row.UID == ev.Row.UID {
			p.drawer.detail.Row = ev.Row
		}
	case shared.WSResync:
		p.requestReload()
	case shared.WSError:
		switch {
		case m.Error != nil && m.Error.Code == shared.CodeForbidden && s.target.namespace == "" && p.kind().Namespaced:
			// Not across the cluster: one per namespace instead.
			if p.notClusterWide == nil {
				p.notClusterWide = map[string]bool{}
			}
			p.notClusterWide[s.target.kind] = true
			s.forbidden = true
			p.syncSubs()
		case m.Error != nil && m.Error.Code == shared.CodeForbidden:
			s.forbidden = true
		default:
			s.failed = true
		}
	}
}

// isLive says whether live updates flow for the view: the socket is up and
// every subscription it needs holds (one the user may not make does not
// count: its namespace has nothing to show).
func (p *objectsPage) isLive() bool {
	held := 0
	for _, s := range p.subs {
		switch {
		case s.forbidden:
		case s.failed || !s.live:
			return false
		default:
			held++
		}
	}
	return held > 0
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
	if p.expirePending || !p.running {
		return
	}
	marked := false
	for _, r := range p.rows.rows {
		marked = marked || r.Mark != markNone
	}
	if !marked {
		return
	}
	p.expirePending = true
	p.ui.After(markFor+100*time.Millisecond, func(ctx app.Context) {
		p.expirePending = false
		p.rows.expire(time.Now())
		p.scheduleExpire()
	})
}

// poll lists again every pollEvery while live updates do not flow, until
// stop ends.
func (p *objectsPage) poll(stop context.Context, ui app.Context) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		select {
		case <-stop.Done():
			return
		case <-t.C:
			ui.Dispatch(func(ctx app.Context) {
				if p.running && !p.isLive() && p.list != statusLoading && p.kind().Name != "" {
					p.reload(true)
				}
			})
		}
	}
}
