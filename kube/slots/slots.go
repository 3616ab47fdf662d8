// Package slots bounds how many of something one user holds at once —
// shells, follows of logs, live connections — across every replica of
// Kubedeck, not per process.
//
// In one process the count is a map. With Redis each key is a sorted set
// of the places held, each with a lease its replica renews; a replica that
// dies without giving its places back loses them when their leases run
// out. Redis is never the truth of what runs: a place Redis lost (it
// restarted without persistence) is written again at the next renewal, and
// while Redis cannot be reached the limit holds per replica, said once in
// the log. Nothing read from Redis grants anything: a count there can only
// refuse a new place.
package slots

import (
	"context"
	"sync"
)

// Slots hands out places under keys, at most limit per key.
type Slots interface {
	// Take takes one of the limit places under key. ok is false when all
	// are taken; otherwise release gives the place back (calling it again
	// does nothing).
	Take(ctx context.Context, key string, limit int) (release func(), ok bool)
}

// Memory counts places in this process. Safe for concurrent use.
type Memory struct {
	mu   sync.Mutex
	held map[string]int
}

var _ Slots = (*Memory)(nil)

// NewMemory returns empty in-process slots.
func NewMemory() *Memory { return &Memory{held: map[string]int{}} }

// Take takes one of key's places; see Slots.
func (m *Memory) Take(_ context.Context, key string, limit int) (func(), bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.held[key] >= limit {
		return nil, false
	}
	m.held[key]++
	var once sync.Once
	return func() { once.Do(func() { m.give(key) }) }, true
}

func (m *Memory) give(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.held[key]--; m.held[key] <= 0 {
		delete(m.held, key)
	}
}

// Held is how many places key holds.
func (m *Memory) Held(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.held[key]
}
