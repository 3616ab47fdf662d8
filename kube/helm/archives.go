package helm

import (
	"container/list"
	"sync"
	"time"
)

// Chart archives kept after their digest check, so that what one install
// asks for (the chart's defaults, a preview, the values check, the
// install itself) downloads the chart once, not four times.
const (
	// archiveCacheBytes bounds the archives kept, together.
	archiveCacheBytes = 32 << 20
	// archiveTTL is how long an archive is kept after it was downloaded.
	archiveTTL = 10 * time.Minute
)

// archiveKey names an archive: a new digest in the index is a new key, so
// a chart republished under the same version is downloaded again.
type archiveKey struct {
	repo, chart, version, digest string
}

// archiveEntry is one archive kept.
type archiveEntry struct {
	key  archiveKey
	data []byte
	at   time.Time
}

// archiveCache keeps checked archives, the least recently used leaving
// first when their total size passes max. It is safe for concurrent use.
// The bytes kept are never handed out to be changed: each use loads a
// chart of its own from them.
type archiveCache struct {
	mu      sync.Mutex
	max     int64
	ttl     time.Duration
	size    int64
	entries map[archiveKey]*list.Element // of *archiveEntry
	order   *list.List                   // front: used last
	now     func() time.Time
}

func newArchiveCache(max int64, ttl time.Duration) *archiveCache {
	return &archiveCache{max: max, ttl: ttl, entries: map[archiveKey]*list.Element{}, order: list.New(), now: time.Now}
}

// get returns the archive kept under k, if it is there and fresh.
func (a *archiveCache) get(k archiveKey) ([]byte, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	el, ok := a.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*archiveEntry)
	if a.now().Sub(e.at) > a.ttl {
		a.remove(el)
		return nil, false
	}
	a.order.MoveToFront(el)
	return e.data, true
}

// put keeps data under k; an archive larger than a quarter of the cache is
// not kept, so one chart cannot push out all the others.
func (a *archiveCache) put(k archiveKey, data []byte) {
	n := int64(len(data))
	if n > a.max/4 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if el, ok := a.entries[k]; ok {
		a.remove(el)
	}
	a.entries[k] = a.order.PushFront(&archiveEntry{key: k, data: data, at: a.now()})
	a.size += n
	for a.size > a.max {
		a.remove(a.order.Back())
	}
}

// remove drops one entry; the caller holds mu.
func (a *archiveCache) remove(el *list.Element) {
	e := a.order.Remove(el).(*archiveEntry)
	delete(a.entries, e.key)
	a.size -= int64(len(e.data))
}
