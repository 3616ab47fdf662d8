package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// maxQueryLength bounds the search text of a list.
const maxQueryLength = 200

// kinds answers the kinds the object viewer shows (GET /api/v1/kinds).
func (s *Server) kinds(_ *http.Request, _ Identity) (any, error) {
	if s.deps.Objects == nil {
		return nil, errNoCluster()
	}
	return s.deps.Objects.Kinds(), nil
}

// listResources answers one page of a kind's rows from the informer cache
// (GET /api/v1/resources/{kind}). Only namespaces the user may list are
// included; across all namespaces, the others are named in Forbidden when
// the user may know of them, and counted in Hidden otherwise. A namespace
// the cache has never seen holds nothing: the user's cluster-wide right
// decides, so a made-up name costs no review of its own and tells nothing.
func (s *Server) listResources(r *http.Request, id Identity) (any, error) {
	u := id.User
	k, err := s.resourceKind(r)
	if err != nil {
		return nil, err
	}
	q, namespace, err := parseListQuery(r.URL.Query(), k)
	if err != nil {
		return nil, err
	}
	objs := s.deps.Objects
	res := kube.ResourceOf(k)
	var forbidden []string
	var hidden int
	if !k.Namespaced() || namespace != "" {
		if err := s.mayList(r.Context(), u, k, namespace); err != nil {
			return nil, err
		}
		if namespace != "" {
			q.Namespaces = []string{namespace}
		}
	} else {
		scope, err := s.deps.Access.Scope(r.Context(), u, "list", res, objs.NamespacesOf(k))
		if err != nil {
			return nil, err
		}
		if !scope.All {
			q.Namespaces, forbidden, hidden = scope.Allowed, scope.Forbidden, scope.Hidden
		}
	}
	out, err := objs.List(k, q)
	if err != nil {
		return nil, err
	}
	out.Forbidden, out.Hidden = forbidden, hidden
	return out, nil
}

// resourceDetail answers one object from the informer cache, sanitized, with
// its events and, for workloads, its pods
// (GET /api/v1/resources/{kind}/{namespace}/{name}; "-" is the namespace of
// cluster-scoped objects).
func (s *Server) resourceDetail(r *http.Request, id Identity) (any, error) {
	u := id.User
	k, err := s.resourceKind(r)
	if err != nil {
		return nil, err
	}
	namespace, name, err := objectInPath(r, refOf(k))
	if err != nil {
		return nil, err
	}

	// The object itself needs get, reviewed by name (a Role may list
	// resourceNames); its events and pods need list, and are left out (and
	// named in Forbidden) without it. In a namespace the cache has never
	// seen, where no object is, the user's cluster-wide rights decide
	// between 403 and 404, so a made-up name costs no review of its own.
	reviewed, reviewedName := namespace, name
	if namespace != "" && !s.deps.Objects.HasNamespace(namespace) {
		reviewed, reviewedName = "", ""
	}
	checks := []review{
		{verb: "get", res: kube.ResourceOf(k), ns: reviewed, name: reviewedName},
		{verb: "list", res: kube.Resource{Resource: "events"}, ns: reviewed},
	}
	if k.Info().Workload {
		checks = append(checks, review{verb: "list", res: kube.Resource{Resource: "pods"}, ns: reviewed})
	}
	var wg sync.WaitGroup
	for i := range checks {
		c := &checks[i]
		wg.Go(func() { c.ok, c.err = s.deps.Access.AllowedObject(r.Context(), u, c.verb, c.res, c.ns, c.name) })
	}
	wg.Wait()
	for _, c := range checks {
		if c.err != nil {
			return nil, c.err
		}
	}
	if !checks[0].ok {
		return nil, forbiddenTo("get", k, namespace)
	}
	opts := kube.DetailOptions{Events: checks[1].ok, Pods: len(checks) > 2 && checks[2].ok}
	d, err := s.deps.Objects.Detail(k, namespace, name, opts)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// mayList is the one "may u list kind k in namespace" check ("" for the
// whole cluster, or a cluster-scoped kind): nil, or the 403. A namespace
// the cache has never seen holds nothing, so the user's cluster-wide right
// decides, and a made-up name costs no review of its own and tells nothing.
func (s *Server) mayList(ctx context.Context, u kube.User, k *kube.Kind, namespace string) error {
	reviewed := namespace
	if !s.deps.Objects.HasNamespace(namespace) {
		reviewed = ""
	}
	ok, err := s.deps.Access.Allowed(ctx, u, "list", kube.ResourceOf(k), reviewed)
	if err != nil {
		return err
	}
	if !ok {
		return forbiddenTo("list", k, namespace)
	}
	return nil
}

// review is one access decision a handler needs, and its outcome.
type review struct {
	verb string
	res  kube.Resource
	ns   string
	name string // "" for a review of the whole kind
	ok   bool
	err  error
}

// errNoCluster answers resource requests of a server without a cluster.
func errNoCluster() error {
	return &apiError{code: shared.CodeUnavailable, message: "Kubedeck is not connected to a cluster."}
}

// resourceKind finds the {kind} of the path, once the cache can answer.
func (s *Server) resourceKind(r *http.Request) (*kube.Kind, error) {
	objs := s.deps.Objects
	if objs == nil || s.deps.Access == nil {
		return nil, errNoCluster()
	}
	name := r.PathValue("kind")
	k, ok := objs.Kind(name)
	if !ok {
		kinds := objs.KindNames()
		return nil, notFound("There is no kind "+quote(name)+"; the kinds are "+strings.Join(kinds, ", ")+".",
			map[string]any{"kinds": kinds})
	}
	if !objs.Synced() {
		return nil, &apiError{code: shared.CodeUnavailable, message: "The object cache is still loading; try again in a moment."}
	}
	return k, nil
}

// forbiddenTo is the 403 for a read the user may not make.
func forbiddenTo(verb string, k *kube.Kind, namespace string) error {
	where := " in the cluster"
	if namespace != "" {
		where = " in namespace " + quote(namespace)
	}
	return &apiError{code: shared.CodeForbidden, message: "You may not " + verb + " " + k.Name() + where + ".",
		cause: errors.Join(kube.ErrForbidden, errors.New(verb+" "+k.Name()+where))}
}

// parseListQuery reads a list's parameters: namespace ("" or "all" for every
// namespace), q, sort (a sort key of the kind), order (asc or desc), page
// (1 to kube.MaxPage; a page past the last is empty) and limit (1 or more;
// above kube.MaxLimit it is clamped, and the reply says the limit used).
// Errors name the parameter.
func parseListQuery(v url.Values, k *kube.Kind) (kube.Query, string, error) {
	q := kube.Query{Page: 1, Limit: kube.DefaultLimit, Search: v.Get("q"), Sort: v.Get("sort")}
	bad := func(param, msg string, extra map[string]any) error {
		d := map[string]any{shared.DetailParameter: param}
		for key, val := range extra {
			d[key] = val
		}
		return invalid(msg, d)
	}
	namespace, err := namespaceQuery(v, true)
	if err != nil {
		return q, "", err
	}
	if !k.Namespaced() {
		namespace = ""
	}
	if len(q.Search) > maxQueryLength {
		return q, "", bad("q", "The search text is longer than "+strconv.Itoa(maxQueryLength)+" characters.", nil)
	}
	if q.Sort != "" && !slices.Contains(k.SortKeys(), q.Sort) {
		return q, "", bad("sort", "Cannot sort "+k.Name()+" by "+quote(q.Sort)+"; sort by one of "+strings.Join(k.SortKeys(), ", ")+".",
			map[string]any{"allowed": k.SortKeys()})
	}
	switch v.Get("order") {
	case "", "asc":
	case "desc":
		q.Desc = true
	default:
		return q, "", bad("order", "The order must be asc or desc, not "+quote(v.Get("order"))+".", nil)
	}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > kube.MaxPage {
			return q, "", bad("page", "The page must be a whole number from 1 to "+strconv.Itoa(kube.MaxPage)+", not "+quote(p)+".", nil)
		}
		q.Page = n
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return q, "", bad("limit", "The limit must be a whole number from 1 (at most "+strconv.Itoa(kube.MaxLimit)+" are sent), not "+quote(l)+".", nil)
		}
		q.Limit = min(n, kube.MaxLimit)
	}
	return q, namespace, nil
}

// kindRef is what reading an object's path needs to know of its kind: a
// kind of the object viewer (refOf) or a kind the write API can change
// (writableKind).
type kindRef struct {
	resource   string // "ingresses"
	kind       string // "Ingress"
	namespaced bool
}

// refOf is the kindRef of a kind of the object viewer.
func refOf(k *kube.Kind) kindRef {
	return kindRef{resource: k.Name(), kind: k.Info().Kind, namespaced: k.Namespaced()}
}

// objectInPath reads and checks the {namespace} and {name} of an object's
// path, for detail and delete; the namespace comes back "" for
// cluster-scoped kinds, whose paths have "-" there. It is the one reader of
// object paths.
func objectInPath(r *http.Request, k kindRef) (namespace, name string, err error) {
	namespace, name = r.PathValue("namespace"), r.PathValue("name")
	switch {
	case k.namespaced && namespace == "-":
		return "", "", invalid(k.kind+" objects live in a namespace; name it in the path.", map[string]any{shared.DetailParameter: "namespace"})
	case !k.namespaced && namespace != "-":
		return "", "", invalid(k.kind+" objects are cluster-scoped; use - as the namespace.", map[string]any{shared.DetailParameter: "namespace"})
	case !k.namespaced:
		namespace = ""
	case namespace == "":
		return "", "", invalid("The namespace is missing from the path.", map[string]any{shared.DetailParameter: "namespace"})
	}
	if name == "" {
		return "", "", invalid("The name is missing from the path.", map[string]any{shared.DetailParameter: "name"})
	}
	if err := checkNamespace(namespace); err != nil {
		return "", "", err
	}
	if err := kube.CheckResourceName(k.resource, name); err != nil {
		return "", "", invalid("The name "+quote(name)+" is not a valid "+k.kind+" name: "+err.Error()+".", map[string]any{shared.DetailParameter: "name"})
	}
	return namespace, name, nil
}

// namespaceQuery reads and checks the ?namespace= parameter, the one reader
// of it: "" when absent and, when all is set, for "all" (every namespace).
func namespaceQuery(v url.Values, all bool) (string, error) {
	namespace := v.Get("namespace")
	if all && namespace == "all" {
		return "", nil
	}
	return namespace, checkNamespace(namespace)
}

// checkNamespace applies Kubernetes' rule for namespace names
// (kube.CheckNamespace) to a namespace a request gives; "" passes. The
// error is a 400 naming the parameter, so a name no namespace can have never
// reaches the cache or the API server.
func checkNamespace(namespace string) error {
	if namespace == "" {
		return nil
	}
	if err := kube.CheckNamespace(namespace); err != nil {
		return invalid("The namespace "+quote(namespace)+" is not a valid name: "+err.Error()+".", map[string]any{shared.DetailParameter: "namespace"})
	}
	return nil
}
