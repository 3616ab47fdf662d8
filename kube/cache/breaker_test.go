package cache

import (
	"errors"
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBreaker(3, 5*time.Second)
	b.now = func() time.Time { return now }
	fail := errors.New("down")
	type step struct {
		advance time.Duration
		err     error // the outcome, when allowed
		allowed bool
		open    bool // after the step
	}
	steps := []step{
		{err: fail, allowed: true},
		{err: nil, allowed: true},  // a success resets the count
		{err: fail, allowed: true}, // 1
		{err: fail, allowed: true}, // 2
		{err: fail, allowed: true, open: true},
		{allowed: false, open: true},                                 // cool-down
		{advance: 4 * time.Second, allowed: false, open: true},       // still cooling
		{advance: time.Second, err: fail, allowed: true, open: true}, // the probe fails
		{advance: time.Second, allowed: false, open: true},
		{advance: 5 * time.Second, err: nil, allowed: true, open: false}, // the probe succeeds
		{err: fail, allowed: true, open: false},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		allowed := b.allow()
		if allowed != s.allowed {
			t.Fatalf("step %d: allow() = %v, want %v", i, allowed, s.allowed)
		}
		if allowed {
			b.done(s.err)
		}
		if b.open() != s.open {
			t.Fatalf("step %d: open() = %v, want %v", i, b.open(), s.open)
		}
	}
	// While a probe is out, nobody else goes through.
	b2 := newBreaker(1, time.Second)
	b2.now = func() time.Time { return now }
	b2.allow()
	b2.done(fail)
	now = now.Add(2 * time.Second)
	if !b2.allow() || b2.allow() {
		t.Error("after the cool-down exactly one probe should be allowed")
	}
}
