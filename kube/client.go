package kube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/transport"
	"k8s.io/client-go/util/flowcontrol"
)

// ClientOptions shape how users are impersonated.
type ClientOptions struct {
	// GroupPrefix is put before each of the user's groups (for example
	// "oidc:"), so that groups from the identity provider cannot collide with
	// groups the cluster gives out itself.
	GroupPrefix string
	// GroupAllowlist, when not empty, names the only groups (as the identity
	// layer gives them, before the prefix) passed on to Kubernetes.
	GroupAllowlist []string
	// Retry is how reads made for users are retried (zero: DefaultRetryPolicy).
	Retry RetryPolicy
}

// Client reaches the API server, as Kubedeck itself and on users' behalf.
// It is safe for concurrent use.
type Client struct {
	opts ClientOptions
	// userConfig is the private copy of the base config per-user clients are
	// built from; it is never changed after NewClient.
	userConfig *rest.Config
	// transport is the one connection pool (with the request counter) all
	// clients share; As puts impersonation on top of it for each user.
	transport   http.RoundTripper
	userTimeout time.Duration
	base        *kubernetes.Clientset
	// reviewer has Kubedeck's identity too but a request budget of its
	// own, for the access reviews users' reads cause: a burst of them never
	// delays the informers or the readiness check.
	reviewer *kubernetes.Clientset
	// reviews bounds the access reviews in flight, per user and in all.
	reviews *reviewGate
	metrics *requestMetrics
	// clientsets keeps recent users' clientsets: building one costs about
	// 200 µs and 50 KB, more than many requests take in all.
	clientsets *cache.LRUExpireCache
}

// clientsetCacheSize and clientsetTTL bound the clientsets kept for users.
const (
	clientsetCacheSize = 256
	clientsetTTL       = time.Hour
)

// NewClient builds a Client on base, which it copies and never changes. Its
// request counter is registered in reg. base.Timeout (default DefaultTimeout)
// bounds each call made for a user; the server's own client has no such
// bound, since its informers hold watches open, so callers of Base bound
// one-off calls with their context.
func NewClient(base *rest.Config, opts ClientOptions, reg prometheus.Registerer) (*Client, error) {
	if base == nil {
		return nil, errors.New("kube: NewClient needs a rest.Config")
	}
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m, err := newRequestMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("register API request metrics: %w", err)
	}
	cfg := rest.CopyConfig(base)
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = DefaultQPS, DefaultBurst
	}
	userTimeout := cfg.Timeout
	if userTimeout <= 0 {
		userTimeout = DefaultTimeout
	}
	cfg.Timeout = 0
	if cfg.UserAgent == "" {
		cfg.UserAgent = userAgent
	}
	cfg.WrapTransport = transport.Wrappers(m.wrap, cfg.WrapTransport)
	rt, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("kube client transport: %w", err)
	}
	baseConfig := rest.CopyConfig(cfg)
	baseConfig.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	cs, err := kubernetes.NewForConfigAndClient(baseConfig, &http.Client{Transport: rt})
	if err != nil {
		return nil, fmt.Errorf("kube clientset: %w", err)
	}
	// Access reviews draw from a bucket of their own, so users' reads
	// cannot spend the budget of the informers and the readiness check.
	reviewConfig := rest.CopyConfig(cfg)
	reviewConfig.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	reviewer, err := kubernetes.NewForConfigAndClient(reviewConfig, &http.Client{Transport: rt, Timeout: userTimeout})
	if err != nil {
		return nil, fmt.Errorf("kube clientset: %w", err)
	}
	// Every user's requests draw from one bucket: the limit protects the API
	// server from Kubedeck as a whole (per-user limits are the server's job).
	userConfig := rest.CopyConfig(cfg)
	userConfig.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	return &Client{
		opts:        opts,
		userConfig:  userConfig,
		transport:   rt,
		userTimeout: userTimeout,
		base:        cs,
		reviewer:    reviewer,
		reviews:     newReviewGate(reviewsPerUser, reviewsInFlight),
		metrics:     m,
		clientsets:  cache.NewLRUExpireCache(clientsetCacheSize),
	}, nil
}

// Base is the clientset with Kubedeck's own identity, for informers and
// health checks; never for a user's request (Access makes its reviews with
// a client of its own budget).
func (c *Client) Base() kubernetes.Interface { return c.base }

// As is a clientset that acts as u: every request carries Impersonate-User
// and Impersonate-Group headers, so the API server applies u's RBAC and names
// u in its audit log. It shares the connection pool of the base client, so
// it costs no new TLS handshake, and recent users' clientsets are reused.
func (c *Client) As(u User) (kubernetes.Interface, error) {
	return c.as(u, "", c.userTimeout)
}

// StreamAs is As for streams that last as long as their reader wants (a
// follow of logs): its requests have no overall timeout, so the caller's
// context must end them.
func (c *Client) StreamAs(u User) (kubernetes.Interface, error) {
	return c.as(u, "stream\x00", 0)
}

// as is a clientset acting as u whose requests time out after timeout
// (0: never), cached under prefix and u's identity.
func (c *Client) as(u User, prefix string, timeout time.Duration) (kubernetes.Interface, error) {
	imp, err := c.impersonation(u)
	if err != nil {
		return nil, err
	}
	// The key is the whole identity sent, so a clientset is only ever reused
	// for exactly the same user and groups.
	key := prefix + imp.UserName + "\x00" + strings.Join(imp.Groups, "\x00")
	if cs, ok := c.clientsets.Get(key); ok {
		return cs.(kubernetes.Interface), nil
	}
	hc := &http.Client{
		Transport: transport.NewImpersonatingRoundTripper(imp, c.transport),
		Timeout:   timeout,
	}
	cs, err := kubernetes.NewForConfigAndClient(rest.CopyConfig(c.userConfig), hc)
	if err != nil {
		return nil, fmt.Errorf("impersonating clientset: %w", err)
	}
	c.clientsets.Add(key, cs, clientsetTTL)
	return cs, nil
}

// impersonation is who the API server is asked to treat u as. Groups get the
// prefix; "system:" groups (before or after it) and groups outside the
// allowlist are dropped, as are repeats. A user named "system:…" would be a
// Kubernetes identity (a node, a service account), so it is refused.
func (c *Client) impersonation(u User) (transport.ImpersonationConfig, error) {
	name := strings.TrimSpace(u.Name)
	if name == "" {
		return transport.ImpersonationConfig{}, newError(ErrUnauthorized, "You are not signed in.", nil)
	}
	if strings.HasPrefix(name, "system:") {
		return transport.ImpersonationConfig{}, newError(ErrForbidden,
			"User names starting with \"system:\" belong to Kubernetes itself and cannot use Kubedeck.", nil)
	}
	imp := transport.ImpersonationConfig{UserName: name}
	for _, g := range u.Groups {
		g = strings.TrimSpace(g)
		if g == "" || strings.HasPrefix(g, "system:") {
			continue
		}
		if len(c.opts.GroupAllowlist) > 0 && !slices.Contains(c.opts.GroupAllowlist, g) {
			continue
		}
		g = c.opts.GroupPrefix + g
		if strings.HasPrefix(g, "system:") || slices.Contains(imp.Groups, g) {
			continue
		}
		imp.Groups = append(imp.Groups, g)
	}
	return imp, nil
}

// Ping asks the API server whether it is ready, as Kubedeck itself.
func (c *Client) Ping(ctx context.Context) error {
	body, err := c.base.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return Translate(err)
	}
	if s := strings.TrimSpace(string(body)); s != "ok" {
		return newError(ErrUnavailable, "The Kubernetes API server is not ready.", fmt.Errorf("/readyz answered %q", s))
	}
	return nil
}

// RequestCount is how many requests with this verb ("list", "get",
// "watch", …) and resource ("namespaces", "pods/log", …) Kubedeck has sent
// to the API server, whatever their answer.
func (c *Client) RequestCount(verb, resource string) float64 {
	return c.metrics.count(verb, resource)
}

// ConfigAs is a new copy of the config Kubedeck reaches the API server
// with, set to impersonate u, for SDKs that build their own clients from a
// rest.Config (Helm). Each call returns a fresh copy: callers may change it.
func (c *Client) ConfigAs(u User) (*rest.Config, error) {
	imp, err := c.impersonation(u)
	if err != nil {
		return nil, err
	}
	cfg := rest.CopyConfig(c.userConfig)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: imp.UserName, Groups: imp.Groups}
	// A shared rate limiter would let one user's Helm work slow the others'.
	cfg.RateLimiter = nil
	return cfg, nil
}
