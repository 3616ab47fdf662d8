package operations

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/kubedeck/kubedeck/shared"
)

// Operations shared by the replicas of a Kubedeck through Redis. The replica
// that runs an operation holds it in a Memory registry, as a single replica
// does, and mirrors every state to Redis: a signed record under the
// operation's key, published on one channel. Any replica serves Get from the
// record and Watch from the channel, so a user who started an operation
// through one replica follows it from a WebSocket on another.
//
// Redis is a cache here, never the truth: the running replica rewrites
// every record it holds when Redis has lost them (restarted without
// persistence), a subscriber re-reads what it watches when its connection
// comes back (pub/sub drops messages meanwhile), and a running operation's
// record carries a lease its replica renews; when the lease runs out, the
// replica is gone and the operation is shown as failed, not as running for
// ever. A record is believed only with a valid signature under the key the
// replicas share, so whoever can write to Redis cannot forge or move an
// operation to another user.

// The defaults of RedisOptions.
const (
	DefaultLease  = 15 * time.Second
	defaultPrefix = "kubedeck:ops:"
	redisTimeout  = 500 * time.Millisecond
)

// ErrUnavailable: the shared store could not be read, so whether the
// operation exists is unknown (the server answers 503).
var ErrUnavailable = errors.New("operations store unavailable")

// RedisOptions configure a Redis registry.
type RedisOptions struct {
	// URL is a redis:// or rediss:// URL; Password, when set, wins over
	// the URL's.
	URL      string
	Password string
	// Key signs the records. Replicas must share it to read each other's
	// operations; nil is a random key, so that only this process reads
	// what it wrote.
	Key []byte
	// Prefix goes before every key and the channel (default
	// "kubedeck:ops:").
	Prefix string
	// Memory bounds the operations this replica runs; MaxPerUser also
	// bounds a user's running operations over all replicas.
	Memory MemoryOptions
	// Lease is how long a running operation's record stays believed
	// without its replica renewing it (default 15 s; renewed every third
	// of it).
	Lease time.Duration
	// Log receives Redis failures (nil: discard).
	Log *slog.Logger
}

// Redis is a Registry shared by replicas through Redis.
type Redis struct {
	local  *Memory
	client *redis.Client
	key    []byte
	prefix string
	lease  time.Duration
	max    int
	ttl    time.Duration
	log    *slog.Logger
	now    func() time.Time
	// replica names this process's epoch key.
	replica string

	mu      sync.Mutex
	clock   int64               // the last sequence number given
	pending map[string]numbered // states not yet written
	// seqs holds the number of each local operation's latest state, so
	// that writing it again (to renew its lease, or after Redis lost it)
	// is not a new state to watchers.
	seqs     map[string]int64
	watchers map[string]map[*remoteWatcher]struct{}
	kick     chan struct{}

	cancel context.CancelFunc
	done   sync.WaitGroup
}

var _ Registry = (*Redis)(nil)

// record is what Redis holds of one operation.
type record struct {
	Seq int64 `json:"seq"`
	// LeaseUntil is when a running operation's replica must have renewed
	// the record by (Unix milliseconds).
	LeaseUntil int64            `json:"leaseUntil"`
	Op         shared.Operation `json:"op"`
}

// NewRedis builds a Redis registry and starts its writer and subscriber;
// Close stops them.
func NewRedis(opts RedisOptions) (*Redis, error) {
	ro, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("--redis-url: %w", err)
	}
	if opts.Password != "" {
		ro.Password = opts.Password
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout, ro.PoolTimeout = redisTimeout, redisTimeout, redisTimeout, redisTimeout
	ro.ContextTimeoutEnabled = true
	ro.MaxRetries = -1
	ro.Protocol = 2
	ro.DisableIdentity = true
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	if len(opts.Key) == 0 {
		opts.Key = make([]byte, 32)
		_, _ = rand.Read(opts.Key)
	}
	if opts.Prefix == "" {
		opts.Prefix = defaultPrefix
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	r := &Redis{
		client: redis.NewClient(ro), key: opts.Key, prefix: opts.Prefix, lease: opts.Lease, log: opts.Log,
		replica: rand.Text(), pending: map[string]numbered{}, seqs: map[string]int64{},
		watchers: map[string]map[*remoteWatcher]struct{}{}, kick: make(chan struct{}, 1),
	}
	mo := opts.Memory
	mo.OnChange = r.changed
	r.local = NewMemory(mo)
	r.max, r.ttl, r.now = r.local.opts.MaxPerUser, r.local.opts.TTL, r.local.opts.Now
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.done.Add(2)
	go r.write(ctx)
	go r.subscribe(ctx)
	return r, nil
}

// Close stops the writer (after a last write of what is pending) and the
// subscriber, and closes the connections.
func (r *Redis) Close() error {
	r.cancel()
	r.done.Wait()
	return r.client.Close()
}

// Check reports whether Redis answers, for the readiness probe.
func (r *Redis) Check(ctx context.Context) error {
	return r.client.Ping(ctx).Err()
}

// liveScript counts a user's running operations over all replicas, leaving
// out those whose lease ran out, and adds one when under the bound:
// KEYS[1] the user's set, ARGV now, lease end, bound, id, key TTL (ms).
var liveScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`)

// Start implements Registry: the user's bound is checked over all replicas
// (when Redis answers; else over this one alone), then the operation runs
// here.
func (r *Redis) Start(ctx context.Context, owner string, kind shared.OperationKind, target shared.OperationTarget) (shared.Operation, *Handle, error) {
	if owner == "" {
		return shared.Operation{}, nil, errors.New("operations: an operation needs an owner")
	}
	id := rand.Text()
	now := r.now()
	cctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	ok, err := liveScript.Run(cctx, r.client, []string{r.liveKey(owner)},
		now.UnixMilli(), now.Add(r.lease).UnixMilli(), r.max, id, (2 * r.lease).Milliseconds()).Int()
	switch {
	case err != nil:
		r.log.Warn("operations: redis unavailable; bounding this user on this replica only", "err", err)
	case ok == 0:
		return shared.Operation{}, nil, ErrTooMany
	}
	op, h, err := r.local.start(id, owner, kind, target)
	if err != nil {
		_ = r.client.ZRem(context.WithoutCancel(cctx), r.liveKey(owner), id).Err()
	}
	return op, h, err
}

// Get implements Registry: this replica's operation, or the record.
func (r *Redis) Get(ctx context.Context, id, owner string) (shared.Operation, error) {
	if op, err := r.local.Get(ctx, id, owner); err == nil {
		return op, nil
	}
	rec, err := r.readAfterRestart(ctx, id)
	if err != nil {
		return shared.Operation{}, err
	}
	if rec.Op.Owner != owner {
		return shared.Operation{}, ErrNotFound
	}
	return r.present(rec), nil
}

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

// present is the state a record shows: a running operation whose replica
// stopped renewing it has failed, as far as anyone can tell.
func (r *Redis) present(rec record) shared.Operation {
	op := rec.Op.Clone()
	if op.Done() || r.now().UnixMilli() <= rec.LeaseUntil {
		return op
	}
	msg := "The server replica running this operation stopped before it finished; its outcome is unknown. Check the objects it concerns."
	op.Phase, op.Message = shared.OperationFailed, msg
	op.Error = &shared.Error{Code: shared.CodeUnavailable, Message: msg}
	finished := time.UnixMilli(rec.LeaseUntil)
	op.Finished = &finished
	finishSteps(&op, shared.OperationFailed)
	return op
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
		} else {
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

// epochEvery is how often the writer checks whether Redis lost its
// records.
func (r *Redis) epochEvery() time.Duration { return r.lease / 60 }

// read reads and opens the record of operation id.
func (r *Redis) read(ctx context.Context, id string) (record, error) {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	val, err := r.client.Get(ctx, r.opKey(id)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return record{}, ErrNotFound
	case err != nil:
		return record{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	rec, err := r.open(val)
	if err != nil || rec.Op.ID != id {
		r.log.Warn("operations: a record in redis does not verify; ignored", "id", id)
		return record{}, ErrNotFound
	}
	return rec, nil
}

// seal encodes a record with its signature in front.
func (r *Redis) seal(rec record) ([]byte, error) {
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	return append(r.sign(body), body...), nil
}

// open verifies and decodes a sealed record.
func (r *Redis) open(val []byte) (record, error) {
	var rec record
	if len(val) < sha256.Size || !hmac.Equal(val[:sha256.Size], r.sign(val[sha256.Size:])) {
		return rec, errors.New("bad signature")
	}
	err := json.Unmarshal(val[sha256.Size:], &rec)
	return rec, err
}

// sign is the HMAC-SHA256 of a record's body, under a purpose of its own
// so that no other signed value of Kubedeck's passes for a record.
func (r *Redis) sign(body []byte) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte("kubedeck operation record\x00"))
	m.Write(body)
	return m.Sum(nil)
}

func (r *Redis) opKey(id string) string { return r.prefix + "op:" + id }
func (r *Redis) channel() string        { return r.prefix + "updates" }

// liveKey is the set of owner's running operations; the name is hashed so
// that any user name makes a plain key.
func (r *Redis) liveKey(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return r.prefix + "live:" + hex.EncodeToString(sum[:16])
}
