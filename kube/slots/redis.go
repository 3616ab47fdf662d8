package slots

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kubedeck/kubedeck/kube/cache"
)

// The defaults of RedisOptions.
const (
	DefaultLease  = 15 * time.Second
	defaultPrefix = "kubedeck:slots:"
	redisTimeout  = 500 * time.Millisecond
)

// RedisOptions configure slots shared through Redis.
type RedisOptions struct {
	// URL is a redis:// or rediss:// URL; Password, when set, wins over
	// the URL's.
	URL      string
	Password string
	// Prefix goes before every key (default "kubedeck:slots:").
	Prefix string
	// Lease is how long a place stays counted without its replica renewing
	// it (default 15 s; renewed every third of it).
	Lease time.Duration
	// Log hears when Redis goes and comes back (nil: discard).
	Log *slog.Logger
}

// Redis is slots shared by replicas through Redis.
type Redis struct {
	client *redis.Client
	prefix string
	lease  time.Duration
	log    *slog.Logger
	// local counts the places taken while Redis could not be reached.
	local *Memory
	// down is set while Redis is unreachable, so that the log says so once.
	down atomic.Bool

	mu   sync.Mutex
	held map[string]string // place id → its Redis key

	stop     chan struct{}
	stopOnce sync.Once
	done     sync.WaitGroup
}

var _ Slots = (*Redis)(nil)

// NewRedis connects slots to Redis and starts renewing the places this
// process holds; Close stops it.
func NewRedis(opts RedisOptions) (*Redis, error) {
	ro, err := cache.ClientOptions(opts.URL, opts.Password, redisTimeout)
	if err != nil {
		return nil, err
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
	r := &Redis{client: redis.NewClient(ro), prefix: opts.Prefix, lease: opts.Lease, log: opts.Log,
		local: NewMemory(), held: map[string]string{}, stop: make(chan struct{})}
	r.done.Go(r.renewLoop)
	return r, nil
}

// takeScript takes a place: it drops the places whose lease ran out (by
// Redis's clock, so that replicas' clocks do not matter), and adds place
// ARGV[2] with a lease of ARGV[3] ms when fewer than ARGV[1] are held.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[3]))
return 1
`)

// renewScript renews place ARGV[1]'s lease to ARGV[2] ms, writing the
// place again when Redis lost it: the place is held, whatever Redis says.
var renewScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
return 1
`)

// Take takes one of key's places over every replica; see Slots. While
// Redis cannot be reached the place is counted in this process only.
func (r *Redis) Take(ctx context.Context, key string, limit int) (func(), bool) {
	if limit <= 0 {
		return nil, false
	}
	rkey := r.redisKey(key)
	id := rand.Text()
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	took, err := takeScript.Run(ctx, r.client, []string{rkey}, limit, id, r.lease.Milliseconds()).Int()
	if err != nil {
		r.failed(err)
		return r.local.Take(ctx, key, limit)
	}
	r.back()
	if took == 0 {
		return nil, false
	}
	r.hold(id, rkey)
	var once sync.Once
	return func() { once.Do(func() { r.give(id, rkey) }) }, true
}

func (r *Redis) hold(id, rkey string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held[id] = rkey
}

// give stops renewing place id and removes it from Redis; if Redis cannot
// be reached its lease runs out instead.
func (r *Redis) give(id, rkey string) {
	func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.held, id)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	if err := r.client.ZRem(ctx, rkey, id).Err(); err != nil {
		r.failed(err)
	}
}

// renewLoop renews the places held every third of a lease.
func (r *Redis) renewLoop() {
	tick := time.NewTicker(r.lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-tick.C:
			r.renew()
		}
	}
}

// renew renews every place held, in one round trip.
func (r *Redis) renew() {
	held := r.snapshot()
	if len(held) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for id, rkey := range held {
			// Eval, not Run: a pipeline cannot fall back from EVALSHA.
			renewScript.Eval(ctx, p, []string{rkey}, id, r.lease.Milliseconds())
		}
		return nil
	})
	if err != nil {
		r.failed(err)
		return
	}
	r.back()
}

func (r *Redis) snapshot() map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]string, len(r.held))
	for id, rkey := range r.held {
		out[id] = rkey
	}
	return out
}

// failed notes that Redis could not be reached, in the log once per outage.
func (r *Redis) failed(err error) {
	if !r.down.Swap(true) {
		r.log.Warn("slots: redis unavailable; limits per user hold per replica until it is back", "err", err)
	}
}

// back notes that Redis answered again.
func (r *Redis) back() {
	if r.down.Swap(false) {
		r.log.Info("slots: redis is back; limits per user hold over every replica again")
	}
}

// redisKey is key's sorted set: a hash, so that a user's name of any
// length or bytes makes a key of one size.
func (r *Redis) redisKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return r.prefix + hex.EncodeToString(sum[:16])
}

// Close stops renewing; the places still held run out with their leases.
func (r *Redis) Close() error {
	r.stopOnce.Do(func() { close(r.stop) })
	r.done.Wait()
	return r.client.Close()
}
