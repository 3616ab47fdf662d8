package operations

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kubedeck/kubedeck/shared"
)

// The writer of the operations this replica runs: each state numbered,
// queued (the latest per operation), written and published, leases
// renewed, and everything written again when Redis has lost it.

// numbered is a state of an operation with its number: a later state has
// a higher one.
type numbered struct {
	op  shared.Operation
	seq int64
}

// queue puts states on the writer's queue: over what is queued when
// newest, else (states that failed to be written) only where nothing
// newer came meanwhile.
func (r *Redis) queue(states map[string]numbered, newest bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, st := range states {
		if _, newer := r.pending[id]; newest || !newer {
			r.pending[id] = st
		}
		if newest {
			r.seqs[id] = st.seq
		}
	}
}

// latestSeq is the number of local operation id's latest state.
func (r *Redis) latestSeq(id string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seqs[id]
}

// forgetSeqs drops the numbers of operations the local registry no longer
// holds.
func (r *Redis) forgetSeqs(held map[string]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.seqs {
		if !held[id] {
			delete(r.seqs, id)
		}
	}
}

// tick is the next sequence number of a record.
func (r *Redis) tick() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clock = max(r.clock+1, time.Now().UnixNano())
	return r.clock
}

// changed is the local registry's OnChange: the state is queued for the
// writer, the latest per operation.
func (r *Redis) changed(op shared.Operation) {
	r.queue(map[string]numbered{op.ID: {op: op, seq: r.tick()}}, true)
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// write is the writer: it writes queued states as they come, renews the
// leases of running operations, and rewrites every operation this replica
// holds when Redis has lost them.
func (r *Redis) write(ctx context.Context) {
	defer r.done.Done()
	tick := time.NewTicker(r.epochEvery())
	defer tick.Stop()
	lastRenew := time.Time{}
	for {
		select {
		case <-ctx.Done():
			r.flush(context.WithoutCancel(ctx), r.takePending())
			return
		case <-r.kick:
			r.flush(ctx, r.takePending())
		case <-tick.C:
			states := r.takePending()
			lost := r.lost(ctx)
			if lost || time.Since(lastRenew) >= r.lease/3 {
				lastRenew = time.Now()
				snapshot := r.local.Snapshot()
				held := make(map[string]bool, len(snapshot))
				for _, op := range snapshot {
					held[op.ID] = true
				}
				r.forgetSeqs(held)
				for _, op := range snapshot {
					if _, queued := states[op.ID]; !queued && (lost || !op.Done()) {
						states[op.ID] = numbered{op: op, seq: r.latestSeq(op.ID)}
					}
				}
			}
			r.flush(ctx, states)
		}
	}
}

// takePending empties the queue.
func (r *Redis) takePending() map[string]numbered {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pending
	r.pending = map[string]numbered{}
	return out
}

// lost says whether Redis has lost this replica's writes (its epoch key is
// gone: Redis restarted without persistence, or the key was evicted), and
// sets the key again. A failure to ask is not a loss.
func (r *Redis) lost(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	set, err := r.client.SetNX(ctx, r.prefix+"epoch:"+r.replica, "1", 0).Result()
	return err == nil && set
}

// flush writes states to Redis and publishes them; what fails goes back to
// the queue, unless a newer state of it came meanwhile.
func (r *Redis) flush(ctx context.Context, states map[string]numbered) {
	if len(states) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*redisTimeout)
	defer cancel()
	now := r.now()
	pipe := r.client.Pipeline()
	for _, st := range states {
		op := st.op
		rec := record{Seq: st.seq, LeaseUntil: now.Add(r.lease).UnixMilli(), Op: op}
		val, err := r.seal(rec)
		if err != nil {
			r.log.Error("operations: encode a record", "id", op.ID, "err", err)
			continue
		}
		ttl := r.ttl + r.lease
		if op.Done() {
			ttl = r.ttl
			pipe.ZRem(ctx, r.liveKey(op.Owner), op.ID)
			releaseScript.Eval(ctx, pipe, []string{r.claimKey(op.Target)}, op.ID)
		} else {
			renewScript.Eval(ctx, pipe, []string{r.claimKey(op.Target)}, op.ID, (2 * r.lease).Milliseconds())
			pipe.ZAdd(ctx, r.liveKey(op.Owner), redis.Z{Score: float64(rec.LeaseUntil), Member: op.ID})
			pipe.PExpire(ctx, r.liveKey(op.Owner), 2*r.lease)
		}
		pipe.Set(ctx, r.opKey(op.ID), val, ttl)
		pipe.Publish(ctx, r.channel(), val)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		r.log.Warn("operations: redis write failed; will retry", "err", err, "states", len(states))
		r.queue(states, false)
	}
}

// epochEvery is how often the writer checks whether Redis lost its
// records.
func (r *Redis) epochEvery() time.Duration { return r.lease / 60 }
