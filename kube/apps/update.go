package apps

import (
	"context"
	"fmt"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// An app's life after its creation: a new spec (checked and dry-run as a
// create is, with the diff from the spec in force) and a rollback to the
// previous revision, each an operation on the one runner that claims the
// app, as its other writes do, and follows the rollout it starts. Only the
// app's owner changes it here: an update builds the objects as the
// owner's, and an app changed by someone else would move to their list.

// readOwned reads app namespace/name as u, refusing an app the wizard did
// not make and one of another owner.
func (s *Service) readOwned(ctx context.Context, u kube.User, namespace, name string) (kube.AppNow, error) {
	if err := s.ready(); err != nil {
		return kube.AppNow{}, err
	}
	now, err := s.opts.Client.ReadApp(ctx, u, namespace, name)
	if err != nil {
		return kube.AppNow{}, err
	}
	if now.Owner != u.Name {
		return kube.AppNow{}, kube.NewError(kube.ErrForbidden,
			fmt.Sprintf("App %s/%s was made by %s: only its owner may change it here.", namespace, name, now.Owner), nil)
	}
	return now, nil
}

// sameApp refuses a spec that would rename or move app namespace/name.
func sameApp(namespace, name string, spec shared.DeploymentSpec) error {
	switch {
	case spec.Name != name:
		return kube.Invalid("An app's name cannot change: this is "+name+".", map[string]any{shared.DetailField: "name"})
	case spec.Namespace != namespace:
		return kube.Invalid("An app's namespace cannot change: this one is in "+namespace+".", map[string]any{shared.DetailField: "namespace"})
	}
	return nil
}

// CheckUpdate checks spec as the new spec of app namespace/name, as u,
// without changing anything: the field errors, or the YAML of its objects
// and the API server's verdict on the update of each; with the spec in
// force and what changes.
func (s *Service) CheckUpdate(ctx context.Context, u kube.User, namespace, name string, spec shared.DeploymentSpec) (shared.DeploymentUpdateCheck, error) {
	if err := sameApp(namespace, name, spec); err != nil {
		return shared.DeploymentUpdateCheck{}, err
	}
	now, err := s.readOwned(ctx, u, namespace, name)
	if err != nil {
		return shared.DeploymentUpdateCheck{}, err
	}
	c, err := s.check(ctx, u, spec, &now)
	if err != nil {
		return shared.DeploymentUpdateCheck{}, err
	}
	v, err := c.validation()
	return shared.DeploymentUpdateCheck{DeploymentValidation: v, Current: now.Spec, Changes: shared.SpecChanges(now.Spec, spec)}, err
}

// Update starts changing app namespace/name to spec as u: the spec is
// checked and the update dry-run first (a refusal is answered at once and
// nothing changes), then an operation updates the Deployment, makes,
// changes or removes the Service and Ingress as the exposure asks, and
// follows the rollout.
func (s *Service) Update(ctx context.Context, u kube.User, origin operations.Origin, namespace, name string, spec shared.DeploymentSpec) (shared.Operation, error) {
	if s.opts.Runner == nil {
		return shared.Operation{}, &shared.Error{Code: shared.CodeUnavailable, Message: "This server runs no operations."}
	}
	if err := sameApp(namespace, name, spec); err != nil {
		return shared.Operation{}, err
	}
	now, err := s.readOwned(ctx, u, namespace, name)
	if err != nil {
		return shared.Operation{}, err
	}
	if len(shared.SpecChanges(now.Spec, spec)) == 0 {
		return shared.Operation{}, kube.Invalid("Nothing to change: this is the spec "+name+" runs.", nil)
	}
	c, err := s.check(ctx, u, spec, &now)
	if err == nil {
		err = c.refusal("changed")
	}
	if err != nil {
		return shared.Operation{}, err
	}
	return s.start(ctx, u, origin, shared.OperationUpdate, namespace, name, c.objs.URL, func(ctx context.Context, h *operations.Handle) (int64, error) {
		_ = h.Step(shared.StepDeployment, shared.OperationRunning, "Updating Deployment "+name+".")
		gen, _, err := s.opts.Client.UpdateApp(ctx, u, now, c.objs, false, func(w kube.AppWrite) {
			_ = h.Step(stepOf[w.Object.Kind()], shared.OperationSucceeded, fmt.Sprintf("%s %s: %sd.", w.Object.Kind(), w.Object.Name(), w.Action))
		})
		return gen, err
	})
}

// Rollback starts putting app namespace/name back to its previous
// revision as u, as `kubectl rollout undo` does; an app with none is
// refused at once.
func (s *Service) Rollback(ctx context.Context, u kube.User, origin operations.Origin, namespace, name string) (shared.Operation, error) {
	if s.opts.Runner == nil {
		return shared.Operation{}, &shared.Error{Code: shared.CodeUnavailable, Message: "This server runs no operations."}
	}
	now, err := s.readOwned(ctx, u, namespace, name)
	if err != nil {
		return shared.Operation{}, err
	}
	plan, err := s.opts.Client.PlanRollback(ctx, u, now)
	if err != nil {
		return shared.Operation{}, err
	}
	return s.start(ctx, u, origin, shared.OperationRollback, namespace, name, now.URL(s.Config()), func(ctx context.Context, h *operations.Handle) (int64, error) {
		_ = h.Step(shared.StepRollback, shared.OperationRunning,
			fmt.Sprintf("Rolling %s back to revision %d (%s).", name, plan.Revision, plan.To))
		done, err := s.opts.Client.RollbackApp(ctx, u, plan)
		if err == nil {
			_ = h.Step(shared.StepRollback, shared.OperationSucceeded,
				fmt.Sprintf("Rolled %s back to revision %d: image %s, was %s.", name, plan.Revision, plan.To, plan.From))
		}
		return done.Generation, err
	})
}

// start starts operation kind on app namespace/name, claiming it as every
// write of an app does: write makes the change and returns the
// Deployment's generation with it; the rollout is then followed, the
// outcome (url, the app's address, and the final progress) its result.
func (s *Service) start(ctx context.Context, u kube.User, origin operations.Origin, kind shared.OperationKind, namespace, name, url string,
	write func(context.Context, *operations.Handle) (int64, error)) (shared.Operation, error) {
	target := shared.OperationTarget{Kind: shared.TargetApp, Namespace: namespace, Name: name}
	w := workload{resource: "deployments", namespace: namespace, name: name}
	return s.startRollout(ctx, u, origin, kind, target, w, deployTimeout, write, func(p shared.DeploymentProgress) any {
		return shared.DeploymentOutcome{Created: []shared.OperationTarget{}, URL: url, Progress: p}
	})
}
