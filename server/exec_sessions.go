package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/slots"
	"github.com/kubedeck/kubedeck/shared"
)

// ExecConfig bounds shells in containers (zero fields: defaults).
type ExecConfig struct {
	// IdleTimeout ends a session with nothing typed or printed for this
	// long (default 15 min); MaxLifetime ends any session (default 4 h).
	IdleTimeout time.Duration
	MaxLifetime time.Duration
	// MaxPerUser is how many sessions one user may hold at once (default 5).
	MaxPerUser int
	// ReauthInterval is how often a session's right to create pods/exec is
	// reviewed again (default kube.DefaultAccessTTL); a session whose right
	// was taken away ends.
	ReauthInterval time.Duration
}

func (c ExecConfig) withDefaults() ExecConfig {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 15 * time.Minute
	}
	if c.MaxLifetime <= 0 {
		c.MaxLifetime = 4 * time.Hour
	}
	if c.MaxPerUser <= 0 {
		c.MaxPerUser = 5
	}
	if c.ReauthInterval <= 0 {
		c.ReauthInterval = kube.DefaultAccessTTL
	}
	return c
}

// execSessions bounds each user's sessions over every replica (slots),
// counts those of this replica, and ends them all on shutdown. Safe for
// concurrent use.
type execSessions struct {
	max   int
	slots slots.Slots

	mu      sync.Mutex
	perUser map[string]int
	closed  bool

	stopping chan struct{} // closed on shutdown: every session ends
	live     sync.WaitGroup
}

func newExecSessions(s slots.Slots, max int) *execSessions {
	return &execSessions{max: max, slots: s, perUser: map[string]int{}, stopping: make(chan struct{})}
}

// execSlot is the slots' key of a user's shells.
func execSlot(user string) string { return "exec:" + user }

// reserve takes one of user's sessions, or says why not (429 over the
// limit, on any replica; 503 when shutting down). release gives it back.
func (e *execSessions) reserve(ctx context.Context, user string) (release func(), err error) {
	if e.stopped() {
		return nil, errExecShutdown
	}
	give, ok := e.slots.Take(ctx, execSlot(user), e.max)
	if !ok {
		return nil, &apiError{code: shared.CodeRateLimited,
			message: fmt.Sprintf("You have %d shells open, as many as you may; close one first.", e.max),
			details: map[string]any{"limit": e.max}}
	}
	if !e.add(user) {
		give()
		return nil, errExecShutdown
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			defer give()
			e.done(user)
		})
	}, nil
}

var errExecShutdown = &apiError{code: shared.CodeUnavailable, message: "The server is shutting down; open the shell again in a moment."}

func (e *execSessions) stopped() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// add counts a session of user on this replica, unless it is shutting down.
func (e *execSessions) add(user string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.perUser[user]++
	e.live.Add(1)
	return true
}

func (e *execSessions) done(user string) {
	defer e.live.Done()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.perUser[user]--; e.perUser[user] <= 0 {
		delete(e.perUser, user)
	}
}

// open is how many sessions user holds on this replica.
func (e *execSessions) open(user string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.perUser[user]
}

// shutdown refuses new sessions and tells every open one to end.
func (e *execSessions) shutdown() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.stopping)
	}
}

// wait waits until every session has ended, or ctx has.
func (e *execSessions) wait(ctx context.Context) bool {
	done := make(chan struct{})
	go func() { e.live.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
