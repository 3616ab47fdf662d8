package helm

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Bounds of the per-user discovery cache: discovery answers differ little
// between users, but RBAC may hide API groups, so each identity gets its
// own copy, made as that identity.
const (
	discoveryUsers = 128
	discoveryTTL   = 5 * time.Minute
)

// discoveryCache keeps recent users' discovery clients, REST mappers and
// the capabilities Helm renders charts with. Each entry is safe for
// concurrent use; the Helm configurations built on it are not shared.
type discoveryCache struct {
	lru *cache.LRUExpireCache
	// mu keeps two calls for one new user from both building an entry.
	mu sync.Mutex
}

func newDiscoveryCache() *discoveryCache {
	return &discoveryCache{lru: cache.NewLRUExpireCache(discoveryUsers)}
}

// userDiscovery is one identity's discovery.
type userDiscovery struct {
	client discovery.CachedDiscoveryInterface
	mapper meta.RESTMapper

	mu   sync.Mutex
	caps *chartutil.Capabilities
}

// forConfig is the entry of the identity cfg impersonates, made from cfg
// when there is none.
func (d *discoveryCache) forConfig(cfg *rest.Config) (*userDiscovery, error) {
	key := cfg.Impersonate.UserName + "\x00" + strings.Join(cfg.Impersonate.Groups, "\x00")
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.lru.Get(key); ok {
		return e.(*userDiscovery), nil
	}
	dc, err := discovery.NewDiscoveryClientForConfig(rest.CopyConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("helm: discovery client: %w", err)
	}
	cached := memory.NewMemCacheClient(dc)
	mapper := restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(cached), cached, nil)
	e := &userDiscovery{client: cached, mapper: mapper}
	d.lru.Add(key, e, discoveryTTL)
	return e, nil
}

// capabilities is what the cluster offers, as Helm's templates see it
// (.Capabilities), read once per entry. The caller gets its own copy.
// Helm would otherwise invalidate the discovery cache and read it all
// again on every install and upgrade.
func (u *userDiscovery) capabilities() (*chartutil.Capabilities, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.caps == nil {
		v, err := u.client.ServerVersion()
		if err != nil {
			return nil, err
		}
		versions, err := action.GetVersionSet(u.client)
		if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
			return nil, err
		}
		u.caps = &chartutil.Capabilities{
			APIVersions: versions,
			KubeVersion: chartutil.KubeVersion{Version: v.GitVersion, Major: v.Major, Minor: v.Minor},
			HelmVersion: chartutil.DefaultCapabilities.HelmVersion,
		}
	}
	caps := u.caps.Copy()
	caps.APIVersions = slices.Clone(caps.APIVersions)
	return caps, nil
}
