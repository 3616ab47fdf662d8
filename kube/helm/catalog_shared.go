package helm

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// The catalog replicas share (Options.Catalogs): each repository's charts
// as the catalog lists them, kept in the shared cache for IndexTTL by the
// replica that read the index, so that the repository is read about once a
// minute whatever the number of replicas. Only the listing is shared: an
// install reads the index itself (for the archive's URL and digest), and a
// copy read back from the cache lists charts, it grants nothing.

// catalogCacheTimeout bounds each call to the shared cache: a slow cache is
// a miss.
const catalogCacheTimeout = 200 * time.Millisecond

// sharedItem is a catalogItem as the shared cache keeps it.
type sharedItem struct {
	Chart    shared.CatalogChart `json:"chart"`
	Haystack []string            `json:"haystack"`
}

// sharedCatalogs keeps the listings read back from the shared cache, per
// repository, until IndexTTL after they were read.
type sharedCatalogs struct {
	mu   sync.Mutex
	kept map[string]sharedCopy
}

type sharedCopy struct {
	items []catalogItem
	read  time.Time
}

func (s *sharedCatalogs) get(repository string, ttl time.Duration) ([]catalogItem, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.kept[repository]
	return c.items, ok && time.Since(c.read) < ttl
}

func (s *sharedCatalogs) put(repository string, items []catalogItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kept == nil {
		s.kept = map[string]sharedCopy{}
	}
	s.kept[repository] = sharedCopy{items: items, read: time.Now()}
}

// repositoryCharts is what the catalog lists of repository r: this
// process's copy of its index while fresh, else another replica's listing
// from the shared cache, else the index read now (and its listing shared).
func (c *Client) repositoryCharts(ctx context.Context, r Repository) indexState {
	if c.opts.Catalogs == nil {
		return c.index(ctx, r)
	}
	if st, fresh := c.freshIndex(ctx, r); fresh {
		return st
	}
	if items, ok := c.shared.get(r.Name, c.opts.IndexTTL); ok {
		return indexState{charts: items}
	}
	gctx, cancel := context.WithTimeout(ctx, catalogCacheTimeout)
	val, ok, err := c.opts.Catalogs.Get(gctx, r.Name)
	cancel()
	if err == nil && ok {
		var stored []sharedItem
		if json.Unmarshal(val, &stored) == nil {
			items := make([]catalogItem, len(stored))
			for i, s := range stored {
				items[i] = catalogItem{chart: s.Chart, haystack: s.Haystack}
			}
			c.shared.put(r.Name, items)
			return indexState{charts: items}
		}
	}
	st := c.index(ctx, r)
	if st.index != nil && !st.stale {
		stored := make([]sharedItem, len(st.charts))
		for i, it := range st.charts {
			stored[i] = sharedItem{Chart: it.chart, Haystack: it.haystack}
		}
		if b, err := json.Marshal(stored); err == nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), catalogCacheTimeout)
			if err := c.opts.Catalogs.Set(sctx, r.Name, b, c.opts.IndexTTL); err != nil {
				c.log.Debug("helm: sharing a repository's catalog failed", "repository", r.Name, "err", err)
			}
			cancel()
		}
	}
	return st
}

// freshIndex is this process's copy of r's index when it was read less than
// IndexTTL ago; it reads nothing.
func (c *Client) freshIndex(ctx context.Context, r Repository) (indexState, bool) {
	e := c.indexes[r.Name]
	select {
	case <-e.token:
	case <-ctx.Done():
		return indexState{}, false
	}
	defer func() { e.token <- struct{}{} }()
	if e.checked.IsZero() || time.Since(e.checked) >= c.opts.IndexTTL || e.index == nil {
		return indexState{}, false
	}
	return indexState{index: e.index, charts: e.charts, stale: e.lastError != nil, err: e.lastError}, true
}
