package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/kube"
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

// execSessions counts the sessions open, per user, and ends them all on
// shutdown. Safe for concurrent use.
type execSessions struct {
	max int

	mu      sync.Mutex
	perUser map[string]int
	closed  bool

	stopping chan struct{} // closed on shutdown: every session ends
	live     sync.WaitGroup
}

func newExecSessions(max int) *execSessions {
	return &execSessions{max: max, perUser: map[string]int{}, stopping: make(chan struct{})}
}

// reserve takes one of user's sessions, or says why not (429 over the
// limit, 503 when shutting down). release gives it back.
func (e *execSessions) reserve(user string) (release func(), err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, &apiError{code: shared.CodeUnavailable, message: "The server is shutting down; open the shell again in a moment."}
	}
	if e.perUser[user] >= e.max {
		return nil, &apiError{code: shared.CodeRateLimited,
			message: fmt.Sprintf("You have %d shells open, as many as you may; close one first.", e.max),
			details: map[string]any{"limit": e.max}}
	}
	e.perUser[user]++
	e.live.Add(1)
	var once sync.Once
	return func() { once.Do(func() { e.done(user) }) }, nil
}

func (e *execSessions) done(user string) {
	defer e.live.Done()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.perUser[user]--; e.perUser[user] <= 0 {
		delete(e.perUser, user)
	}
}

// open is how many sessions user holds.
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
