package main

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kubedeck/kubedeck/shared"
)

// wsHandler receives what the socket says about one subscription. Both
// funcs are called from the socket's goroutine; a component hands the work
// to its UI goroutine (app.Context.Dispatch).
type wsHandler struct {
	// onMessage gets the subscription's resource events, resync and error
	// messages, or the operation's states (operation:progress).
	onMessage func(shared.WSMessage)
	// onLive(true) says the server has the subscription in place, after a
	// connect or a reconnect (or refused it: then an error came first):
	// events flow from now on, and what happened before must be listed
	// again. onLive(false) says the socket was lost: nothing flows until
	// the next onLive(true).
	onLive func(live bool)
}

// wsSub is one subscription of the client: to the resources of a kind in
// a namespace, to an operation (whose id is the subscription's), or to the
// logs a query names.
type wsSub struct {
	id        string
	kind      string
	namespace string
	operation bool
	logs      *shared.LogQuery // a follow of logs
	h         wsHandler
}

// message is the subscribe message for the subscription.
func (s *wsSub) message() shared.WSMessage {
	if s.operation {
		return shared.WSMessage{Type: shared.WSSubscribeOperation, ID: s.id}
	}
	typ, data := shared.WSSubscribe, any(shared.WSResources{Kind: s.kind, Namespace: s.namespace})
	if s.logs != nil {
		typ, data = shared.WSSubscribeLogs, *s.logs
	}
	m, _ := shared.NewWSMessage(typ, data) // plain data always encodes
	m.ID = s.id
	return m
}

// subRegistry holds a client's subscriptions under the ids it gives them
// ("s1", "s2", …), so that they can be sent again after a reconnect and
// each server message finds its handler. It is safe for concurrent use.
type subRegistry struct {
	mu   sync.Mutex
	next int
	subs map[string]*wsSub
}

// add registers a subscription and returns it with its new id.
func (r *subRegistry) add(kind, namespace string, h wsHandler) *wsSub {
	return r.insert(&wsSub{kind: kind, namespace: namespace, h: h})
}

// addLogs registers a follow of the logs q names and returns it with its
// new id.
func (r *subRegistry) addLogs(q shared.LogQuery, h wsHandler) *wsSub {
	return r.insert(&wsSub{logs: &q, h: h})
}

// insert gives s the next id and registers it.
func (r *subRegistry) insert(s *wsSub) *wsSub {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.subs == nil {
		r.subs = map[string]*wsSub{}
	}
	r.next++
	s.id = "s" + strconv.Itoa(r.next)
	r.subs[s.id] = s
	return s
}

// addOperation registers the following of operation id, under that id; it
// replaces the handler of a following of the same operation.
func (r *subRegistry) addOperation(id string, h wsHandler) *wsSub {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.subs == nil {
		r.subs = map[string]*wsSub{}
	}
	s := &wsSub{id: id, operation: true, h: h}
	r.subs[id] = s
	return s
}

// remove ends a subscription; false when there was none with that id.
func (r *subRegistry) remove(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.subs[id]; !ok {
		return false
	}
	delete(r.subs, id)
	return true
}

// get finds a subscription by id.
func (r *subRegistry) get(id string) (*wsSub, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.subs[id]
	return s, ok
}

// len is the number of subscriptions.
func (r *subRegistry) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.subs)
}

// all lists the subscriptions in the order they were made.
func (r *subRegistry) all() []*wsSub {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*wsSub, 0, len(r.subs))
	for _, s := range r.subs {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *wsSub) int {
		if len(a.id) != len(b.id) {
			return len(a.id) - len(b.id)
		}
		return strings.Compare(a.id, b.id)
	})
	return out
}
