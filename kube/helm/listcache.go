package helm

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// Release lists kept in the cache the replicas share (Options.Lists), one
// per namespace: reading a namespace's releases decodes every release
// Secret there (gzip, base64, JSON), which is the expensive part of the
// charts page on a big cluster. A list is the same for every user who may
// list the namespace's Secrets, so it is kept per namespace; who may read
// it is decided before, by the caller, for each request.

// listTTL bounds how long a cached list is served; writes and the Secret
// watch remove it sooner.
const listTTL = time.Minute

// listCacheTimeout bounds each cache call: a slow cache is a miss.
const listCacheTimeout = 100 * time.Millisecond

// listGenerations counts the invalidations of each namespace in this
// process, so that a list read before an invalidation is not stored after
// it (it would bring back what the invalidation removed).
type listGenerations struct {
	mu  sync.Mutex
	gen map[string]uint64
}

func (g *listGenerations) of(namespace string) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gen[namespace]
}

func (g *listGenerations) bump(namespace string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gen == nil {
		g.gen = map[string]uint64{}
	}
	g.gen[namespace]++
}

// ListShared is List through the shared cache: the namespace's list as
// cached (by any user's earlier List), else read as u and cached. The
// caller must first have decided that u may list Secrets in namespace;
// the cache holds lists, never a right. Without a cache it is List.
func (c *Client) ListShared(ctx context.Context, u kube.User, namespace string) ([]shared.Release, error) {
	if c.opts.Lists == nil || namespace == "" {
		return c.List(ctx, u, namespace)
	}
	key := namespace
	gctx, cancel := context.WithTimeout(ctx, listCacheTimeout)
	val, ok, err := c.opts.Lists.Get(gctx, key)
	cancel()
	if err == nil && ok {
		var out []shared.Release
		if json.Unmarshal(val, &out) == nil {
			return out, nil
		}
	}
	gen := c.lists.of(namespace)
	out, err := c.List(ctx, u, namespace)
	if err != nil {
		return nil, err
	}
	if c.lists.of(namespace) == gen {
		if b, err := json.Marshal(out); err == nil {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), listCacheTimeout)
			_ = c.opts.Lists.Set(sctx, key, b, listTTL)
			cancel()
		}
	}
	return out, nil
}

// Forget removes the cached release list of namespace: a release there was
// installed, changed or removed (its Secrets changed). It does not wait
// for a slow cache longer than a cache call.
func (c *Client) Forget(ctx context.Context, namespace string) {
	c.lists.bump(namespace)
	if c.opts.Lists == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), listCacheTimeout)
	defer cancel()
	if err := c.opts.Lists.Delete(ctx, namespace); err != nil {
		c.log.Debug("helm: forgetting a cached release list failed; it expires within a minute", "namespace", namespace, "err", err)
	}
}

// IsReleaseSecret says whether a Secret's name is one Helm's Secret
// storage gives a release revision ("sh.helm.release.v1.<name>.v<n>").
func IsReleaseSecret(name string) bool {
	const prefix = "sh.helm.release.v1."
	return len(name) > len(prefix) && name[:len(prefix)] == prefix
}
