package kube

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// DefaultSelfAccessTTL is how long SelfAccess keeps a user's permissions.
const DefaultSelfAccessTTL = 5 * time.Second

// selfAccessParallel bounds the reviews one Permissions call has in flight.
const selfAccessParallel = 8

// Permissions says what a user may do in one namespace, keyed by action
// ("create deployments", "list pods", "install charts"; see shared.Me).
type Permissions struct {
	Can map[string]bool
	// Reasons holds, for each action the user may not take, a sentence
	// saying why.
	Reasons map[string]string
}

// selfAction is one action SelfAccess reviews: a verb on a resource.
type selfAction struct {
	key      string
	verb     string
	group    string
	resource string
	// subresource is the part of the resource the verb is on ("scale"),
	// "" for the object itself.
	subresource string
	namespaced  bool
	// why says what the right is for, when the action is not plainly the
	// verb on the resource.
	why string
}

// SelfAccess answers what a user may do in a namespace with
// SelfSubjectAccessReviews made AS the user (impersonated), so the answer is
// the API server's own, the user's groups and any authorizer included. The
// answers are kept briefly per user, groups and namespace, and a user has at
// most a few reviews in flight. It is safe for concurrent use.
type SelfAccess struct {
	client  *Client
	ttl     time.Duration
	actions []selfAction

	mu    sync.Mutex
	cache map[string]selfEntry
}

type selfEntry struct {
	perms   Permissions
	expires time.Time
}

// NewSelfAccess builds a SelfAccess on c that keeps answers for ttl (zero:
// DefaultSelfAccessTTL).
func NewSelfAccess(c *Client, ttl time.Duration) *SelfAccess {
	if ttl <= 0 {
		ttl = DefaultSelfAccessTTL
	}
	return &SelfAccess{client: c, ttl: ttl, actions: selfActions(), cache: map[string]selfEntry{}}
}

// selfActions are the write actions the UI offers, and a list, get and
// delete for every kind of the object viewer (its rows' Delete buttons).
func selfActions() []selfAction {
	const helmWhy = "Helm stores each release as a Secret in its namespace, so %s a chart needs the right to %s Secrets there"
	acts := []selfAction{
		{key: shared.ActionCreateDeployments, verb: "create", group: "apps", resource: "deployments", namespaced: true},
		{key: shared.ActionDeleteDeployments, verb: "delete", group: "apps", resource: "deployments", namespaced: true},
		{key: shared.ActionCreateServices, verb: "create", resource: "services", namespaced: true},
		{key: shared.ActionDeleteServices, verb: "delete", resource: "services", namespaced: true},
		{key: shared.ActionCreateIngresses, verb: "create", group: "networking.k8s.io", resource: "ingresses", namespaced: true},
		{key: shared.ActionDeleteIngresses, verb: "delete", group: "networking.k8s.io", resource: "ingresses", namespaced: true},
		{key: shared.ActionInstallCharts, verb: "create", resource: "secrets", namespaced: true,
			why: fmt.Sprintf(helmWhy, "installing", "create")},
		{key: shared.ActionUninstallCharts, verb: "delete", resource: "secrets", namespaced: true,
			why: fmt.Sprintf(helmWhy, "uninstalling", "delete")},
		{key: shared.ActionScaleDeployments, verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespaced: true,
			why: "scaling a Deployment needs it"},
		{key: shared.ActionScaleStatefulSets, verb: "patch", group: "apps", resource: "statefulsets", subresource: "scale", namespaced: true,
			why: "scaling a StatefulSet needs it"},
		{key: shared.ActionRestartDeployments, verb: "patch", group: "apps", resource: "deployments", namespaced: true,
			why: "a restart patches the Deployment's pod template"},
		{key: shared.ActionRestartStatefulSets, verb: "patch", group: "apps", resource: "statefulsets", namespaced: true,
			why: "a restart patches the StatefulSet's pod template"},
		{key: shared.ActionUpdateDeployments, verb: "update", group: "apps", resource: "deployments", namespaced: true,
			why: "changing an app or rolling it back updates its Deployment"},
		{key: shared.ActionExecPods, verb: "create", resource: "pods", subresource: "exec", namespaced: true,
			why: "a shell in a container needs the right to create pods/exec"},
	}
	seen := map[string]bool{}
	for _, a := range acts {
		seen[a.key] = true
	}
	for _, k := range newRegistry().kinds {
		for _, verb := range []string{"list", "get", "delete"} {
			if seen[verb+" "+k.Name()] {
				continue
			}
			acts = append(acts, selfAction{key: shared.Action(verb, k.Name()), verb: verb, group: k.Group(),
				resource: k.Name(), namespaced: k.Namespaced()})
		}
	}
	return acts
}

// Permissions reviews every action for u in namespace, all at once, or
// returns the answer kept from a review less than the TTL ago. Cluster-scoped
// kinds are reviewed at the cluster scope. An empty namespace reviews the
// namespaced actions across all namespaces.
func (s *SelfAccess) Permissions(ctx context.Context, u User, namespace string) (Permissions, error) {
	key := selfKey(u, namespace)
	now := time.Now()
	if perms, ok := s.cached(key, now); ok {
		return perms, nil
	}

	cs, err := s.client.As(u)
	if err != nil {
		return Permissions{}, err
	}
	imp, err := s.client.impersonation(u)
	if err != nil {
		return Permissions{}, err
	}
	allowed := make([]bool, len(s.actions))
	errs := make([]error, len(s.actions))
	sem := make(chan struct{}, selfAccessParallel)
	var wg sync.WaitGroup
	for i, a := range s.actions {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ns := ""
			if a.namespaced {
				ns = namespace
			}
			allowed[i], errs[i] = s.review(ctx, cs, imp.UserName, a, ns)
		})
	}
	wg.Wait()
	perms := Permissions{Can: make(map[string]bool, len(s.actions)), Reasons: map[string]string{}}
	for i, a := range s.actions {
		if errs[i] != nil {
			return Permissions{}, Translate(fmt.Errorf("review %s %s: %w", a.verb, a.resource, errs[i]))
		}
		perms.Can[a.key] = allowed[i]
		if !allowed[i] {
			perms.Reasons[a.key] = a.reason(namespace)
		}
	}
	s.store(key, perms, now.Add(s.ttl))
	return perms, nil
}

// PermissionsUnseen is Permissions for a namespace the informer cache has
// never seen: the user's rights across the cluster, with the reasons
// naming namespace. Nothing but a cluster-wide binding can grant a right in
// a namespace that does not exist, so the answer is the one Permissions
// would give, and any number of made-up names costs the reviews of one.
func (s *SelfAccess) PermissionsUnseen(ctx context.Context, u User, namespace string) (Permissions, error) {
	all, err := s.Permissions(ctx, u, "")
	if err != nil {
		return Permissions{}, err
	}
	perms := Permissions{Can: maps.Clone(all.Can), Reasons: map[string]string{}}
	for _, a := range s.actions {
		if !perms.Can[a.key] {
			perms.Reasons[a.key] = a.reason(namespace)
		}
	}
	return perms, nil
}

// cached is the answer kept for key, if it has not expired by now.
func (s *SelfAccess) cached(key string, now time.Time) (Permissions, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.cache[key]; ok && now.Before(e.expires) {
		return e.perms, true
	}
	return Permissions{}, false
}

// store keeps perms until expires, dropping expired answers as it goes so
// the cache stays as small as the set of recently active users.
func (s *SelfAccess) store(key string, perms Permissions, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for k, e := range s.cache {
		if now.After(e.expires) {
			delete(s.cache, k)
		}
	}
	s.cache[key] = selfEntry{perms: perms, expires: expires}
}

// reason says why the user may not take the action.
func (a selfAction) reason(namespace string) string {
	where := ""
	switch {
	case !a.namespaced:
		where = " across the cluster"
	case namespace == "":
		where = " in every namespace"
	default:
		where = fmt.Sprintf(" in namespace %q", namespace)
	}
	resource := a.resource
	if a.subresource != "" {
		resource += "/" + a.subresource
	}
	msg := fmt.Sprintf("You may not %s %s%s", a.verb, resource, where)
	if a.why != "" {
		msg += "; " + a.why
	}
	return msg + "."
}

// selfKey identifies a user, their groups (in any order) and a namespace.
func selfKey(u User, namespace string) string {
	groups := slices.Clone(u.Groups)
	slices.Sort(groups)
	return u.Name + "\x00" + strings.Join(groups, "\x01") + "\x00" + namespace
}
