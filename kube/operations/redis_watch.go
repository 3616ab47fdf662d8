package operations

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kubedeck/kubedeck/shared"
)

// Following an operation another replica runs: a watcher per Watch, fed
// by the channel this replica subscribes to, re-read when the subscription
// comes back and while Redis has just restarted.

// Watch implements Registry: this replica's operation from memory, another
// replica's from the channel.
func (r *Redis) Watch(ctx context.Context, id, owner string) (shared.Operation, <-chan shared.Operation, error) {
	if op, ch, err := r.local.Watch(ctx, id, owner); err == nil {
		return op, ch, nil
	}
	// Listen before reading, so that no state falls between the two.
	w := &remoteWatcher{owner: owner, ch: make(chan shared.Operation, 1)}
	r.addWatcher(id, w)
	rec, err := r.readAfterRestart(ctx, id)
	if err == nil && rec.Op.Owner != owner {
		err = ErrNotFound
	}
	if err != nil {
		r.unwatch(id, w)
		return shared.Operation{}, nil, err
	}
	op := r.present(rec)
	if r.seen(w, rec.Seq) || op.Done() || ctx.Err() != nil {
		r.unwatch(id, w)
		return op, w.ch, nil
	}
	context.AfterFunc(ctx, func() { r.unwatch(id, w) })
	return op, w.ch, nil
}

// addWatcher registers w as a watcher of operation id.
func (r *Redis) addWatcher(id string, w *remoteWatcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.watchers[id] == nil {
		r.watchers[id] = map[*remoteWatcher]struct{}{}
	}
	r.watchers[id][w] = struct{}{}
}

// seen records that w's Watch answers with the state numbered seq, and says
// whether its watch has ended meanwhile. A state sent on the channel that
// is not newer (a message that raced the read) is taken back: the channel
// carries only later states.
func (r *Redis) seen(w *remoteWatcher, seq int64) (closed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !w.closed && w.seq <= seq {
		select {
		case <-w.ch:
		default:
		}
	}
	w.seq = max(w.seq, seq)
	return w.closed
}

// watched lists the operations watched from this replica.
func (r *Redis) watched() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.watchers))
	for id := range r.watchers {
		ids = append(ids, id)
	}
	return ids
}

// remoteWatcher is a Watch of another replica's operation. Its fields are
// guarded by the registry's lock.
type remoteWatcher struct {
	owner  string
	ch     chan shared.Operation
	seq    int64 // the last state sent
	closed bool
}

// unwatch ends w's watch of id and closes its channel.
func (r *Redis) unwatch(id string, w *remoteWatcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ws := r.watchers[id]; ws != nil {
		delete(ws, w)
		if len(ws) == 0 {
			delete(r.watchers, id)
		}
	}
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
}

// deliver sends a record to the watchers of its operation that have not
// seen it or a later one; the final state closes their channels.
func (r *Redis) deliver(rec record) {
	op := r.present(rec)
	r.mu.Lock()
	defer r.mu.Unlock()
	for w := range r.watchers[op.ID] {
		if w.closed || w.owner != op.Owner || rec.Seq <= w.seq {
			continue
		}
		w.seq = rec.Seq
		sendLatest(w.ch, op)
		if op.Done() {
			w.closed = true
			close(w.ch)
			delete(r.watchers[op.ID], w)
		}
	}
	if len(r.watchers[op.ID]) == 0 {
		delete(r.watchers, op.ID)
	}
}

// sendLatest puts op on ch (capacity 1), replacing a state not yet read.
func sendLatest(ch chan shared.Operation, op shared.Operation) {
	for {
		select {
		case ch <- op:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// subscribe listens to the channel until ctx ends, delivering each record;
// each (re)subscription re-reads every watched operation, because messages
// published while the connection was down are lost.
func (r *Redis) subscribe(ctx context.Context) {
	defer r.done.Done()
	ps := r.client.Subscribe(ctx, r.channel())
	defer func() { _ = ps.Close() }()
	msgs := ps.ChannelWithSubscriptions(redis.WithChannelSize(256))
	poll := time.NewTicker(r.lease / 3)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			switch m := m.(type) {
			case *redis.Subscription:
				r.reread(ctx)
			case *redis.Message:
				if rec, err := r.open([]byte(m.Payload)); err == nil {
					r.deliver(rec)
				}
			}
		case <-poll.C:
			// A replica that died publishes nothing more: reading again
			// shows its lease running out.
			r.reread(ctx)
		}
	}
}

// reread reads the record of every watched operation and delivers it.
func (r *Redis) reread(ctx context.Context) {
	for _, id := range r.watched() {
		if rec, err := r.read(ctx, id); err == nil {
			// A re-read may bring the state already sent; present it anew
			// when its lease has since run out.
			rec.Seq = max(rec.Seq, r.seqOf(id, rec))
			r.deliver(rec)
		}
	}
}

// seqOf makes a re-read record of a running operation whose lease ran out
// newer than what the watchers have, so that they get the failure.
func (r *Redis) seqOf(id string, rec record) int64 {
	if rec.Op.Done() || r.now().UnixMilli() <= rec.LeaseUntil {
		return rec.Seq
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var top int64
	for w := range r.watchers[id] {
		top = max(top, w.seq)
	}
	return top + 1
}

// restartGrace is how long after Redis started an operation not found may
// still be on its way back: its replica writes it again within an epoch
// check (write).
const restartGrace = 5 * time.Second

// readAfterRestart is read, but for an operation not found while Redis has
// just started (without persistence, it came back empty): it reads again
// until the running replica has written its records back (within an epoch
// check; it waits a second at most), so a user following an operation
// across a Redis restart does not lose it.
func (r *Redis) readAfterRestart(ctx context.Context, id string) (record, error) {
	rec, err := r.read(ctx, id)
	if !errors.Is(err, ErrNotFound) || !r.justStarted(ctx) {
		return rec, err
	}
	deadline := time.NewTimer(max(2*r.epochEvery(), time.Second))
	defer deadline.Stop()
	retry := time.NewTicker(r.epochEvery() / 4)
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return rec, err
		case <-deadline.C:
			return rec, err
		case <-retry.C:
			if rec, err = r.read(ctx, id); !errors.Is(err, ErrNotFound) {
				return rec, err
			}
		}
	}
}

// justStarted says whether Redis has been up for less than restartGrace.
func (r *Redis) justStarted(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	info, err := r.client.Info(ctx, "server").Result()
	if err != nil {
		return false
	}
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "uptime_in_seconds:"); ok {
			n, err := strconv.Atoi(v)
			return err == nil && time.Duration(n)*time.Second < restartGrace
		}
	}
	return false
}
