package kube

import (
	"context"
	"sync"
)

// The bounds on access reviews in flight: per user, so one user's burst
// waits behind itself, and in all, so together users cannot flood the API
// server.
const (
	reviewsPerUser  = 4
	reviewsInFlight = 32
)

// reviewGate bounds the access reviews in flight, per user and in all. A
// review first waits for one of its user's slots, then for a global one, so
// a user queueing many reviews holds no more than reviewsPerUser global
// slots. It is safe for concurrent use.
type reviewGate struct {
	perUser int
	all     chan struct{}

	mu    sync.Mutex
	users map[string]*userSlots
}

// userSlots are one user's slots and how many callers hold or wait for
// them (the entry goes when none do).
type userSlots struct {
	sem  chan struct{}
	refs int
}

func newReviewGate(perUser, total int) *reviewGate {
	return &reviewGate{perUser: perUser, all: make(chan struct{}, total), users: map[string]*userSlots{}}
}

// acquire waits for a slot for user, or for ctx to end. The caller must
// call release once its review is done.
func (g *reviewGate) acquire(ctx context.Context, user string) (release func(), err error) {
	us := g.ref(user)
	select {
	case us.sem <- struct{}{}:
	case <-ctx.Done():
		g.unref(user, us)
		return nil, ctx.Err()
	}
	select {
	case g.all <- struct{}{}:
	case <-ctx.Done():
		<-us.sem
		g.unref(user, us)
		return nil, ctx.Err()
	}
	return func() {
		<-g.all
		<-us.sem
		g.unref(user, us)
	}, nil
}

func (g *reviewGate) ref(user string) *userSlots {
	g.mu.Lock()
	defer g.mu.Unlock()
	us := g.users[user]
	if us == nil {
		us = &userSlots{sem: make(chan struct{}, g.perUser)}
		g.users[user] = us
	}
	us.refs++
	return us
}

func (g *reviewGate) unref(user string, us *userSlots) {
	g.mu.Lock()
	defer g.mu.Unlock()
	us.refs--
	if us.refs == 0 {
		delete(g.users, user)
	}
}
