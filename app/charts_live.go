package main

import (
	"slices"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// How the releases list stays current between its polls: Helm keeps a
// release's revisions in Secrets named sh.helm.release.v1.<name>.v<n>, so
// the page subscribes to the Secrets of the namespaces the list covers
// (one subscription per namespace, which the server authorizes as it does
// listing the releases there) and lists again, after a short pause, when
// one of those changes. Beyond chartsMaxSubs namespaces, or where a
// subscription is refused or not live, the poll keeps the list current.

const (
	// chartsMaxSubs is how many namespaces the page follows live at most:
	// the resource subscriptions a page may hold, so that an operation
	// started from it can still be followed on the same connection.
	chartsMaxSubs = shared.MaxResourceSubscriptions
	// chartsLivePause gathers a burst of changes (an upgrade writes several
	// Secrets) into one reload.
	chartsLivePause = 300 * time.Millisecond
	// helmReleasePrefix starts the names of the Secrets Helm keeps releases in.
	helmReleasePrefix = "sh.helm.release.v1."
)

// liveNamespaces are the namespaces to follow: the filter's, or those of
// the releases listed and the others the user is known to use, without
// those the user may not read. ok is false when there are more than limit:
// the poll alone keeps the list current then.
func liveNamespaces(filter string, listed, known, forbidden []string, limit int) (ns []string, ok bool) {
	if filter != "" {
		return []string{filter}, true
	}
	for _, n := range slices.Concat(listed, known) {
		if n != "" && !slices.Contains(forbidden, n) && !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	if len(ns) > limit {
		return nil, false
	}
	slices.Sort(ns)
	return ns, true
}

// chartsSub is one namespace's subscription.
type chartsSub struct {
	namespace string
	live      bool // the server confirmed it and the socket is up
	refused   bool // the server refused it: the poll stands in
	cancel    func()
}

// chartsLive is what the page follows live and the reload it owes.
type chartsLive struct {
	subs map[string]*chartsSub // by namespace
	over bool                  // more namespaces than subscriptions

	pending bool // a reload waits for its pause
	again   bool // a change came while a reload was in flight
}

// keep makes want the namespaces followed: it ends the subscriptions of
// the others and returns the namespaces to subscribe to. over says there
// were too many to follow; every subscription ends.
func (l *chartsLive) keep(want []string, over bool) (add []string) {
	l.over = over
	for ns, s := range l.subs {
		if over || !slices.Contains(want, ns) {
			s.end()
			delete(l.subs, ns)
		}
	}
	if over {
		return nil
	}
	for _, ns := range want {
		if _, ok := l.subs[ns]; !ok {
			add = append(add, ns)
		}
	}
	return add
}

// add records the subscription to namespace about to be made.
func (l *chartsLive) add(namespace string) *chartsSub {
	if l.subs == nil {
		l.subs = map[string]*chartsSub{}
	}
	s := &chartsSub{namespace: namespace}
	l.subs[namespace] = s
	return s
}

func (s *chartsSub) end() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// current says whether s is still one of the subscriptions.
func (l *chartsLive) current(s *chartsSub) bool { return l.subs[s.namespace] == s }

// stop ends every subscription (the page leaves).
func (l *chartsLive) stop() {
	for _, s := range l.subs {
		s.end()
	}
	*l = chartsLive{}
}

// covered says whether the subscriptions bring every change the list
// needs, so the poll may rest.
func (l *chartsLive) covered() bool {
	if l.over || len(l.subs) == 0 {
		return false
	}
	for _, s := range l.subs {
		if !s.live || s.refused {
			return false
		}
	}
	return true
}

// connected takes whether s's socket is up and confirmed; once it is
// again, what happened meanwhile is listed anew (relist).
func (l *chartsLive) connected(s *chartsSub, live bool) (relist bool) {
	if !l.current(s) || s.refused {
		return false
	}
	was := s.live
	s.live = live
	return live && !was
}

// message takes one message of s and says whether the list changed.
func (l *chartsLive) message(s *chartsSub, m shared.WSMessage) (changed bool) {
	if !l.current(s) {
		return false
	}
	switch m.Type {
	case shared.WSCreated, shared.WSUpdated, shared.WSDeleted:
		var ev shared.WSResourceEvent
		return m.Decode(&ev) == nil && strings.HasPrefix(ev.Row.Name, helmReleasePrefix)
	case shared.WSResync:
		return true
	case shared.WSError:
		s.refused, s.live = true, false
		s.end()
	}
	return false
}

// changed notes a change and says whether to start the pause before the
// reload (none is running).
func (l *chartsLive) changed() (startPause bool) {
	if l.pending {
		return false
	}
	l.pending = true
	return true
}

// due ends the pause and says whether to reload now: not while a reload
// is in flight (loading), which owes another when it ends.
func (l *chartsLive) due(loading bool) (reload bool) {
	l.pending = false
	if loading {
		l.again = true
		return false
	}
	return true
}

// loaded says, as a load ends, whether a change came while it ran: it
// owes another reload.
func (l *chartsLive) loaded() (owed bool) {
	owed, l.again = l.again, false
	return owed
}

// syncLive makes the page's subscriptions those the list needs.
func (p *chartsPage) syncLive() {
	if !p.running || p.Link == nil || p.Link.socket == nil || p.list.status != statusLoaded {
		return
	}
	want, ok := liveNamespaces(p.filter.Namespace, p.list.namespaces(), p.install.namespaces, p.list.forbidden, chartsMaxSubs)
	ui := p.ui
	for _, ns := range p.live.keep(want, !ok) {
		s := p.live.add(ns)
		s.cancel = p.Link.socket.subscribe("secrets", ns, wsHandler{
			onMessage: func(m shared.WSMessage) {
				ui.Dispatch(func(ctx app.Context) {
					if p.running && p.live.message(s, m) {
						p.liveChanged()
					}
				})
			},
			onLive: func(live bool) {
				ui.Dispatch(func(ctx app.Context) {
					if p.running && p.live.connected(s, live) {
						p.liveChanged()
					}
				})
			},
		})
	}
}

// liveChanged lists the releases again after a pause, one reload at a
// time.
func (p *chartsPage) liveChanged() {
	if !p.live.changed() {
		return
	}
	p.ui.After(chartsLivePause, func(ctx app.Context) {
		if p.running && p.live.due(p.list.status == statusLoading) {
			p.load(true)
		}
	})
}

// liveLoaded follows a load's end: a change that came meanwhile gets its
// reload, and the subscriptions follow the namespaces listed.
func (p *chartsPage) liveLoaded() {
	if p.live.loaded() {
		p.liveChanged()
	}
	p.syncLive()
}
