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
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kubedeck/kubedeck/kube/cache"
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
	ro, err := cache.ClientOptions(opts.URL, opts.Password, redisTimeout)
	if err != nil {
		return nil, err
	}
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
	claimed, err := r.client.SetNX(cctx, r.claimKey(target), id, 2*r.lease).Result()
	switch {
	case err != nil:
		r.log.Warn("operations: redis unavailable; claiming the target on this replica only", "err", err)
	case !claimed:
		_ = r.client.ZRem(context.WithoutCancel(cctx), r.liveKey(owner), id).Err()
		return shared.Operation{}, nil, &BusyError{Target: target}
	}
	op, h, err := r.local.start(id, owner, kind, target)
	if err != nil {
		rctx := context.WithoutCancel(cctx)
		_ = r.client.ZRem(rctx, r.liveKey(owner), id).Err()
		if claimed {
			_ = releaseScript.Run(rctx, r.client, []string{r.claimKey(target)}, id).Err()
		}
	}
	return op, h, err
}

// Busy implements Registry: held here, or by another replica's running
// operation (when Redis answers).
func (r *Redis) Busy(ctx context.Context, target shared.OperationTarget) bool {
	if r.local.Busy(ctx, target) {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	n, err := r.client.Exists(ctx, r.claimKey(target)).Result()
	return err == nil && n > 0
}

// renewScript keeps operation ARGV[1]'s claim KEYS[1] for ARGV[2] ms more,
// taking it again when Redis lost it and nobody else holds it.
var renewScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`)

// releaseScript ends operation ARGV[1]'s claim KEYS[1], if it still holds it.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`)

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

// claimKey is the key a running operation on target holds; hashed, as
// names may hold anything.
func (r *Redis) claimKey(t shared.OperationTarget) string {
	sum := sha256.Sum256([]byte(t.Kind + "\x00" + t.Namespace + "\x00" + t.Name))
	return r.prefix + "claim:" + hex.EncodeToString(sum[:16])
}
func (r *Redis) channel() string { return r.prefix + "updates" }

// liveKey is the set of owner's running operations; the name is hashed so
// that any user name makes a plain key.
func (r *Redis) liveKey(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	return r.prefix + "live:" + hex.EncodeToString(sum[:16])
}
