package helm

import (
	"context"
	"errors"
	"fmt"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// The Helm writes as operations: install, upgrade, rollback and uninstall,
// each checked (the user's right over the release's Secrets, the chart
// reference, the values against the chart's schema) before an operation
// starts, then run as the user on the one runner, which keeps one
// operation at a time on a release across replicas. A write the user may
// not make is refused with ErrForbidden: no operation, no claim on the
// release.

// Operator runs the Helm writes.
type Operator struct {
	helm   *Client
	access *kube.Access
	runner *operations.Runner
}

// NewOperator is the Operator of c's writes; access reviews the user's
// rights, runner runs the operations.
func NewOperator(c *Client, access *kube.Access, runner *operations.Runner) *Operator {
	return &Operator{helm: c, access: access, runner: runner}
}

var secretsResource = kube.Resource{Resource: "secrets"}

// rights are the verbs on Secrets each write needs in the release's
// namespace (Helm keeps a release's revisions in Secrets there): the
// reads of its history, and the writes of a revision.
var rights = map[shared.OperationKind][]string{
	shared.OperationHelmInstall:   {"list", "create"},
	shared.OperationHelmUpgrade:   {"list", "create", "update"},
	shared.OperationHelmRollback:  {"list", "create", "update"},
	shared.OperationHelmUninstall: {"list", "delete"},
}

// verbs are the audit verbs and, for people, what each write does.
var verbs = map[shared.OperationKind]struct{ audit, done string }{
	shared.OperationHelmInstall:   {"install", "installed"},
	shared.OperationHelmUpgrade:   {"upgrade", "upgraded"},
	shared.OperationHelmRollback:  {"rollback", "rolled back"},
	shared.OperationHelmUninstall: {"uninstall", "uninstalled"},
}

// mayWrite refuses, with ErrForbidden, a write of kind u may not make in
// namespace.
func (o *Operator) mayWrite(ctx context.Context, u kube.User, kind shared.OperationKind, namespace string) error {
	for _, verb := range rights[kind] {
		ok, err := o.access.Allowed(ctx, u, verb, secretsResource, namespace)
		if err != nil {
			return err
		}
		if !ok {
			return kube.NewError(kube.ErrForbidden, fmt.Sprintf("You may not %s releases in namespace %s: Helm keeps them in Secrets, which you may not %s there.",
				verbs[kind].audit, namespace, verb), nil)
		}
	}
	return nil
}

// checkChart checks an install or upgrade's chart reference (a configured
// repository's chart, never a path or URL), its version and its values
// against the chart's schema, so that bad values are refused now, with
// their paths and lines, rather than by a failed operation.
func (o *Operator) checkChart(ctx context.Context, req InstallRequest) error {
	if err := o.checkRef(req); err != nil {
		return err
	}
	if err := o.helm.CheckValues(ctx, req.Chart, req.Version, req.Values); err != nil {
		return ValuesError(err)
	}
	return nil
}

// checkRef checks a request's chart reference and version.
func (o *Operator) checkRef(req InstallRequest) error {
	if _, _, err := ParseChartRef(req.Chart, o.helm.Repositories()); err != nil {
		return err
	}
	if req.Version == "" || len(req.Version) > 128 {
		return kube.Invalid("Name the chart's version.", map[string]any{shared.DetailField: "version"})
	}
	return nil
}

// Preview renders an install (or, with upgrade, an upgrade) of req as u,
// as a dry run against the cluster: nothing changes, and what the write
// would refuse is refused the same way.
func (o *Operator) Preview(ctx context.Context, u kube.User, req InstallRequest, upgrade bool) (shared.ReleaseDetail, error) {
	if err := checkRelease(req.Namespace, req.Name); err != nil {
		return shared.ReleaseDetail{}, err
	}
	if err := o.checkRef(req); err != nil {
		return shared.ReleaseDetail{}, err
	}
	d, err := o.helm.Preview(ctx, u, req, upgrade)
	if err != nil {
		return shared.ReleaseDetail{}, ValuesError(err)
	}
	return d, nil
}

// start checks u's right to write kind on release ns/name, then the
// request (check, when not nil), then starts the operation doing work.
func (o *Operator) start(ctx context.Context, u kube.User, origin operations.Origin, kind shared.OperationKind, namespace, name string,
	check func() error, work func(ctx context.Context, progress func(string)) (*shared.Release, error)) (shared.Operation, error) {
	if err := checkRelease(namespace, name); err != nil {
		return shared.Operation{}, err
	}
	if err := o.mayWrite(ctx, u, kind, namespace); err != nil {
		return shared.Operation{}, err
	}
	if check != nil {
		if err := check(); err != nil {
			return shared.Operation{}, err
		}
	}
	ref := shared.ReleaseRef{Namespace: namespace, Name: name}
	return o.runner.Start(ctx, operations.Request{
		Owner: u.Name, Groups: u.Groups, Origin: origin,
		Verb: verbs[kind].audit, Kind: kind, Target: releaseTarget(namespace, name),
	}, func(ctx context.Context, h *operations.Handle) error {
		_ = h.Step(shared.StepHelm, shared.OperationRunning, "Started.")
		rel, err := work(ctx, func(msg string) { _ = h.Progress(msg) })
		// The release's Secrets changed (or may have): the list is read
		// anew, without waiting for the informer's event.
		o.helm.Forget(context.WithoutCancel(ctx), namespace)
		if err != nil {
			if ctx.Err() != nil && o.runner.Stopping() {
				return &shared.Error{Code: shared.CodeUnavailable,
					Message: "The server stopped before " + verbs[kind].audit + " of " + name + " finished; the release may be stuck: roll it back to recover."}
			}
			return err
		}
		var result any = ref
		if rel != nil {
			result = rel
		}
		return h.Succeed(result, "Release "+namespace+"/"+name+" "+verbs[kind].done+".")
	})
}

// releaseTarget is the operation target of release namespace/name.
func releaseTarget(namespace, name string) shared.OperationTarget {
	return shared.OperationTarget{Kind: shared.TargetRelease, Namespace: namespace, Name: name}
}

// Busy says whether an operation works on release namespace/name, on any
// replica: a release pending without one is stuck.
func (o *Operator) Busy(ctx context.Context, namespace, name string) bool {
	return o.runner.Busy(ctx, releaseTarget(namespace, name))
}

// Install starts installing req as u.
func (o *Operator) Install(ctx context.Context, u kube.User, origin operations.Origin, req InstallRequest) (shared.Operation, error) {
	return o.apply(ctx, u, origin, shared.OperationHelmInstall, req, o.helm.Install)
}

// Upgrade starts upgrading release req.Name to req as u.
func (o *Operator) Upgrade(ctx context.Context, u kube.User, origin operations.Origin, req UpgradeRequest) (shared.Operation, error) {
	return o.apply(ctx, u, origin, shared.OperationHelmUpgrade, req, o.helm.Upgrade)
}

// apply starts an install or upgrade (kind) of req as u, done by write.
func (o *Operator) apply(ctx context.Context, u kube.User, origin operations.Origin, kind shared.OperationKind, req InstallRequest,
	write func(context.Context, kube.User, InstallRequest, func(string)) (shared.Release, error)) (shared.Operation, error) {
	req.DryRun = false
	check := func() error { return o.checkChart(ctx, req) }
	return o.start(ctx, u, origin, kind, req.Namespace, req.Name, check, func(ctx context.Context, progress func(string)) (*shared.Release, error) {
		rel, err := write(ctx, u, req, progress)
		return &rel, err
	})
}

// Rollback starts rolling release namespace/name back to revision (0: the
// one before the current) as u: also the way out of a release stuck
// pending.
func (o *Operator) Rollback(ctx context.Context, u kube.User, origin operations.Origin, namespace, name string, revision int) (shared.Operation, error) {
	if revision < 0 || revision > 1<<20 {
		return shared.Operation{}, kube.Invalid("The revision is not valid (0 is the one before the current).", map[string]any{shared.DetailField: "revision"})
	}
	return o.start(ctx, u, origin, shared.OperationHelmRollback, namespace, name, nil, func(ctx context.Context, progress func(string)) (*shared.Release, error) {
		rel, err := o.helm.Rollback(ctx, u, namespace, name, revision, progress)
		return &rel, err
	})
}

// Uninstall starts uninstalling release namespace/name as u; with
// keepHistory its revisions stay.
func (o *Operator) Uninstall(ctx context.Context, u kube.User, origin operations.Origin, namespace, name string, keepHistory bool) (shared.Operation, error) {
	return o.start(ctx, u, origin, shared.OperationHelmUninstall, namespace, name, nil, func(ctx context.Context, progress func(string)) (*shared.Release, error) {
		progress("Uninstalling " + name + ".")
		return nil, o.helm.Uninstall(ctx, u, namespace, name, keepHistory)
	})
}

// ValuesError is err, an error of values an install, upgrade or preview
// would refuse, with the details a client shows: the field and, for a
// schema, every violation's JSON path and the line of the values it is
// about (1 for the first; absent when unknown); for text that is not
// YAML, the line the parser stopped at. Other errors come back as they are.
func ValuesError(err error) error {
	pe, ok := kube.Public(err)
	if !ok {
		return err
	}
	var syn *SyntaxError
	if errors.As(err, &syn) {
		details := map[string]any{shared.DetailField: "values"}
		if syn.Line > 0 {
			details[shared.DetailLine] = syn.Line
		}
		return kube.WithDetails(kube.ErrInvalid, pe.Message, details, err)
	}
	var se *SchemaError
	if !errors.As(err, &se) || len(se.Violations) == 0 {
		return err
	}
	// validateValues gives them in the order of the text's lines.
	first := se.Violations[0]
	details := map[string]any{shared.DetailField: "values", shared.DetailPath: first.Path}
	if first.Line > 0 {
		details[shared.DetailLine] = first.Line
	}
	violations := make([]map[string]any, 0, len(se.Violations))
	for _, v := range se.Violations {
		one := map[string]any{shared.DetailPath: v.Path, "message": v.Message}
		if v.Line > 0 {
			one[shared.DetailLine] = v.Line
		}
		violations = append(violations, one)
	}
	details[shared.DetailViolations] = violations
	return kube.WithDetails(kube.ErrInvalid, pe.Message, details, err)
}
