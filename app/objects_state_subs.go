package main

import (
	"slices"

	"github.com/kubedeck/kubedeck/shared"
)

// The object viewer's socket subscriptions and what the server said of
// them. The page opens and cancels them; this keeps their state.

// maxPageSubs bounds the subscriptions the page holds, keeping room on the
// connection for following operations; a view that needs more is polled.
const maxPageSubs = shared.MaxResourceSubscriptions

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

// pageSubs are the page's subscriptions, by target, and the kinds the
// server refused a subscription across the cluster.
type pageSubs struct {
	held           map[subTarget]*pageSub
	notClusterWide map[string]bool
}

// clusterWide says whether the user may still be subscribed to kind across
// the cluster (the server has not refused it).
func (ps *pageSubs) clusterWide(kind string) bool { return !ps.notClusterWide[kind] }

// keep cancels and forgets the subscriptions not in want, and returns the
// targets of want not held yet, in want's order.
func (ps *pageSubs) keep(want []subTarget) []subTarget {
	for t, s := range ps.held {
		if !slices.Contains(want, t) {
			s.cancel()
			delete(ps.held, t)
		}
	}
	var add []subTarget
	for _, t := range want {
		if _, ok := ps.held[t]; !ok && !slices.Contains(add, t) {
			add = append(add, t)
		}
	}
	return add
}

// add holds a new subscription of t and returns it; its cancel is set once
// it is made.
func (ps *pageSubs) add(t subTarget) *pageSub {
	if ps.held == nil {
		ps.held = map[subTarget]*pageSub{}
	}
	s := &pageSub{target: t}
	ps.held[t] = s
	return s
}

// cancelAll cancels and forgets every subscription.
func (ps *pageSubs) cancelAll() {
	for t, s := range ps.held {
		s.cancel()
		delete(ps.held, t)
	}
}

// current says whether s is still one of the page's subscriptions (a
// message of one cancelled meanwhile is dropped).
func (ps *pageSubs) current(s *pageSub) bool {
	for _, x := range ps.held {
		if x == s {
			return true
		}
	}
	return false
}

// live says whether live updates flow: the socket is up and every
// subscription holds (one the user may not make does not count: its
// namespace has nothing to show).
func (ps *pageSubs) live() bool {
	held := 0
	for _, s := range ps.held {
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

// connected follows s's socket going up (live) or down, and says whether
// the page should list again: once the server has the subscription in
// place, what happened before must be listed.
func (ps *pageSubs) connected(s *pageSub, live bool) (relist bool) {
	if !ps.current(s) {
		return false
	}
	s.live = live
	if live {
		return true
	}
	// What the server refused on the lost connection is asked again on the
	// next one.
	s.failed, s.forbidden = false, false
	return false
}

// refused takes the server's refusal of s (a shared.WSError message's
// error; namespaced says whether the kind shown is) and says whether the
// page should subscribe again: a subscription across the cluster the user
// may not make becomes one per namespace.
func (ps *pageSubs) refused(s *pageSub, e *shared.Error, namespaced bool) (resubscribe bool) {
	switch {
	case e != nil && e.Code == shared.CodeForbidden && s.target.namespace == "" && namespaced:
		if ps.notClusterWide == nil {
			ps.notClusterWide = map[string]bool{}
		}
		ps.notClusterWide[s.target.kind] = true
		s.forbidden = true
		return true
	case e != nil && e.Code == shared.CodeForbidden:
		s.forbidden = true
	default:
		s.failed = true
	}
	return false
}
