package server

import (
	"sync"

	"github.com/kubedeck/kubedeck/shared"
)

// body is the encoded part of a server message that is the same for every
// subscription it goes to: `"data":{…}}` (the end of a JSON object). The hub encodes it once per event and the writers
// put the type and subscription in front.
type body []byte

// pendingKey names what a queued message is about, so that later news about
// the same thing replaces it: one object, or one Deployment's progress, of
// one subscription.
type pendingKey struct {
	sub *subscription
	key string // the object's UID, or "progress/" + namespace/name
}

// pending is one queued message. A dead one was cancelled out and is
// skipped.
type pending struct {
	key  pendingKey
	typ  shared.WSType
	body body
	dead bool
}

// sendQueue is a connection's bounded queue of messages waiting for its
// writer. Events are coalesced per object (the latest row wins; a delete
// after a create that was never sent cancels both). When more than limit
// objects wait, the writer is too slow: the queue drops every waiting event
// and the subscriptions they belonged to get a resync instead, so a slow
// reader costs at most limit messages of memory. Control messages (pong,
// error) have their own small bound. Push never blocks; it is called by the
// hub's fan-out.
type sendQueue struct {
	limit        int
	controlLimit int
	notify       chan struct{} // wakes the writer; capacity 1

	mu      sync.Mutex
	order   []*pending // in arrival order, dead ones included
	live    map[pendingKey]*pending
	resync  []*subscription        // subscriptions owed a resync, in order
	owed    map[*subscription]bool // the same, as a set
	control [][]byte               // whole encoded control messages
	// states holds the latest state of each followed operation, one per
	// subscription (so at most MaxSubscriptions), in arrival order; a newer
	// state replaces the one waiting. They are never dropped for a resync:
	// each is whole, and there are few.
	states  []*pending
	stateOf map[*subscription]*pending
	// overflows counts the times the queue was dropped, for tests and logs.
	overflows int
}

func newSendQueue(limit, controlLimit int) *sendQueue {
	return &sendQueue{
		limit:        limit,
		controlLimit: controlLimit,
		notify:       make(chan struct{}, 1),
		live:         make(map[pendingKey]*pending),
		owed:         make(map[*subscription]bool),
		stateOf:      make(map[*subscription]*pending),
	}
}

// pushState queues the latest state (typ, b) of what sub follows,
// replacing the one waiting.
func (q *sendQueue) pushState(sub *subscription, typ shared.WSType, b body) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if p, ok := q.stateOf[sub]; ok {
		p.typ, p.body = typ, b
	} else {
		p := &pending{key: pendingKey{sub: sub}, typ: typ, body: b}
		q.stateOf[sub] = p
		q.states = append(q.states, p)
	}
	q.wake()
}

// hasState reports whether a state of sub waits for the writer.
func (q *sendQueue) hasState(sub *subscription) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.stateOf[sub]
	return ok
}

// wake tells the writer there is something to send.
func (q *sendQueue) wake() {
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// push queues an event of typ about key for sub.
func (q *sendQueue) push(sub *subscription, key string, typ shared.WSType, b body) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.owed[sub] {
		return // the client re-lists after its resync; the event is in the list
	}
	k := pendingKey{sub: sub, key: key}
	if p, ok := q.live[k]; ok {
		q.coalesce(p, typ, b)
		q.wake()
		return
	}
	if len(q.live) >= q.limit {
		q.overflow(sub)
		q.wake()
		return
	}
	if len(q.order) >= 2*q.limit {
		q.compact()
	}
	p := &pending{key: k, typ: typ, body: b}
	q.live[k] = p
	q.order = append(q.order, p)
	q.wake()
}

// coalesce folds a newer event about the same object into p: the client
// must end up where it would be had it seen both.
func (q *sendQueue) coalesce(p *pending, typ shared.WSType, b body) {
	switch {
	case p.typ == shared.WSCreated && typ == shared.WSDeleted:
		// The client never heard of the object: tell it nothing.
		p.dead = true
		delete(q.live, p.key)
		return
	case p.typ == shared.WSCreated && typ == shared.WSUpdated:
		typ = shared.WSCreated // still new to the client
	case p.typ == shared.WSDeleted && typ != shared.WSDeleted:
		typ = shared.WSUpdated // the client still has it; replace its row
	}
	p.typ, p.body = typ, b
}

// overflow drops every waiting event and owes a resync to each subscription
// that had some, and to sub.
func (q *sendQueue) overflow(sub *subscription) {
	q.overflows++
	for _, p := range q.order {
		if !p.dead {
			q.owe(p.key.sub)
		}
	}
	q.owe(sub)
	clear(q.order) // let the bodies go
	q.order = q.order[:0]
	clear(q.live)
}

func (q *sendQueue) owe(sub *subscription) {
	if !q.owed[sub] {
		q.owed[sub] = true
		q.resync = append(q.resync, sub)
	}
}

// compact removes dead entries from order, so that churn of objects created
// and deleted unseen does not grow it.
func (q *sendQueue) compact() {
	kept := q.order[:0]
	for _, p := range q.order {
		if !p.dead {
			kept = append(kept, p)
		}
	}
	clear(q.order[len(kept):])
	q.order = kept
}

// pushControl queues a whole message that is not about an object. It
// reports false when the client has left too many unread, which only a
// client that sends without reading does.
func (q *sendQueue) pushControl(msg []byte) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.control) >= q.controlLimit {
		return false
	}
	q.control = append(q.control, msg)
	q.wake()
	return true
}

// forget drops what waits for sub, which has ended.
func (q *sendQueue) forget(sub *subscription) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range q.order {
		if p.key.sub == sub && !p.dead {
			p.dead = true
			delete(q.live, p.key)
		}
	}
	if q.owed[sub] {
		delete(q.owed, sub)
		q.resync = deleteSub(q.resync, sub)
	}
	if p, ok := q.stateOf[sub]; ok {
		delete(q.stateOf, sub)
		for i, s := range q.states {
			if s == p {
				q.states = append(q.states[:i], q.states[i+1:]...)
				break
			}
		}
	}
}

func deleteSub(subs []*subscription, sub *subscription) []*subscription {
	for i, s := range subs {
		if s == sub {
			return append(subs[:i], subs[i+1:]...)
		}
	}
	return subs
}

// batch is what the writer takes from the queue in one go, in the order it
// sends it: resyncs first (the client re-lists before it applies what
// follows), then control messages, then the states of operations, then
// events.
type batch struct {
	resync  []*subscription
	control [][]byte
	states  []*pending
	events  []*pending
}

func (b *batch) len() int { return len(b.resync) + len(b.control) + len(b.states) + len(b.events) }

// take moves everything waiting into b (reusing its slices). Subscriptions
// whose resync it takes get events again from now on: the client re-lists
// after it reads the resync, so the list holds what came before.
func (q *sendQueue) take(b *batch) {
	q.mu.Lock()
	defer q.mu.Unlock()
	b.resync = append(b.resync[:0], q.resync...)
	clear(q.resync)
	q.resync = q.resync[:0]
	clear(q.owed)
	b.control = append(b.control[:0], q.control...)
	clear(q.control)
	q.control = q.control[:0]
	b.states = append(b.states[:0], q.states...)
	clear(q.states)
	q.states = q.states[:0]
	clear(q.stateOf)
	b.events = b.events[:0]
	for _, p := range q.order {
		if !p.dead {
			b.events = append(b.events, p)
		}
	}
	clear(q.order)
	q.order = q.order[:0]
	clear(q.live)
}

// size is the number of messages waiting.
func (q *sendQueue) size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.live) + len(q.resync) + len(q.control) + len(q.states)
}
