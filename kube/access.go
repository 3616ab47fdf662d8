package kube

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	authv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube/cache"
)

// MinAccessKeyLength is the shortest AccessOptions.Key.
const MinAccessKeyLength = cache.MinKeyLength

// DefaultAccessTTL is how long an access decision is kept.
const DefaultAccessTTL = 5 * time.Second

// allAuthenticated is the group the API server adds to every impersonated
// user; a review must name it too to judge the user as impersonation would.
const allAuthenticated = "system:authenticated"

// AccessOptions configure Access.
type AccessOptions struct {
	// TTL is how long a decision, allow or deny, is kept (default 5 s).
	TTL time.Duration
	// Cache keeps the decisions (nil: an in-process cache). Pass a
	// cache.Named so its requests are counted.
	Cache cache.Cache
	// Key signs the decisions kept in Cache: one read back that does not
	// verify under it is ignored and reviewed again, so whoever can write
	// to a shared cache cannot grant access. Replicas given the same key
	// (at least MinAccessKeyLength bytes) share decisions; nil: a random
	// key, so this process reads back only its own.
	Key []byte
	// Parallel bounds the reviews one ListScope has in flight (default 8).
	Parallel int
}

// Access decides whether a user may read what the shared informer cache
// holds, with SubjectAccessReviews made by Kubedeck's own identity about the
// user, named and grouped exactly as the impersonating client sends them.
// Decisions, allow and deny, are cached per user, groups, verb, resource,
// namespace and object name for the TTL, signed (see AccessOptions.Key),
// and concurrent identical reviews are made once. A user has at most a few
// reviews in flight. It is safe for concurrent use.
type Access struct {
	client   *Client
	cache    cache.Cache
	ttl      time.Duration
	parallel int
	flight   flight
}

// NewAccess builds an Access on c.
func NewAccess(c *Client, opts AccessOptions) *Access {
	if opts.TTL <= 0 {
		opts.TTL = DefaultAccessTTL
	}
	if opts.Cache == nil {
		opts.Cache = cache.NewMemory(0)
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 8
	}
	return &Access{client: c, cache: cache.NewSigned(opts.Cache, opts.Key), ttl: opts.TTL, parallel: opts.Parallel}
}

// Resource names what is accessed: an API group ("" for core), resource
// and, for a subresource ("scale", "log"), its name.
type Resource struct {
	Group       string
	Resource    string
	Subresource string
}

// ResourceOf is the resource of a kind of the object viewer.
func ResourceOf(k *Kind) Resource { return Resource{Group: k.Group(), Resource: k.Name()} }

// Allowed says whether u may verb res in namespace ("" asks about the whole
// cluster: every namespace, or a cluster-scoped resource). An error means
// no decision could be had (the API server did not answer); it is not a
// denial.
func (a *Access) Allowed(ctx context.Context, u User, verb string, res Resource, namespace string) (bool, error) {
	return a.AllowedObject(ctx, u, verb, res, namespace, "")
}

// AllowedObject is Allowed for one object, named: a Role that lists
// resourceNames allows exactly those objects. An empty name asks about the
// whole kind, as Allowed does.
func (a *Access) AllowedObject(ctx context.Context, u User, verb string, res Resource, namespace, name string) (bool, error) {
	imp, err := a.client.impersonation(u)
	if err != nil {
		return false, err
	}
	groups := imp.Groups
	if !slices.Contains(groups, allAuthenticated) {
		groups = append(slices.Clip(groups), allAuthenticated)
	}
	key := accessKey(imp.UserName, groups, verb, res, namespace, name)
	if v, ok, err := a.cache.Get(ctx, key); err == nil && ok && len(v) == 1 {
		return v[0] == '1', nil
	}
	return a.flight.do(ctx, key, func() (bool, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		release, err := a.client.reviews.acquire(ctx, imp.UserName)
		if err != nil {
			return false, newError(ErrUnavailable, "Too many permission checks are waiting; try again in a moment.", err)
		}
		defer release()
		review := &authv1.SubjectAccessReview{Spec: authv1.SubjectAccessReviewSpec{
			User:   imp.UserName,
			Groups: groups,
			ResourceAttributes: &authv1.ResourceAttributes{
				Namespace: namespace, Verb: verb, Group: res.Group, Resource: res.Resource, Subresource: res.Subresource, Name: name,
			},
		}}
		var allowed bool
		err = a.client.opts.Retry.Do(ctx, func(ctx context.Context) error {
			out, err := a.client.reviewer.AuthorizationV1().SubjectAccessReviews().Create(ctx, review, metav1.CreateOptions{})
			if err == nil {
				allowed = out.Status.Allowed && !out.Status.Denied
			}
			return err
		})
		if err != nil {
			return false, Translate(fmt.Errorf("access review %s %s: %w", verb, res.Resource, err))
		}
		v := []byte{'0'}
		if allowed {
			v[0] = '1'
		}
		_ = a.cache.Set(ctx, key, v, a.ttl) // a lost write is a later miss
		return allowed, nil
	})
}

// Scope is where a user may verb a namespaced resource, of the namespaces
// asked about: the one answer objects, charts, apps and the WebSocket's
// subscriptions all use.
type Scope struct {
	// All is true when the user may verb it across the cluster.
	All bool
	// Allowed are the namespaces asked about where the user may (every one
	// of them when All), sorted.
	Allowed []string
	// Forbidden are the namespaces denied whose names the user may know
	// (those the user may get), sorted; Hidden counts the other denied ones,
	// whose names a reply must not tell.
	Forbidden []string
	Hidden    int
}

// Scope finds where u may verb res, of namespaces: across the cluster if
// one review says so, otherwise namespace by namespace (reviewed in
// parallel); the denied ones are named or counted as Scope says.
func (a *Access) Scope(ctx context.Context, u User, verb string, res Resource, namespaces []string) (Scope, error) {
	all, allowed, denied, err := a.review(ctx, u, verb, res, namespaces)
	if err != nil {
		return Scope{}, err
	}
	out := Scope{All: all, Allowed: allowed}
	out.Forbidden, out.Hidden, err = a.knownNamespaces(ctx, u, denied)
	return out, err
}

// review is where u may verb res, of namespaces: all, or the allowed and
// the denied ones, each sorted.
func (a *Access) review(ctx context.Context, u User, verb string, res Resource, namespaces []string) (all bool, allowed, denied []string, err error) {
	all, err = a.Allowed(ctx, u, verb, res, "")
	if err != nil {
		return false, nil, nil, err
	}
	if all {
		return true, slices.Sorted(slices.Values(namespaces)), nil, nil
	}
	ok := make([]bool, len(namespaces))
	errs := make([]error, len(namespaces))
	sem := make(chan struct{}, a.parallel)
	var wg sync.WaitGroup
	for i, ns := range namespaces {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ok[i], errs[i] = a.Allowed(ctx, u, verb, res, ns)
		})
	}
	wg.Wait()
	allowed = []string{}
	for i, ns := range namespaces {
		switch {
		case errs[i] != nil:
			return false, nil, nil, errs[i]
		case ok[i]:
			allowed = append(allowed, ns)
		default:
			denied = append(denied, ns)
		}
	}
	slices.Sort(allowed)
	slices.Sort(denied)
	return false, allowed, denied, nil
}

// knownNamespaces splits namespaces into those u may learn the names of
// (sorted) and a count of the others. u may know a namespace's name when u
// may list or get namespaces across the cluster, or get that namespace. A
// reply that named the others would tell a user without any rights every
// namespace of the cluster.
func (a *Access) knownNamespaces(ctx context.Context, u User, namespaces []string) (known []string, hidden int, err error) {
	if len(namespaces) == 0 {
		return nil, 0, nil
	}
	all, err := a.Allowed(ctx, u, "list", namespacesResource, "")
	if err != nil || all {
		return slices.Sorted(slices.Values(namespaces)), 0, err
	}
	all, allowed, _, err := a.review(ctx, u, "get", namespacesResource, namespaces)
	switch {
	case err != nil:
		return nil, 0, err
	case all:
		return slices.Sorted(slices.Values(namespaces)), 0, nil
	case len(allowed) == 0:
		return nil, len(namespaces), nil
	}
	return allowed, len(namespaces) - len(allowed), nil
}

// accessKey names one decision. It is a hash, so user and group names of
// any shape make a short, safe Redis key.
func accessKey(user string, groups []string, verb string, res Resource, namespace, name string) string {
	h := sha256.New()
	resource := res.Resource
	if res.Subresource != "" {
		resource += "/" + res.Subresource
	}
	for _, part := range []string{user, verb, res.Group, resource, namespace, name} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	sorted := slices.Sorted(slices.Values(groups))
	for _, g := range sorted {
		h.Write([]byte(g))
		h.Write([]byte{1})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// flight makes concurrent identical calls once: the first caller's call runs
// on its own (detached from that caller's cancellation) and every caller
// waits for its result or for its own context.
type flight struct {
	mu    sync.Mutex
	calls map[string]*flightCall
}

type flightCall struct {
	done    chan struct{}
	allowed bool
	err     error
}

func (f *flight) do(ctx context.Context, key string, fn func() (bool, error)) (bool, error) {
	c := func() *flightCall {
		f.mu.Lock()
		defer f.mu.Unlock()
		c, ok := f.calls[key]
		if !ok {
			if f.calls == nil {
				f.calls = map[string]*flightCall{}
			}
			c = &flightCall{done: make(chan struct{})}
			f.calls[key] = c
			go func() {
				defer close(c.done)
				defer func() {
					f.mu.Lock()
					defer f.mu.Unlock()
					delete(f.calls, key)
				}()
				c.allowed, c.err = fn()
			}()
		}
		return c
	}()
	select {
	case <-c.done:
		return c.allowed, c.err
	case <-ctx.Done():
		return false, ctx.Err()
	}
}
