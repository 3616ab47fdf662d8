package main

import (
	"context"
	"maps"
	"net/url"
	"sync"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// permissionsState is the go-app state the permission store publishes: a
// permissionSet. Components that disable what the user may not do observe
// it (ctx.ObserveState), so a check made by one page updates them all.
const permissionsState = "kubedeck/permissions"

// nsPermissions is what GET /api/v1/me said about one namespace, or where
// asking stands.
type nsPermissions struct {
	Namespace string
	Status    loadStatus
	Me        shared.Me
	Err       string // why the check failed (statusFailed), for people
}

// can says whether the user may take action (one of shared's Action
// constants, or "list <kind>" / "get <kind>") in the namespace and, when
// not, why, in a sentence for a tooltip. Until the server has answered the
// answer is no, with the reason that the check is not done.
func (p nsPermissions) can(action string) (bool, string) {
	ns := p.Namespace
	switch {
	case ns == "":
		return false, "Choose a namespace first."
	case p.Status == statusIdle || p.Status == statusLoading:
		return false, "Checking whether you may " + action + " in " + ns + "…"
	case p.Status == statusFailed:
		return false, "Your permissions in " + ns + " could not be checked: " + p.Err
	}
	allowed, known := p.Me.Can[action]
	switch {
	case allowed:
		return true, ""
	case !known:
		return false, "Kubedeck's server did not say whether you may " + action + " in " + ns + "."
	case p.Me.Reasons[action] != "":
		return false, p.Me.Reasons[action]
	default:
		return false, "You may not " + action + " in " + ns + "."
	}
}

// permissionSet is the permissions known per namespace. A published set is
// never changed: the store publishes a new one.
type permissionSet map[string]nsPermissions

// of returns what is known about namespace (statusIdle when nothing).
func (s permissionSet) of(namespace string) nsPermissions {
	if p, ok := s[namespace]; ok {
		return p
	}
	return nsPermissions{Namespace: namespace}
}

// permissionStore asks the server what the user may do in a namespace and
// keeps the answers for the session: pages ask it with ensure (fetch once)
// and refresh (fetch again, after the user's rights changed), and read the
// set it publishes as permissionsState. The layout owns one store and hands
// it to its pages; its methods are safe for concurrent use.
type permissionStore struct {
	mu     sync.Mutex
	client *apiClient  // nil until the layout runs in the browser
	root   app.Context // the layout's, which publishes answers
	byNS   permissionSet
}

func newPermissionStore() *permissionStore {
	return &permissionStore{byNS: permissionSet{}}
}

// use sets the client the store asks with and the context of the layout
// that owns the store (it outlives every page).
func (s *permissionStore) use(root app.Context, c *apiClient) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.root, s.client = root, c
}

// snapshot returns a copy of what the store knows.
func (s *permissionStore) snapshot() permissionSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.byNS)
}

// lookup returns what the store knows about namespace.
func (s *permissionStore) lookup(namespace string) nsPermissions {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byNS.of(namespace)
}

// ensure checks the user's permissions in namespace unless they are known
// or being checked; a failed check is tried again.
func (s *permissionStore) ensure(ctx app.Context, namespace string) {
	s.start(ctx, namespace, false)
}

// refresh checks the user's permissions in namespace again, unless a check
// is already under way.
func (s *permissionStore) refresh(ctx app.Context, namespace string) {
	s.start(ctx, namespace, true)
}

// start marks namespace as being checked, publishes that, and asks the
// server in the background. The answer is kept whether or not the page that
// asked is still there, and published through the layout, which always is.
func (s *permissionStore) start(ctx app.Context, namespace string, force bool) {
	if namespace == "" {
		return
	}
	client, root, ok := s.begin(namespace, force)
	if !ok {
		return
	}
	s.publish(ctx)
	ctx.Async(func() {
		p := s.fetch(ctx, client, namespace)
		if ctx.Err() != nil {
			// The page that asked went away mid-check: forget the check,
			// so the next page to ask starts it again.
			p = nsPermissions{Namespace: namespace}
		}
		s.keep(namespace, p)
		root.Dispatch(s.publish)
	})
}

// begin decides whether namespace needs a check and marks it as being
// checked; it returns the client to ask with and the layout's context.
func (s *permissionStore) begin(namespace string, force bool) (*apiClient, app.Context, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.byNS.of(namespace)
	switch {
	case s.client == nil, cur.Status == statusLoading:
		return nil, app.Context{}, false
	case !force && cur.Status == statusLoaded:
		return nil, app.Context{}, false
	}
	cur.Status, cur.Err = statusLoading, ""
	s.byNS[namespace] = cur
	return s.client, s.root, true
}

// get returns what the store knows about namespace, asking the server first
// when it has no answer yet. It blocks: call it off the UI goroutine. Pages
// that keep their own view of the answers (the objects page) use it; the
// answer is kept for every page.
func (s *permissionStore) get(ctx context.Context, namespace string) nsPermissions {
	cur, client := func() (nsPermissions, *apiClient) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.byNS.of(namespace), s.client
	}()
	if cur.Status == statusLoaded || client == nil {
		return cur
	}
	p := s.fetch(ctx, client, namespace)
	if ctx.Err() != nil {
		return cur
	}
	s.keep(namespace, p)
	return p
}

// keep records what the server answered about namespace.
func (s *permissionStore) keep(namespace string, p nsPermissions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byNS[namespace] = p
}

// fetch asks GET /api/v1/me?namespace= once. A failure the client reports
// itself (a toast, or the sign-in prompt for a 401) is also kept as the
// namespace's state, so the controls say why they are disabled.
func (s *permissionStore) fetch(ctx context.Context, client *apiClient, namespace string) nsPermissions {
	me, err := apiGet[shared.Me](ctx, client, "/me?namespace="+url.QueryEscape(namespace))
	if err != nil {
		return nsPermissions{Namespace: namespace, Status: statusFailed, Err: err.Error()}
	}
	return nsPermissions{Namespace: namespace, Status: statusLoaded, Me: me}
}

// publish tells the observers of permissionsState what the store knows now.
func (s *permissionStore) publish(ctx app.Context) {
	ctx.SetState(permissionsState, s.snapshot())
}
