package cache

import (
	"sync"
	"time"
)

// breaker is a circuit breaker: after threshold consecutive failures it
// opens, and calls are refused without trying for the cool-down; then one
// call at a time is let through as a probe, and its success closes the
// breaker while its failure opens it again.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time // zero when closed
	probing   bool
}

func newBreaker(threshold int, cooldown time.Duration) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, now: time.Now}
}

// allow says whether a call may go ahead; a caller that is allowed must
// report the outcome with done.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.openUntil.IsZero():
		return true
	case b.probing || b.now().Before(b.openUntil):
		return false
	}
	b.probing = true
	return true
}

// done records the outcome of an allowed call and says whether it opened
// or closed the breaker.
func (b *breaker) done(err error) (opened, closed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	wasOpen := !b.openUntil.IsZero()
	if err == nil {
		b.failures, b.openUntil, b.probing = 0, time.Time{}, false
		return false, wasOpen
	}
	b.failures++
	if b.probing || b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.cooldown)
		b.probing = false
	}
	return !wasOpen && !b.openUntil.IsZero(), false
}

// open says whether calls are being refused.
func (b *breaker) open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.openUntil.IsZero()
}
