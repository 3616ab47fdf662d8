package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// LogConfig bounds the follows of logs. Zero fields take the defaults.
type LogConfig struct {
	// MaxStreamsPerUser bounds the follows one user holds on this replica
	// (default 8): each costs an open stream per pod on the API server and
	// the nodes.
	MaxStreamsPerUser int
	// Idle ends a follow that got no line for that long (default 15 min).
	Idle time.Duration
	// BufferLines and BufferBytes bound the lines waiting for one follow's
	// connection (defaults 2000 and 1 MiB); lines beyond are dropped and
	// counted in the next chunk's Dropped.
	BufferLines int
	BufferBytes int
}

func (c LogConfig) withDefaults() LogConfig {
	if c.MaxStreamsPerUser <= 0 {
		c.MaxStreamsPerUser = 8
	}
	if c.Idle <= 0 {
		c.Idle = 15 * time.Minute
	}
	if c.BufferLines <= 0 {
		c.BufferLines = 2000
	}
	if c.BufferBytes <= 0 {
		c.BufferBytes = 1 << 20
	}
	return c
}

// logSource follows logs: kube.Logs.
type logSource interface {
	Follow(ctx context.Context, u kube.User, q shared.LogQuery, sink kube.LogSink) (shared.LogEnd, error)
}

// logRetry is how soon a follow whose chunk still waits for the writer
// tries to send what it gathered since.
const logRetry = 50 * time.Millisecond

// logEndWait bounds how long a follow that ended waits for its last lines
// to be taken by the writer before it sends logs:end.
const logEndWait = 5 * time.Second

// followLogs serves a subscribe:logs: the logs' containers and last lines,
// then each new line, as logs:lines under the client's id, until the logs
// end, the right to read them goes, no line came for LogConfig.Idle, the
// client unsubscribes or the connection ends; then logs:end says why
// (nothing when the client unsubscribed or left).
func (c *wsConn) followLogs(ctx context.Context, m shared.WSMessage) {
	var q shared.LogQuery
	if len(m.Data) == 0 {
		c.sendError(m.ID, shared.CodeValidation, `A follow of logs needs data: {"kind":…,"namespace":…,"name":…}.`)
		return
	}
	if problem := decodeStrict(m.Data, &q); problem != "" {
		c.sendError(m.ID, shared.CodeValidation, problem)
		return
	}
	if errs := q.Check(); errs != nil {
		keys := make([]string, 0, len(errs))
		for k := range errs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		c.sendError(m.ID, shared.CodeValidation, errs[keys[0]])
		return
	}
	if !c.roomFor(m.ID) {
		return
	}
	h := c.hub
	if h.logs == nil {
		c.sendError(m.ID, shared.CodeUnavailable, "Logs cannot be followed on this server.")
		return
	}
	// The right first: a refusal must come before any line, not as the end
	// of a follow that started.
	actx, cancel := context.WithTimeout(ctx, authorizeTimeout)
	defer cancel()
	if err := h.mayReadLogs(actx, c.user, q.Namespace); err != nil {
		ae, fault := toAPIError(err)
		if fault {
			c.log.Error("authorize follow of logs", "user", c.user.Name, "namespace", q.Namespace, "err", err)
		}
		c.sendError(m.ID, ae.code, ae.message)
		return
	}
	release, ok := h.slots.Take(ctx, "logs:"+c.user.Name, h.logCfg.MaxStreamsPerUser)
	if !ok {
		c.sendError(m.ID, shared.CodeRateLimited, fmt.Sprintf(
			"You follow %d logs already, the most one person may; close one first.", h.logCfg.MaxStreamsPerUser))
		return
	}
	fctx, stop := context.WithCancel(ctx)
	sub := c.holdFollow(m.ID, stop)
	f := newLogFollow(c, sub, q)
	c.following.Go(func() {
		defer release()
		defer c.endFollow(sub)
		f.run(fctx, stop)
	})
}

// logFollow is one follow of logs: the sink kube writes lines into, a
// bounded buffer, and the loop that hands chunks to the connection's writer
// one at a time.
type logFollow struct {
	c     *wsConn
	sub   *subscription
	query shared.LogQuery
	cfg   LogConfig
	wake  chan struct{} // capacity 1

	mu      sync.Mutex
	lines   []shared.LogLine
	bytes   int
	dropped int
	meta    shared.LogChunk // containers, pods, failed: sent with the next chunk
	hasMeta bool
	last    time.Time // when a line last came
}

func newLogFollow(c *wsConn, sub *subscription, q shared.LogQuery) *logFollow {
	return &logFollow{c: c, sub: sub, query: q, cfg: c.hub.logCfg, wake: make(chan struct{}, 1), last: time.Now()}
}

// Chunk keeps news without lines for the next chunk.
func (f *logFollow) Chunk(ch shared.LogChunk) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ch.Containers != nil {
		f.meta.Containers = ch.Containers
	}
	if ch.Pods != nil {
		f.meta.Pods = ch.Pods
	}
	for pod, why := range ch.Failed {
		if f.meta.Failed == nil {
			f.meta.Failed = map[string]string{}
		}
		f.meta.Failed[pod] = why
	}
	f.hasMeta = true
	f.poke()
}

// Line buffers a line, or counts it dropped when the buffer is full.
func (f *logFollow) Line(l shared.LogLine) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = time.Now()
	size := len(l.Text) + len(l.Pod) + 48
	if len(f.lines) >= f.cfg.BufferLines || f.bytes+size > f.cfg.BufferBytes {
		f.dropped++
		return
	}
	f.lines = append(f.lines, l)
	f.bytes += size
	f.poke()
}

func (f *logFollow) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// take empties the buffer into a chunk; ok is false when there is nothing.
// An app's lines are put in time order within the chunk.
func (f *logFollow) take() (shared.LogChunk, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lines) == 0 && f.dropped == 0 && !f.hasMeta {
		return shared.LogChunk{}, false
	}
	ch := f.meta
	ch.Lines, ch.Dropped = f.lines, f.dropped
	if ch.Lines == nil {
		ch.Lines = []shared.LogLine{}
	}
	if f.query.Kind != "pods" {
		slices.SortStableFunc(ch.Lines, func(a, b shared.LogLine) int { return a.Time.Compare(b.Time) })
	}
	f.lines, f.bytes, f.dropped = nil, 0, 0
	f.meta, f.hasMeta = shared.LogChunk{}, false
	return ch, true
}

// idleFor is how long no line has come.
func (f *logFollow) idleFor() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return time.Since(f.last)
}

// run follows until the end, then sends what is left and why it ended.
func (f *logFollow) run(ctx context.Context, stop context.CancelFunc) {
	h := f.c.hub
	type result struct {
		end shared.LogEnd
		err error
	}
	done := make(chan result, 1)
	go func() {
		end, err := h.logs.Follow(ctx, f.c.user, f.query, f)
		done <- result{end, err}
	}()
	var why shared.LogEnd
	idle := time.NewTicker(min(f.cfg.Idle/4, time.Minute))
	defer idle.Stop()
	reauth := time.NewTicker(h.cfg.ReauthInterval)
	defer reauth.Stop()
	retry := time.NewTimer(logRetry)
	defer retry.Stop()
	for running := true; running; {
		select {
		case r := <-done:
			running = false
			if r.err != nil {
				f.refuse(r.err)
				return
			}
			if why.Reason == "" {
				why = r.end
			}
		case <-f.wake:
			f.flush(retry)
		case <-retry.C:
			f.flush(retry)
		case <-idle.C:
			if f.idleFor() >= f.cfg.Idle {
				why = shared.LogEnd{Reason: shared.LogEndIdle, Message: fmt.Sprintf(
					"No line came for %s; the follow ended to spare the cluster. Follow again to go on.", f.cfg.Idle)}
				stop()
			}
		case <-reauth.C:
			if end, ok := f.reauthorize(); !ok {
				why = end
				stop()
			}
		case <-h.stopping:
			why = shared.LogEnd{Reason: shared.LogEndShutdown, Message: "The server is shutting down; the follow goes on when the page reconnects."}
			stop()
		}
	}
	if why.Reason == "" {
		return // the client unsubscribed or left: it is told nothing
	}
	f.finish(why)
}

// flush hands the buffer to the writer unless the last chunk still waits
// there; then it tries again shortly, so a slow client gets fewer, bigger
// chunks and lines beyond the buffer are dropped, never piled up.
func (f *logFollow) flush(retry *time.Timer) {
	if f.c.q.hasState(f.sub) {
		retry.Reset(logRetry)
		return
	}
	ch, ok := f.take()
	if !ok {
		return
	}
	if b := encodeBody(ch); b != nil {
		f.c.pushOnSub(f.sub, shared.WSLogLines, b)
	}
}

// finish sends the last lines, then logs:end, each once the writer has taken
// what came before (bounded by logEndWait).
func (f *logFollow) finish(why shared.LogEnd) {
	deadline := time.Now().Add(logEndWait)
	waitTaken := func() bool {
		for f.c.q.hasState(f.sub) {
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(logRetry)
		}
		return true
	}
	if !waitTaken() {
		return
	}
	if ch, ok := f.take(); ok {
		if b := encodeBody(ch); b != nil {
			f.c.pushOnSub(f.sub, shared.WSLogLines, b)
		}
		if !waitTaken() {
			return
		}
	}
	if b := encodeBody(why); b != nil {
		f.c.pushOnSub(f.sub, shared.WSLogEnd, b)
	}
}

// reauthorize checks that the user may still read the logs.
func (f *logFollow) reauthorize() (shared.LogEnd, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), authorizeTimeout)
	defer cancel()
	err := f.c.hub.mayReadLogs(ctx, f.c.user, f.query.Namespace)
	if errors.Is(err, kube.ErrForbidden) {
		return shared.LogEnd{Reason: shared.LogEndForbidden, Message: "You may no longer read the logs of pods in namespace " +
			quoted(f.query.Namespace) + " (get pods/log); the follow has ended."}, false
	}
	return shared.LogEnd{}, true // other failures: decided next round
}

// refuse tells the client why the follow could not start.
func (f *logFollow) refuse(err error) {
	ae, fault := toAPIError(err)
	if fault {
		f.c.log.Error("follow logs", "user", f.c.user.Name, "kind", f.query.Kind, "namespace", f.query.Namespace, "name", f.query.Name, "err", err)
	}
	f.c.sendError(f.sub.id, ae.code, ae.message)
}

// pushOnSub queues a state of sub unless sub has ended.
func (c *wsConn) pushOnSub(sub *subscription, typ shared.WSType, b body) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs[sub.id] == sub {
		c.q.pushState(sub, typ, b)
	}
}
