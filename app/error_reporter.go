package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// errorReporter sends what the error boundaries catch to the server
// (POST /api/v1/client-errors). It keeps to a budget of reports per minute
// and drops a report identical to one sent within that minute, so a panic
// in a loop cannot flood the server; the server limits reports as well.
type errorReporter struct {
	client  *apiClient
	version string
	route   func() string
	now     func() time.Time
	perMin  int

	mu     sync.Mutex
	sent   []time.Time          // times of the reports of the last minute
	recent map[string]time.Time // component+message → when last sent
}

// newErrorReporter reports through client, at most perMin a minute.
func newErrorReporter(client *apiClient, version string, route func() string, perMin int) *errorReporter {
	return &errorReporter{client: client, version: version, route: route, now: time.Now,
		perMin: perMin, recent: map[string]time.Time{}}
}

// allow reports whether a report of this key fits the budget, and counts it.
func (r *errorReporter) allow(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	cut := now.Add(-time.Minute)
	kept := r.sent[:0]
	for _, t := range r.sent {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	r.sent = kept
	for k, t := range r.recent {
		if !t.After(cut) {
			delete(r.recent, k)
		}
	}
	if _, dup := r.recent[key]; dup || len(r.sent) >= r.perMin {
		return false
	}
	r.sent = append(r.sent, now)
	r.recent[key] = now
	return true
}

// report sends ce in the background when the budget allows. The boundary has
// already shown the failure, so a report that fails is only logged.
func (r *errorReporter) report(ce shared.ClientError) {
	if !r.allow(ce.Component + "\x00" + ce.Message) {
		return
	}
	ce.Version = r.version
	if r.route != nil {
		ce.Route = r.route()
	}
	ce.Message = clipText(ce.Message, 2000)
	ce.Stack = clipText(ce.Stack, 60<<10)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.client.post(ctx, "/client-errors", ce, nil, quiet()); err != nil {
			slog.Warn("error report not sent", "component", ce.Component, "err", err)
		}
	}()
}

// clipText shortens s to at most n bytes without splitting a character.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
