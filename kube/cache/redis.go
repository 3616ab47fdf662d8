package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// RedisOptions configure the Redis cache.
type RedisOptions struct {
	// URL is a redis:// or rediss:// (TLS) URL (user, password, db and
	// query options as go-redis reads them).
	URL string
	// Password, when set, wins over the URL's (it comes from a file, so it
	// need not sit in the URL or the environment).
	Password string
	// Timeout bounds each Redis call, dial included (default 50 ms): a slow
	// Redis is a miss, not a slow request.
	Timeout time.Duration
	// FailureThreshold is how many consecutive failures open the breaker
	// (default 5); Cooldown is how long it stays open before a probe
	// (default 5 s).
	FailureThreshold int
	Cooldown         time.Duration
	// Prefix goes before every key (default "kubedeck:"), so replicas share
	// keys and nothing else in the database collides with them.
	Prefix string
	// Log receives state changes of the breaker (nil: discard).
	Log *slog.Logger
}

// Redis is the Cache replicas share. A call never retries and never
// waits longer than the timeout; after repeated failures a circuit breaker
// skips Redis altogether for a cool-down (calls return ErrUnavailable
// at once), so a dead Redis costs nothing per request.
type Redis struct {
	client  *redis.Client
	timeout time.Duration
	prefix  string
	breaker *breaker
	log     *slog.Logger
}

var _ Cache = (*Redis)(nil)

// NewRedis builds a Redis; it does not connect until first used.
func NewRedis(opts RedisOptions) (*Redis, error) {
	ro, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("--redis-url: %w", err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 50 * time.Millisecond
	}
	if opts.FailureThreshold <= 0 {
		opts.FailureThreshold = 5
	}
	if opts.Cooldown <= 0 {
		opts.Cooldown = 5 * time.Second
	}
	if opts.Prefix == "" {
		opts.Prefix = "kubedeck:"
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Password != "" {
		ro.Password = opts.Password
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = opts.Timeout, opts.Timeout, opts.Timeout
	ro.PoolTimeout = opts.Timeout
	ro.ContextTimeoutEnabled = true
	ro.MaxRetries = -1   // a miss is cheaper than a retry
	ro.DialerRetries = 1 // one dial attempt per call, no backoff sleeps
	ro.Protocol = 2      // plain RESP2: no HELLO round trip, no push notifications
	ro.DisableIdentity = true
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return &Redis{
		client:  redis.NewClient(ro),
		timeout: opts.Timeout,
		prefix:  opts.Prefix,
		breaker: newBreaker(opts.FailureThreshold, opts.Cooldown),
		log:     opts.Log,
	}, nil
}

// do runs one call through the breaker with the timeout. redis.Nil (no such
// key) is an answer, not a failure.
func (c *Redis) do(ctx context.Context, call func(context.Context) error) error {
	if !c.breaker.allow() {
		return ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	err := call(ctx)
	failed := err
	if errors.Is(err, redis.Nil) {
		failed = nil
	}
	switch opened, closed := c.breaker.done(failed); {
	case opened:
		c.log.Warn("redis unavailable; skipping it for a while", "err", failed)
	case closed:
		c.log.Info("redis is back")
	}
	return err
}

// Get reads key. Any failure is returned as an error the caller treats as
// a miss.
func (c *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var val []byte
	err := c.do(ctx, func(ctx context.Context) error {
		var err error
		val, err = c.client.Get(ctx, c.prefix+key).Bytes()
		return err
	})
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return val, true, nil
}

// Set writes key with its TTL.
func (c *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return c.do(ctx, func(ctx context.Context) error {
		return c.client.Set(ctx, c.prefix+key, val, ttl).Err()
	})
}

// Delete removes keys.
func (c *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = c.prefix + k
	}
	return c.do(ctx, func(ctx context.Context) error { return c.client.Del(ctx, full...).Err() })
}

// Check is the readiness check (a Degraded one: without Redis the server
// still answers, from the API server and its own memory). It fails while
// the breaker is open, and otherwise pings Redis, which also serves as the
// breaker's probe once the cool-down has passed.
func (c *Redis) Check(ctx context.Context) error {
	err := c.do(ctx, func(ctx context.Context) error { return c.client.Ping(ctx).Err() })
	if errors.Is(err, ErrUnavailable) {
		return errors.New("redis is unavailable; serving without it")
	}
	if err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// Close closes the connections.
func (c *Redis) Close() error { return c.client.Close() }

// ClientOptions parses a --redis-url for a client that fails fast: each
// call bounded by timeout, no retries, plain RESP2, no client identity and
// no maintenance notifications. password, when set, wins over the URL's.
// The shared stores other than the cache (operations, slots) start here.
func ClientOptions(url, password string, timeout time.Duration) (*redis.Options, error) {
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("--redis-url: %w", err)
	}
	if password != "" {
		ro.Password = password
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout, ro.PoolTimeout = timeout, timeout, timeout, timeout
	ro.ContextTimeoutEnabled = true
	ro.MaxRetries = -1
	ro.Protocol = 2
	ro.DisableIdentity = true
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return ro, nil
}
