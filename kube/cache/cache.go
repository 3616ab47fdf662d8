package cache

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Cache keeps small values that are expensive to compute and worth sharing
// (access decisions, namespace lists, later Helm data), in process or in
// Redis. A Cache is never the source of truth: a failed Get is a miss and a
// failed Set is lost, so callers treat errors as misses and go on.
type Cache interface {
	// Get returns the value under key; ok is false when there is none.
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	// Set stores val under key for ttl.
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Delete removes keys; missing keys are not an error.
	Delete(ctx context.Context, keys ...string) error
}

// ErrUnavailable is what a Cache returns while its backend is known to
// be down (the Redis circuit breaker is open).
var ErrUnavailable = errors.New("cache unavailable")

// Metrics counts cache requests by cache name and result.
type Metrics struct {
	requests *prometheus.CounterVec
}

// NewMetrics registers kubedeck_cache_requests_total in reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := newMetrics()
	if err := reg.Register(m.requests); err != nil {
		return nil, err
	}
	return m, nil
}

func newMetrics() *Metrics {
	return &Metrics{requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubedeck_cache_requests_total",
		Help: "Cache requests by cache and result: hit, miss, error (a failed read, served as a miss) or write_error.",
	}, []string{"cache", "result"})}
}

// Count is how many requests of cache ended with result, for tests and
// diagnostics.
func (m *Metrics) Count(cache, result string) float64 {
	c, err := m.requests.GetMetricWithLabelValues(cache, result)
	if err != nil {
		return 0
	}
	var d dto.Metric
	if err := c.Write(&d); err != nil {
		return 0
	}
	return d.GetCounter().GetValue()
}

// named is one user of a shared Cache: its keys get the name as a
// prefix, and its requests are counted under that name.
type named struct {
	c                           Cache
	prefix                      string
	hit, miss, failed, writeErr prometheus.Counter
}

var _ Cache = (*named)(nil)

// Named gives one user of c (for example "access") its own key space
// ("access:…") and its own counters in m (nil m counts nothing).
func Named(c Cache, name string, m *Metrics) Cache {
	n := &named{c: c, prefix: name + ":"}
	if m == nil {
		m = newMetrics()
	}
	n.hit = m.requests.WithLabelValues(name, "hit")
	n.miss = m.requests.WithLabelValues(name, "miss")
	n.failed = m.requests.WithLabelValues(name, "error")
	n.writeErr = m.requests.WithLabelValues(name, "write_error")
	return n
}

func (n *named) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, ok, err := n.c.Get(ctx, n.prefix+key)
	switch {
	case err != nil:
		n.failed.Inc()
	case ok:
		n.hit.Inc()
	default:
		n.miss.Inc()
	}
	return v, ok, err
}

func (n *named) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	err := n.c.Set(ctx, n.prefix+key, val, ttl)
	if err != nil {
		n.writeErr.Inc()
	}
	return err
}

func (n *named) Delete(ctx context.Context, keys ...string) error {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = n.prefix + k
	}
	err := n.c.Delete(ctx, full...)
	if err != nil {
		n.writeErr.Inc()
	}
	return err
}
