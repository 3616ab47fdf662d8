package cache

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultMemoryEntries bounds the in-process cache.
const DefaultMemoryEntries = 10000

// memory is the in-process Cache: a map with a TTL per entry and a bound
// on the number of entries. When full, it drops expired entries, then
// arbitrary ones (Go's map order), which suits short-lived decisions.
type memory struct {
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]memoryEntry
}

type memoryEntry struct {
	val     []byte
	expires time.Time
}

var _ Cache = (*memory)(nil)

// NewMemory is an in-process Cache holding at most maxEntries values
// (zero or less: DefaultMemoryEntries).
func NewMemory(maxEntries int) Cache {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryEntries
	}
	return &memory{max: maxEntries, now: time.Now, entries: map[string]memoryEntry{}}
}

func (c *memory) Get(_ context.Context, key string) ([]byte, bool, error) {
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

func (c *memory) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
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

func (c *memory) Delete(_ context.Context, keys ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.entries, k)
	}
	return nil
}

// evict makes room for one entry: every expired entry goes, and if none had
// expired, about a tenth of the entries.
func (c *memory) evict(now time.Time) {
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
