package server

import (
	"net/http"
	"sync"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

// What the install and upgrade forms ask before anything changes: a
// chart's default values, and a dry run of the install or upgrade.

// Bounds of the dry runs: each downloads a chart, renders it and asks the
// API server to check every object, so one user may run one at a time
// and the server a few.
const (
	previewsPerUser = 1
	previewsAtOnce  = 4
)

// previewGate bounds the dry runs running, per user and in all.
type previewGate struct {
	mu     sync.Mutex
	byUser map[string]int
	all    int
}

// enter takes a place for user's dry run, or says why there is none.
func (g *previewGate) enter(user string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.byUser[user] >= previewsPerUser:
		return &apiError{code: shared.CodeRateLimited, details: map[string]any{shared.DetailRetryAfter: 2},
			message: "Your previous preview is still being rendered; wait for it."}
	case g.all >= previewsAtOnce:
		return &apiError{code: shared.CodeRateLimited, details: map[string]any{shared.DetailRetryAfter: 2},
			message: "The server is rendering other previews; try again in a moment."}
	}
	if g.byUser == nil {
		g.byUser = map[string]int{}
	}
	g.byUser[user]++
	g.all++
	return nil
}

// leave gives user's place back.
func (g *previewGate) leave(user string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all--
	if g.byUser[user]--; g.byUser[user] <= 0 {
		delete(g.byUser, user)
	}
}

// chartDefaults answers a chart's default values
// (GET /api/v1/catalog/values?chart=<repository>/<chart>&version=).
func (s *Server) chartDefaults(r *http.Request, _ Identity) (any, error) {
	q := r.URL.Query()
	chart, version := q["chart"], q["version"]
	if len(chart) != 1 || chart[0] == "" || len(chart[0]) > 250 {
		return nil, invalid("Name one chart: ?chart=<repository>/<chart>.", map[string]any{shared.DetailParameter: "chart"})
	}
	if len(version) > 1 || (len(version) == 1 && len(version[0]) > 128) {
		return nil, invalid("Name at most one version.", map[string]any{shared.DetailParameter: "version"})
	}
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	if _, _, err := helm.ParseChartRef(chart[0], s.deps.Helm.Repositories()); err != nil {
		return nil, err
	}
	return s.deps.Helm.Defaults(r.Context(), chart[0], q.Get("version"))
}

// previewRelease renders an install or an upgrade as the user, as a dry
// run against the cluster (POST /api/v1/charts/preview): the release it
// would make, with its notes, values, manifest (Secrets masked) and
// objects. Nothing changes; what an install would refuse is refused the
// same way.
func (s *Server) previewRelease(r *http.Request, id Identity) (any, error) {
	var req shared.ChartPreview
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := checkChartBody(r, &req.ChartInstall); err != nil {
		return nil, err
	}
	if err := checkInstallTarget(req.ChartInstall); err != nil {
		return nil, err
	}
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	if err := s.previews.enter(id.User.Name); err != nil {
		return nil, err
	}
	defer s.previews.leave(id.User.Name)
	return s.helmOps.Preview(r.Context(), id.User, installRequest(req.ChartInstall), req.Upgrade)
}
