package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// The Helm writes: install, upgrade, rollback and uninstall, each an
// operation that runs as the user after the 202, one at a time per
// release. On shutdown the server waits for running ones (up to its drain
// time), then stops them and says so in their outcome: a release stopped
// mid-way stays pending, "stuck", until rolled back.

// maxBulkUninstall bounds the releases of one bulk uninstall.
const maxBulkUninstall = 100

// helmOperation is the work of one Helm operation: it reports through
// progress and returns the release as it ends (nil for an uninstall).
type helmOperation func(ctx context.Context, progress func(string)) (*shared.Release, error)

// startHelm starts operation kind on release ref for u: 409 when another
// operation works on the release, 429/503 when the registry's bounds are
// reached; then work runs in the background and finishes the operation.
func (s *Server) startHelm(ctx context.Context, u kube.User, kind shared.OperationKind, ref shared.ReleaseRef, work helmOperation) (shared.Operation, error) {
	if s.deps.Operations == nil {
		return shared.Operation{}, &apiError{code: shared.CodeUnavailable, message: "This server runs no operations."}
	}
	op, h, err := s.deps.Operations.Start(ctx, u.Name, kind, shared.OperationTarget{Kind: "release", Namespace: ref.Namespace, Name: ref.Name})
	if err != nil {
		return shared.Operation{}, err
	}
	if !s.helmOps.claim(ref, op.ID) {
		conflict := &apiError{code: shared.CodeConflict,
			message: "Another operation is working on release " + ref.Namespace + "/" + ref.Name + "; wait for it to finish."}
		_ = h.Fail(shared.Error{Code: conflict.code, Message: conflict.message})
		return shared.Operation{}, conflict
	}
	s.helmOps.wg.Add(1)
	go s.runHelm(h, ref, op.ID, kind, work)
	return op, nil
}

// runHelm runs one Helm operation to its end.
func (s *Server) runHelm(h *operations.Handle, ref shared.ReleaseRef, id string, kind shared.OperationKind, work helmOperation) {
	defer s.helmOps.wg.Done()
	defer s.helmOps.release(ref, id)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The work gets the drain time to finish when the server stops.
	stop := context.AfterFunc(s.stopping, func() {
		t := time.AfterFunc(s.cfg.ShutdownTimeout, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	defer stop()
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("helm operation panicked", "operation", id, "panic", fmt.Sprint(p))
			_ = h.Fail(shared.Error{Code: shared.CodeInternal, Message: "Something went wrong on the server; it has been logged."})
		}
	}()
	_ = h.Step("helm", shared.OperationRunning, "Started.")
	rel, err := work(ctx, func(msg string) { _ = h.Progress(msg) })
	// The release's Secrets changed (or may have): the list is read anew,
	// without waiting for the informer's event.
	s.deps.Helm.Forget(ctx, ref.Namespace)
	if err != nil {
		ae, fault := toAPIError(err)
		if fault {
			s.log.Error("helm operation failed", "operation", id, "kind", kind, "err", err)
		}
		msg := ae.message
		if ctx.Err() != nil && s.stopping.Err() != nil {
			msg = "The server stopped before " + string(kind) + " of " + ref.Name + " finished; the release may be stuck: roll it back to recover."
		}
		_ = h.Fail(shared.Error{Code: ae.code, Message: msg, Details: ae.details})
		return
	}
	what := map[shared.OperationKind]string{shared.OperationHelmInstall: "installed", shared.OperationHelmUpgrade: "upgraded",
		shared.OperationHelmRollback: "rolled back", shared.OperationHelmUninstall: "uninstalled"}[kind]
	var result any = ref
	if rel != nil {
		result = rel
	}
	_ = h.Succeed(result, "Release "+ref.Namespace+"/"+ref.Name+" "+what+".")
}

// installRelease installs a chart (POST /api/v1/charts).
func (s *Server) installRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	var req shared.ChartInstall
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	if err := checkInstallTarget(req); err != nil {
		return nil, err
	}
	ref := shared.ReleaseRef{Namespace: req.Namespace, Name: req.Name}
	audit.as("install", auditObject{Kind: "release", Namespace: ref.Namespace, Name: ref.Name})
	return s.helmWrite(r, id, shared.OperationHelmInstall, ref, req, func(ctx context.Context, progress func(string)) (*shared.Release, error) {
		rel, err := s.deps.Helm.Install(ctx, id.User, helm.InstallRequest{Namespace: ref.Namespace, Name: ref.Name,
			Chart: req.Chart, Version: req.Version, Values: req.Values}, progress)
		return &rel, err
	})
}

// upgradeRelease upgrades a release (PUT /api/v1/charts/{name}).
func (s *Server) upgradeRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	ref, err := releaseInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("upgrade", auditObject{Kind: "release", Namespace: ref.Namespace, Name: ref.Name})
	var req shared.ChartInstall
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	if (req.Name != "" && req.Name != ref.Name) || (req.Namespace != "" && req.Namespace != ref.Namespace) {
		return nil, invalid("The body names another release than the path.", nil)
	}
	return s.helmWrite(r, id, shared.OperationHelmUpgrade, ref, req, func(ctx context.Context, progress func(string)) (*shared.Release, error) {
		rel, err := s.deps.Helm.Upgrade(ctx, id.User, helm.UpgradeRequest{Namespace: ref.Namespace, Name: ref.Name,
			Chart: req.Chart, Version: req.Version, Values: req.Values}, progress)
		return &rel, err
	})
}

// helmWrite checks an install or upgrade's chart reference (a configured
// repository's chart, never a path or URL) before starting it.
func (s *Server) helmWrite(r *http.Request, id Identity, kind shared.OperationKind, ref shared.ReleaseRef, req shared.ChartInstall, work helmOperation) (any, error) {
	if err := s.checkChartRequest(req); err != nil {
		return nil, err
	}
	// Values that break the chart's schema are refused now, with the
	// violations' paths and lines, rather than by a failed operation.
	if err := s.deps.Helm.CheckValues(r.Context(), req.Chart, req.Version, req.Values); err != nil {
		return nil, valuesError(err)
	}
	op, err := s.startHelm(r.Context(), id.User, kind, ref, work)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Working on release "+ref.Namespace+"/"+ref.Name+"."), nil
}

// checkInstallTarget checks the namespace and the release name an install
// (or its preview) names.
func checkInstallTarget(req shared.ChartInstall) error {
	if err := checkNamespace(req.Namespace); err != nil || req.Namespace == "" {
		return invalid("Choose the namespace to install into.", map[string]any{"field": "namespace"})
	}
	return checkReleaseName(req.Name)
}

// checkChartRequest checks an install, upgrade or preview's chart
// reference (a configured repository's chart, never a path or URL), its
// version and the size of its values.
func (s *Server) checkChartRequest(req shared.ChartInstall) error {
	if err := s.helmReady(); err != nil {
		return err
	}
	if _, _, err := helm.ParseChartRef(req.Chart, s.deps.Helm.Repositories()); err != nil {
		return err
	}
	if req.Version == "" || len(req.Version) > 128 {
		return invalid("Name the chart's version.", map[string]any{"field": "version"})
	}
	if len(req.Values) > maxSpecBytes {
		return invalid(fmt.Sprintf("The values are longer than %d bytes.", maxSpecBytes), map[string]any{"field": "values"})
	}
	return nil
}

// valuesError is the reply to values an install or upgrade would refuse:
// 400 naming the field and, for a schema, every violation's JSON path and
// the line of the values it is about; for text that is not YAML, the
// line the parser stopped at. A line is 1 for the first, absent when
// unknown.
func valuesError(err error) error {
	ae, _ := toAPIError(err)
	var syn *helm.SyntaxError
	if errors.As(err, &syn) {
		details := map[string]any{"field": "values"}
		if syn.Line > 0 {
			details["line"] = syn.Line
		}
		return invalid(ae.message, details)
	}
	var se *helm.SchemaError
	if !errors.As(err, &se) {
		return err
	}
	// kube/helm gives them in the order of the text's lines.
	first := se.Violations[0]
	details := map[string]any{"field": "values", "path": first.Path}
	if first.Line > 0 {
		details["line"] = first.Line
	}
	violations := make([]map[string]any, 0, len(se.Violations))
	for _, v := range se.Violations {
		one := map[string]any{"path": v.Path, "message": v.Message}
		if v.Line > 0 {
			one["line"] = v.Line
		}
		violations = append(violations, one)
	}
	details["violations"] = violations
	return invalid(ae.message, details)
}

// rollbackRelease rolls a release back to a revision
// (POST /api/v1/charts/{name}/rollback): also the way out of a release
// stuck pending.
func (s *Server) rollbackRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	ref, err := releaseInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("rollback", auditObject{Kind: "release", Namespace: ref.Namespace, Name: ref.Name})
	var req shared.ChartRollback
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.Revision < 0 || req.Revision > 1<<20 {
		return nil, invalid("The revision is not valid (0 is the one before the current).", map[string]any{"field": "revision"})
	}
	op, err := s.startHelm(r.Context(), id.User, shared.OperationHelmRollback, ref, func(ctx context.Context, progress func(string)) (*shared.Release, error) {
		rel, err := s.deps.Helm.Rollback(ctx, id.User, ref.Namespace, ref.Name, req.Revision, progress)
		return &rel, err
	})
	if err != nil {
		return nil, err
	}
	return accepted(op, "Rolling back release "+ref.Namespace+"/"+ref.Name+"."), nil
}

// uninstallRelease uninstalls a release (DELETE /api/v1/charts/{name},
// ?keepHistory=true to keep its history).
func (s *Server) uninstallRelease(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	if err := s.helmReady(); err != nil {
		return nil, err
	}
	ref, err := releaseInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("uninstall", auditObject{Kind: "release", Namespace: ref.Namespace, Name: ref.Name})
	keep := r.URL.Query().Get("keepHistory") == "true"
	op, err := s.startHelm(r.Context(), id.User, shared.OperationHelmUninstall, ref, s.uninstallWork(id.User, ref, keep))
	if err != nil {
		return nil, err
	}
	return accepted(op, "Uninstalling release "+ref.Namespace+"/"+ref.Name+"."), nil
}

// uninstallWork is the work of uninstalling ref.
func (s *Server) uninstallWork(u kube.User, ref shared.ReleaseRef, keepHistory bool) helmOperation {
	return func(ctx context.Context, progress func(string)) (*shared.Release, error) {
		progress("Uninstalling " + ref.Name + ".")
		return nil, s.deps.Helm.Uninstall(ctx, u, ref.Namespace, ref.Name, keepHistory)
	}
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
	audit.as("uninstall", auditObject{Kind: "release", Name: fmt.Sprintf("(%d releases)", len(req.Releases))})
	if len(req.Releases) == 0 || len(req.Releases) > maxBulkUninstall {
		return nil, invalid(fmt.Sprintf("Name from 1 to %d releases.", maxBulkUninstall), map[string]any{"field": "releases"})
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
			// The user's right is checked before the operation starts, so
			// a release they may not remove is refused here, by name.
			var ok bool
			ok, err = s.deps.Access.Allowed(r.Context(), id.User, "delete", secretsResource, ref.Namespace)
			if err == nil && !ok {
				err = &apiError{code: shared.CodeForbidden, message: "You may not uninstall releases in namespace " + ref.Namespace + "."}
			}
		}
		if err == nil {
			var op shared.Operation
			if op, err = s.startHelm(r.Context(), id.User, shared.OperationHelmUninstall, ref, s.uninstallWork(id.User, ref, req.KeepHistory)); err == nil {
				res.Operation = &op
			}
		}
		if err != nil {
			ae, _ := toAPIError(err)
			res.Error = &shared.Error{Code: ae.code, Message: ae.message}
		}
		s.audit(r, id, "uninstall", auditObject{Kind: "release", Namespace: ref.Namespace, Name: ref.Name}, err)
		out.Results = append(out.Results, res)
	}
	return out, nil
}
