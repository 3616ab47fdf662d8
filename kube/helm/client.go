package helm

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/cache"
)

// Defaults for the zero fields of Options.
const (
	DefaultMaxIndexBytes = 20 << 20
	DefaultMaxChartBytes = 10 << 20
	DefaultTimeout       = 5 * time.Minute
	DefaultIndexTTL      = time.Minute
	// maxChartUnpackedBytes caps a chart archive once decompressed.
	maxChartUnpackedBytes = 50 << 20
	// maxHistory is how many revisions of a release Kubedeck's upgrades and
	// rollbacks keep (Helm's own default keeps them all).
	maxHistory = 10
)

// Repository is a Helm chart repository (an HTTP server with an
// index.yaml, such as ChartMuseum) that charts are installed from.
type Repository struct {
	// Name is how chart references name it: "<name>/<chart>".
	Name string
	// URL is the repository's base URL, http or https.
	URL string
	// Username and Password, when set, are sent with basic auth, only to
	// the repository's own host.
	Username, Password string
}

// Options configure a Client. The zero value of each field means its
// default.
type Options struct {
	// Repositories are the only places charts come from.
	Repositories []Repository
	// MaxIndexBytes caps a repository's index.yaml (default 20 MiB).
	MaxIndexBytes int64
	// MaxChartBytes caps a chart archive as downloaded (default 10 MiB);
	// unpacked it may not exceed 50 MiB.
	MaxChartBytes int64
	// Timeout bounds an install, upgrade, rollback or uninstall, its wait
	// for the release's resources included (default 5 minutes).
	Timeout time.Duration
	// IndexTTL is how long a repository's index is kept before it is read
	// again (default 1 minute).
	IndexTTL time.Duration
	// HTTPClient reaches the repositories (default: a client with timeouts
	// that uses no proxy from the environment).
	HTTPClient *http.Client
	// Log receives what the Helm SDK logs, at debug level (default: none).
	Log *slog.Logger
	// Lists is the cache of release lists, per namespace, that replicas
	// share (listcache.go); nil for none.
	Lists cache.Cache
	// Catalogs is the cache of repositories' listings that replicas share
	// (catalog_shared.go); nil for none.
	Catalogs cache.Cache
}

// Client does Kubedeck's Helm work: releases (as the user who asks) and
// the catalog of the configured repositories. It is safe for concurrent
// use: every call builds its own Helm action configuration.
type Client struct {
	kc    *kube.Client
	opts  Options
	repos map[string]Repository
	log   *slog.Logger
	// indexes holds each repository's index (repository.go).
	indexes map[string]*indexEntry
	// discovery keeps each user's discovery client and capabilities
	// (discovery.go).
	discovery *discoveryCache
	// icons keeps the charts' icons (icons.go).
	icons *iconCache
	// archives keeps the chart archives downloaded lately (archives.go).
	archives *archiveCache
	// shared keeps the listings read back from Catalogs.
	shared sharedCatalogs
	// lists counts the invalidations of cached release lists.
	lists listGenerations
	// retryDelay is the wait before the second attempt at reading an index;
	// the third waits twice as long.
	retryDelay time.Duration
}

// New builds a Client that reaches the cluster through kc, acting as the
// user of each call. It checks the repositories: each needs a unique name
// that charts can be referred to by and an http or https URL.
func New(kc *kube.Client, opts Options) (*Client, error) {
	if kc == nil {
		return nil, errors.New("helm: New needs a kube.Client")
	}
	opts = opts.withDefaults()
	c := &Client{
		kc:         kc,
		opts:       opts,
		repos:      map[string]Repository{},
		log:        opts.Log,
		indexes:    map[string]*indexEntry{},
		discovery:  newDiscoveryCache(),
		icons:      newIconCache(),
		archives:   newArchiveCache(archiveCacheBytes, archiveTTL),
		retryDelay: 500 * time.Millisecond,
	}
	for _, r := range opts.Repositories {
		if err := checkRepository(r); err != nil {
			return nil, err
		}
		if _, dup := c.repos[r.Name]; dup {
			return nil, fmt.Errorf("helm: repository %q is configured twice", r.Name)
		}
		c.repos[r.Name] = r
		c.indexes[r.Name] = newIndexEntry()
	}
	return c, nil
}

// withDefaults fills in the zero fields.
func (o Options) withDefaults() Options {
	if o.MaxIndexBytes <= 0 {
		o.MaxIndexBytes = DefaultMaxIndexBytes
	}
	if o.MaxChartBytes <= 0 {
		o.MaxChartBytes = DefaultMaxChartBytes
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.IndexTTL <= 0 {
		o.IndexTTL = DefaultIndexTTL
	}
	if o.HTTPClient == nil {
		o.HTTPClient = defaultHTTPClient()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	o.Repositories = append([]Repository(nil), o.Repositories...)
	return o
}

// defaultHTTPClient reaches repositories directly (no proxy taken from the
// environment), with timeouts on every step.
func defaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
		},
	}
}

// checkRepository refuses a repository that charts could not be referred
// to by, or that is not plain HTTP(S). OCI registries are not supported:
// reaching them would need a registry client and its credentials.
func checkRepository(r Repository) error {
	if !repoName.MatchString(r.Name) {
		return fmt.Errorf("helm: repository name %q: use letters, digits, '.', '_' and '-'", r.Name)
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		return fmt.Errorf("helm: repository %q: %w", r.Name, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("helm: repository %q: the URL must be http:// or https:// (OCI registries are not supported), not %q", r.Name, r.URL)
	}
	if u.User != nil {
		return fmt.Errorf("helm: repository %q: put credentials in Username and Password, not in the URL", r.Name)
	}
	if strings.Contains(u.Path, "..") {
		return fmt.Errorf("helm: repository %q: the URL may not contain \"..\"", r.Name)
	}
	return nil
}

// Repositories lists the configured repositories, in the order given,
// without their credentials (ParseChartRef needs only names and URLs).
func (c *Client) Repositories() []Repository {
	out := make([]Repository, 0, len(c.opts.Repositories))
	for _, r := range c.opts.Repositories {
		out = append(out, Repository{Name: r.Name, URL: r.URL})
	}
	return out
}
