package server

import (
	"fmt"
	"net/http"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

// The Helm writes: install, upgrade, rollback and uninstall, each an
// operation that kube/helm's Operator checks (the user's right first) and
// runs on the one runner. These handlers decode, call and encode.

// maxBulkUninstall bounds the releases of one bulk uninstall.
const maxBulkUninstall = 100

// readChartInstall reads an install, upgrade or preview's body: its
// namespace, when ?namespace= names one too, must be the same.
func readChartInstall(r *http.Request) (shared.ChartInstall, error) {
	var req shared.ChartInstall
	if err := decodeJSON(r, &req); err != nil {
		return req, err
	}
	return req, checkChartBody(r, &req)
}

// checkChartBody checks the size of a body's values and takes its
// namespace from ?namespace= when it names none (400 when they differ).
func checkChartBody(r *http.Request, req *shared.ChartInstall) error {
	if len(req.Values) > maxSpecBytes {
		return invalid(fmt.Sprintf("The values are longer than %d bytes.", maxSpecBytes), map[string]any{shared.DetailField: "values"})
	}
	ns, err := bodyNamespace(r, req.Namespace)
	req.Namespace = ns
	return err
}

// installRequest is the kube/helm request of an install or upgrade.
func installRequest(req shared.ChartInstall) helm.InstallRequest {
	return helm.InstallRequest{Namespace: req.Namespace, Name: req.Name, Chart: req.Chart, Version: req.Version, Values: req.Values}
}

// installRelease installs a chart (POST /api/v1/charts).
func (s *Server) installRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	req, err := readChartInstall(r)
	if err != nil {
		return nil, err
	}
	if err := checkInstallTarget(req); err != nil {
		return nil, err
	}
	audit.as("install", auditObject{Kind: shared.TargetRelease, Namespace: req.Namespace, Name: req.Name})
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	op, err := s.helmOps.Install(r.Context(), id.User, origin(r), installRequest(req))
	if err != nil {
		return nil, err
	}
	return accepted(op, "Installing release "+req.Namespace+"/"+req.Name+"."), nil
}

// upgradeRelease upgrades a release (PUT /api/v1/charts/{name}).
func (s *Server) upgradeRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	ref, err := releaseInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("upgrade", auditObject{Kind: shared.TargetRelease, Namespace: ref.Namespace, Name: ref.Name})
	req, err := readChartInstall(r)
	if err != nil {
		return nil, err
	}
	if (req.Name != "" && req.Name != ref.Name) || req.Namespace != ref.Namespace {
		return nil, invalid("The body names another release than the path.", nil)
	}
	req.Name = ref.Name
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	op, err := s.helmOps.Upgrade(r.Context(), id.User, origin(r), installRequest(req))
	if err != nil {
		return nil, err
	}
	return accepted(op, "Upgrading release "+ref.Namespace+"/"+ref.Name+"."), nil
}

// checkInstallTarget checks the namespace and the release name an install
// (or its preview) names.
func checkInstallTarget(req shared.ChartInstall) error {
	if err := checkNamespace(req.Namespace); err != nil || req.Namespace == "" {
		return invalid("Choose the namespace to install into.", map[string]any{shared.DetailField: "namespace"})
	}
	return checkReleaseName(req.Name)
}

// rollbackRelease rolls a release back to a revision
// (POST /api/v1/charts/{name}/rollback): also the way out of a release
// stuck pending.
func (s *Server) rollbackRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	ref, err := releaseInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("rollback", auditObject{Kind: shared.TargetRelease, Namespace: ref.Namespace, Name: ref.Name})
	var req shared.ChartRollback
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	op, err := s.helmOps.Rollback(r.Context(), id.User, origin(r), ref.Namespace, ref.Name, req.Revision)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Rolling back release "+ref.Namespace+"/"+ref.Name+"."), nil
}

// uninstallRelease uninstalls a release (DELETE /api/v1/charts/{name},
// ?keepHistory=true to keep its history).
func (s *Server) uninstallRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	ref, err := releaseInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("uninstall", auditObject{Kind: shared.TargetRelease, Namespace: ref.Namespace, Name: ref.Name})
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	keep := r.URL.Query().Get("keepHistory") == "true"
	op, err := s.helmOps.Uninstall(r.Context(), id.User, origin(r), ref.Namespace, ref.Name, keep)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Uninstalling release "+ref.Namespace+"/"+ref.Name+"."), nil
}

// bulkUninstall uninstalls several releases (POST /api/v1/charts/uninstall):
// one result per release, in order, each an operation started or the
// reason it was not; never all or nothing.
func (s *Server) bulkUninstall(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	var req shared.BulkUninstall
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	audit.as("uninstall", auditObject{Kind: shared.TargetRelease, Name: fmt.Sprintf("(%d releases)", len(req.Releases))})
	if len(req.Releases) == 0 || len(req.Releases) > maxBulkUninstall {
		return nil, invalid(fmt.Sprintf("Name from 1 to %d releases.", maxBulkUninstall), map[string]any{shared.DetailField: "releases"})
	}
	out := shared.BulkUninstallResult{Results: make([]shared.UninstallResult, 0, len(req.Releases))}
	for _, ref := range req.Releases {
		res := shared.UninstallResult{ReleaseRef: ref}
		err := checkNamespace(ref.Namespace)
		if err == nil && ref.Namespace == "" {
			err = invalid("A release's namespace is missing.", nil)
		}
		if err == nil {
			err = checkReleaseName(ref.Name)
		}
		if err == nil {
			var op shared.Operation
			if op, err = s.helmOps.Uninstall(r.Context(), id.User, origin(r), ref.Namespace, ref.Name, req.KeepHistory); err == nil {
				res.Operation = &op
			}
		}
		if err != nil {
			ae, _ := toAPIError(err)
			res.Error = &shared.Error{Code: ae.code, Message: ae.message}
		}
		s.auditStarted(r, id, "uninstall", auditObject{Kind: shared.TargetRelease, Namespace: ref.Namespace, Name: ref.Name}, err, res.Operation)
		out.Results = append(out.Results, res)
	}
	return out, nil
}
