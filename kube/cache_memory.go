package kube

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultMemoryCacheEntries bounds the in-process cache.
const DefaultMemoryCacheEntries = 10000

// memoryCache is the in-process Cache: a map with a TTL per entry and a bound
// on the number of entries. When full, it drops expired entries, then
// arbitrary ones (Go's map order), which suits short-lived decisions.
type memoryCache struct {
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]memoryEntry
}

type memoryEntry struct {
	val     []byte
	expires time.Time
}

var _ Cache = (*memoryCache)(nil)

// NewMemoryCache is an in-process Cache holding at most maxEntries values
// (zero or less: DefaultMemoryCacheEntries).
func NewMemoryCache(maxEntries int) Cache {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryCacheEntries
	}
	return &memoryCache{max: maxEntries, now: time.Now, entries: map[string]memoryEntry{}}
}

func (c *memoryCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false, nil
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, key)
		return nil, false, nil
	}
	return slices.Clone(e.val), true, nil
}

func (c *memoryCache) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[key] = memoryEntry{val: slices.Clone(val), expires: now.Add(ttl)}
	return nil
}

func (c *memoryCache) Delete(_ context.Context, keys ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.entries, k)
	}
	return nil
}

// evict makes room for one entry: every expired entry goes, and if none had
// expired, about a tenth of the entries.
func (c *memoryCache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) < c.max-c.max/10 {
			break
		}
		delete(c.entries, k)
	}
}
