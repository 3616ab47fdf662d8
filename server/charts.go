package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// The Helm endpoints: the user's releases, one release in detail, the
// catalog of the configured repositories, and the writes, each an
// operation (charts_ops.go). Every call to the cluster runs as the user,
// through kube/helm.

var secretsResource = kube.Resource{Resource: "secrets"}

// listNamespacesAtOnce bounds the namespaces whose releases one list reads
// in parallel, so one user's list cannot take every connection.
const listNamespacesAtOnce = 4

// errNoHelm answers the Helm endpoints of a server without Helm.
func (s *Server) helmReady() error {
	if s.helmOps == nil || s.deps.Objects == nil {
		return &apiError{code: shared.CodeUnavailable, message: "Helm is not available: this server runs without a cluster."}
	}
	return nil
}

// listReleases answers the releases the user may see (GET /api/v1/charts,
// ?namespace= for one): Helm keeps releases in Secrets, so a namespace
// counts when the user may list Secrets there; the others are named in
// forbidden (or counted in hidden), never a 403 for the whole list.
func (s *Server) listReleases(r *http.Request, id Identity) (any, error) {
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	ns, err := namespaceQuery(r.URL.Query(), true)
	if err != nil {
		return nil, err
	}
	out := shared.ReleaseList{Releases: []shared.Release{}}
	var namespaces []string
	if ns != "" {
		ok, err := s.deps.Access.Allowed(r.Context(), id.User, "list", secretsResource, ns)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, &apiError{code: shared.CodeForbidden, message: "You may not read the Helm releases of namespace " + ns + " (they are kept in Secrets, which you may not list there)."}
		}
		namespaces = []string{ns}
	} else {
		scope, err := s.deps.Access.Scope(r.Context(), id.User, "list", secretsResource, s.deps.Objects.Namespaces())
		if err != nil {
			return nil, err
		}
		namespaces, out.Forbidden, out.Hidden = scope.Allowed, scope.Forbidden, scope.Hidden
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		slot = make(chan struct{}, listNamespacesAtOnce)
	)
	for _, n := range namespaces {
		wg.Go(func() {
			slot <- struct{}{}
			defer func() { <-slot }()
			rels, err := s.deps.Helm.ListShared(r.Context(), id.User, n)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if out.Errors == nil {
					out.Errors = map[string]string{}
				}
				ae, _ := toAPIError(err)
				out.Errors[n] = ae.message
				return
			}
			out.Releases = append(out.Releases, rels...)
		})
	}
	wg.Wait()
	for i := range out.Releases {
		rel := &out.Releases[i]
		rel.Stuck = strings.HasPrefix(rel.Status, "pending") && !s.helmOps.Busy(r.Context(), rel.Namespace, rel.Name)
		rel.IconPath = s.deps.Helm.IconPath(rel.Chart, rel.Icon)
	}
	slices.SortFunc(out.Releases, func(a, b shared.Release) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// releaseInPath reads the {name} of a release's path and its required
// ?namespace=.
func releaseInPath(r *http.Request) (shared.ReleaseRef, error) {
	ns, err := namespaceQuery(r.URL.Query(), false)
	if err != nil {
		return shared.ReleaseRef{}, err
	}
	if ns == "" {
		return shared.ReleaseRef{}, invalid("Name the release's namespace with ?namespace=.", map[string]any{shared.DetailParameter: "namespace"})
	}
	name := r.PathValue("name")
	if err := checkReleaseName(name); err != nil {
		return shared.ReleaseRef{}, err
	}
	return shared.ReleaseRef{Namespace: ns, Name: name}, nil
}

// checkReleaseName applies Helm's rule for release names: a DNS-1123
// label of at most 53 characters (Helm adds suffixes to names it derives).
func checkReleaseName(name string) error {
	if err := kube.CheckNamespace(name); err != nil || len(name) > 53 {
		return invalid("The release name "+quote(name)+" is not valid: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 53 characters.",
			map[string]any{shared.DetailParameter: "name"})
	}
	return nil
}

// releaseDetail answers one release (GET /api/v1/charts/{name}): its
// metadata, notes, history and objects with their live state; its values
// and manifest only for a user who may read its Secrets, secret values
// masked.
func (s *Server) releaseDetail(r *http.Request, id Identity) (any, error) {
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	ref, err := releaseInPath(r)
	if err != nil {
		return nil, err
	}
	canRead, err := s.deps.Access.Allowed(r.Context(), id.User, "get", secretsResource, ref.Namespace)
	if err != nil {
		return nil, err
	}
	d, err := s.deps.Helm.Get(r.Context(), id.User, ref.Namespace, ref.Name, canRead)
	if err != nil {
		return nil, err
	}
	d.Release.Stuck = strings.HasPrefix(d.Release.Status, "pending") && !s.helmOps.Busy(r.Context(), ref.Namespace, ref.Name)
	out := shared.ReleaseDetailReply{ReleaseDetail: d, Objects: make([]shared.ReleaseObject, 0, len(d.Resources))}
	for _, res := range d.Resources {
		obj := shared.ReleaseObject{ReleaseResource: res}
		if k, ok := s.deps.Objects.KindOf(res.Kind); ok {
			if row, found := s.deps.Objects.Row(k, res.Namespace, res.Name); found {
				obj.Found, obj.Status, obj.Level = true, row.Status, row.Level
			}
		}
		out.Objects = append(out.Objects, obj)
	}
	return out, nil
}

// catalog answers the charts of the configured repositories
// (GET /api/v1/catalog?q=), searched by name, description and keywords.
func (s *Server) catalog(r *http.Request, _ Identity) (any, error) {
	if s.deps.Helm == nil {
		return nil, &apiError{code: shared.CodeUnavailable, message: "Helm is not available: this server runs without a cluster."}
	}
	q := r.URL.Query().Get("q")
	if len(q) > 200 {
		return nil, invalid("The search is longer than 200 characters.", map[string]any{shared.DetailParameter: "q"})
	}
	return s.deps.Helm.Catalog(r.Context(), q)
}

// catalogIcon serves a chart's icon (GET /api/v1/catalog/icon?repo=&chart=)
// from Kubedeck's origin, as kube/helm fetched it from where the
// repository's index says. An SVG is an image here, never a document:
// the CSP sandboxes it and runs no script, even opened on its own.
func (s *Server) catalogIcon(w http.ResponseWriter, r *http.Request, _ Identity) error {
	q := r.URL.Query()
	for _, p := range []string{"repo", "chart"} {
		if v := q[p]; len(v) != 1 || v[0] == "" || len(v[0]) > 250 {
			return invalid("Name one repository and one chart: ?repo=…&chart=….", map[string]any{shared.DetailParameter: p})
		}
	}
	if s.deps.Helm == nil {
		return &apiError{code: shared.CodeUnavailable, message: "Helm is not available: this server runs without a cluster."}
	}
	icon, err := s.deps.Helm.Icon(r.Context(), q.Get("repo"), q.Get("chart"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", icon.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(icon.Data)))
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(icon.Data)
	}
	return nil
}
