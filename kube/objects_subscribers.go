package kube

import (
	"sync"
	"sync/atomic"

	"github.com/kubedeck/kubedeck/shared"
)

// EventType says what happened to an object.
type EventType string

// The row events a subscriber receives.
const (
	Created EventType = "created"
	Updated EventType = "updated"
	Deleted EventType = "deleted"
)

// Event is one change of a cached object, as its new row (for Deleted, the
// last row the cache held).
type Event struct {
	Type EventType
	Kind string // the kind's name, as in Kind.Name ("pods")
	Row  shared.Row
}

// subscribers hold the callbacks of Objects.Subscribe. Publishing reads an
// immutable snapshot, so it takes no lock.
type subscribers struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(Event)
	snap atomic.Pointer[[]func(Event)]
}

func (s *subscribers) add(fn func(Event)) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fns == nil {
		s.fns = make(map[int]func(Event))
	}
	id := s.next
	s.next++
	s.fns[id] = fn
	s.refresh()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			delete(s.fns, id)
			s.refresh()
		})
	}
}

func (s *subscribers) refresh() {
	snap := make([]func(Event), 0, len(s.fns))
	for _, fn := range s.fns {
		snap = append(snap, fn)
	}
	s.snap.Store(&snap)
}

func (s *subscribers) publish(ev Event) {
	p := s.snap.Load()
	if p == nil {
		return
	}
	for _, fn := range *p {
		fn(ev)
	}
}
