package server

import (
	"net/http"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// routes registers every route of the server.
func (s *Server) routes() {
	s.handle("GET /healthz", http.HandlerFunc(s.healthz))
	s.handle("GET /readyz", http.HandlerFunc(s.readyz))
	if s.cfg.SeparateOps {
		// /metrics is on the operations listener only (OpsHandler).
		s.handle("GET /metrics", http.NotFoundHandler())
	} else {
		s.handle("GET /metrics", s.metricsHandler())
	}
	s.handle("GET /web/", http.HandlerFunc(s.serveWeb))
	s.handle("GET /assets/{fp}/web/{name...}", http.HandlerFunc(s.serveAsset))
	s.handle("/", s.requireSession(http.HandlerFunc(s.serveUI)))

	s.handle("GET /api/v1/version", s.api(s.version))
	s.handle("POST /api/v1/client-errors", s.api(s.clientError))
	s.handle("GET /api/v1/me", s.api(s.me))
	s.handle("GET /api/v1/namespaces", s.api(s.namespaces))
	s.handle("GET /api/v1/ws", s.rawAPI(s.serveWS))
	s.handle("GET /api/v1/exec/{namespace}/{pod}", s.rawAPI(s.serveExec))
	s.handle("GET /api/v1/kinds", s.api(s.kinds))
	s.handle("GET /api/v1/resources/{kind}", s.api(s.listResources))
	s.handle("GET /api/v1/resources/{kind}/{namespace}/{name}", s.api(s.resourceDetail))
	s.handle("DELETE /api/v1/resources/{kind}/{namespace}/{name}", s.change(s.deleteResource))
	s.handle("GET /api/v1/resources/{kind}/{namespace}/{name}/logs", s.api(s.readLogs))
	s.handle("POST /api/v1/resources/{kind}/{namespace}/{name}/scale", s.change(s.scaleWorkload))
	s.handle("POST /api/v1/resources/{kind}/{namespace}/{name}/restart", s.change(s.restartWorkload))
	s.handle("GET /api/v1/operations/{id}", s.api(s.operation))
	s.handle("GET /api/v1/deployments/config", s.api(s.deploymentOptions))
	s.handle("POST /api/v1/deployments/validate", s.api(s.validateDeployment))
	s.handle("POST /api/v1/deployments", s.change(s.createDeployment))
	s.handle("GET /api/v1/deployments", s.api(s.listDeployments))
	s.handle("GET /api/v1/deployments/{name}", s.api(s.deploymentDetail))
	s.handle("DELETE /api/v1/deployments/{name}", s.change(s.deleteDeployment))
	s.handle("PUT /api/v1/deployments/{name}", s.change(s.updateDeployment))
	s.handle("POST /api/v1/deployments/{name}/validate", s.api(s.validateUpdate))
	s.handle("POST /api/v1/deployments/{name}/rollback", s.change(s.rollbackDeployment))
	s.handle("GET /api/v1/charts", s.api(s.listReleases))
	s.handle("POST /api/v1/charts", s.change(s.installRelease))
	s.handle("POST /api/v1/charts/uninstall", s.change(s.bulkUninstall))
	s.handle("POST /api/v1/charts/preview", s.api(s.previewRelease))
	s.handle("GET /api/v1/charts/{name}", s.api(s.releaseDetail))
	s.handle("PUT /api/v1/charts/{name}", s.change(s.upgradeRelease))
	s.handle("DELETE /api/v1/charts/{name}", s.change(s.uninstallRelease))
	s.handle("POST /api/v1/charts/{name}/rollback", s.change(s.rollbackRelease))
	s.handle("GET /api/v1/catalog", s.api(s.catalog))
	s.handle("GET /api/v1/catalog/icon", s.rawAPI(s.catalogIcon))
	s.handle("GET /api/v1/catalog/values", s.api(s.chartDefaults))
}

// dispatch sends /api/ requests to the API mux and the rest to the root mux.
// A request no API route takes gets a 404 or 405 envelope, never HTML.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		s.mux.ServeHTTP(w, r)
		return
	}
	h, pattern := s.apiMux.Handler(r)
	if pattern != "" {
		// Every API handler is built by api or rawAPI, which pass gate.
		s.apiMux.ServeHTTP(w, r)
		return
	}
	// Let the mux decide between 404 and 405 (it knows the Allow list), then
	// answer in the envelope.
	probe := &probeWriter{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		writeEnvelope(w, http.StatusMethodNotAllowed, shared.Envelope{Error: &shared.Error{
			Code:    shared.CodeMethod,
			Message: "Method " + r.Method + " is not allowed here; allowed: " + probe.header.Get("Allow") + ".",
		}})
		return
	}
	if probe.status >= 300 && probe.status < 400 {
		// The mux redirects to a cleaned path; follow its lead.
		http.Redirect(w, r, probe.header.Get("Location"), probe.status)
		return
	}
	writeEnvelope(w, http.StatusNotFound, shared.Envelope{Error: &shared.Error{
		Code: shared.CodeNotFound, Message: "No API route " + r.Method + " " + r.URL.Path + ".",
	}})
}

// probeWriter records what the mux's own fallback handler would reply.
type probeWriter struct {
	header http.Header
	status int
}

func (p *probeWriter) Header() http.Header { return p.header }
func (p *probeWriter) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
func (p *probeWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}

// version answers the build's version; the UI polls it to offer an update.
func (s *Server) version(_ *http.Request, _ Identity) (any, error) {
	return shared.Version{Version: s.cfg.Version}, nil
}
