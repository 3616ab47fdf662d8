package apps

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// deployTimeout bounds an app's creation and rollout; a Deployment's own
// progress deadline (10 minutes by default) ends a stuck rollout first.
const deployTimeout = 15 * time.Minute

// Deploy creates the app of spec as u: the spec is checked and every
// object judged by a dry run first (so a refusal, such as no right to
// create Ingresses, a name or a host in use, is answered at once and
// nothing is made), then an operation creates them and follows the
// rollout. It returns the operation as it started.
func (s *Service) Deploy(ctx context.Context, u kube.User, origin operations.Origin, spec shared.DeploymentSpec) (shared.Operation, error) {
	if s.opts.Runner == nil {
		return shared.Operation{}, &shared.Error{Code: shared.CodeUnavailable, Message: "This server runs no operations."}
	}
	c, err := s.check(ctx, u, spec, nil)
	if err == nil {
		err = c.refusal("created")
	}
	if err != nil {
		return shared.Operation{}, err
	}
	target := shared.OperationTarget{Kind: shared.TargetApp, Namespace: spec.Namespace, Name: spec.Name}
	return s.opts.Runner.Start(ctx, operations.Request{
		Owner: u.Name, Groups: u.Groups, Origin: origin,
		Verb: "create", Kind: shared.OperationDeploy, Target: target,
	}, func(ctx context.Context, h *operations.Handle) error {
		return s.run(ctx, h, u, c.objs)
	})
}

// refusal is why a checked spec may not be applied: its field errors, or
// the first object its dry run refused, saying nothing was done (made:
// "created", "changed"); nil when it may.
func (c checked) refusal(made string) error {
	if c.fields != nil {
		return kube.Invalid("The app's settings are not valid; see the fields.", map[string]any{shared.DetailFields: c.fields})
	}
	for _, v := range c.verdicts {
		if !v.Allowed {
			return refusedObject(v, verdictsOf(c.verdicts), made)
		}
	}
	return nil
}

// refusedObject is the error of a write whose dry run refused object v:
// the API server's reason, naming the object, with every verdict.
func refusedObject(v kube.AppVerdict, all []shared.DryRunVerdict, made string) error {
	pe := public(v.Err)
	name := v.Object.Name()
	if name == "" {
		name = "(a Pod of the app)"
	}
	return kube.Reword(v.Err,
		fmt.Sprintf("Nothing was %s: the %s %s would be refused. %s", made, v.Object.Kind(), name, pe.Message),
		map[string]any{"kind": v.Object.Kind(), "name": name, shared.DetailVerdicts: all})
}

// stepOf is the step that creates an object of kind.
var stepOf = map[string]string{"Deployment": shared.StepDeployment, "Service": shared.StepService, "Ingress": shared.StepIngress}

// run is a deploy operation: it creates the objects as u (removing them
// again if one fails, also when the server stops meanwhile), then follows
// the rollout until the app is Available or stuck.
func (s *Service) run(ctx context.Context, h *operations.Handle, u kube.User, objs kube.DeploymentObjects) error {
	ctx, cancel := context.WithTimeout(ctx, deployTimeout)
	defer cancel()
	d := objs.Deployment
	outcome := shared.DeploymentOutcome{Created: []shared.OperationTarget{}, URL: objs.URL}
	for _, obj := range objs.Created() {
		_ = h.Step(stepOf[obj.Kind()], shared.OperationPending, "")
	}
	_ = h.Step(shared.StepRollout, shared.OperationPending, "")
	_, err := s.opts.Client.CreateApp(ctx, u, objs, func(made *kube.Object) {
		outcome.Created = append(outcome.Created, kube.ObjectRef(made))
		_ = h.Step(stepOf[made.Kind()], shared.OperationSucceeded, "Created "+made.Kind()+" "+made.Name()+".")
	})
	if err != nil {
		return s.createFailure(err, outcome)
	}
	err = follow(ctx, s.opts.Objects, h, workload{resource: "deployments", namespace: d.Namespace(), name: d.Name()}, func(p shared.DeploymentProgress) any {
		outcome.Progress = p
		return outcome
	})
	if err == nil || errors.Is(err, operations.ErrFinished) {
		return nil
	}
	msg := "The rollout of " + d.Name() + " did not finish in time."
	if s.opts.Runner.Stopping() {
		msg = "The server stopped while following the rollout of " + d.Name() + "; its objects were created, see the objects view."
	}
	return &shared.Error{Code: shared.CodeUnavailable, Message: msg, Details: map[string]any{shared.DetailOutcome: outcome}}
}

// createFailure is the error a deploy ends with when an object could not
// be created: the cause for people, and what was created, what failed and
// what was removed again.
func (s *Service) createFailure(err error, outcome shared.DeploymentOutcome) error {
	stopped := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	pe, ok := kube.Public(err)
	if !ok && !stopped {
		s.opts.Log.Error("deploy failed", "err", err)
	}
	if !ok {
		pe = public(err)
	}
	msg := pe.Message
	var ce *kube.AppCreateError
	if errors.As(err, &ce) {
		if stopped {
			pe.Code, msg = shared.CodeUnavailable, "it was stopped"
			if s.opts.Runner.Stopping() {
				msg = "the server stopped"
			}
			msg += " before it was made."
		}
		failed := kube.ObjectRef(ce.Failed)
		outcome.Failed = &failed
		outcome.RolledBack = []shared.OperationTarget{}
		for _, o := range ce.RolledBack {
			outcome.RolledBack = append(outcome.RolledBack, kube.ObjectRef(o))
		}
		msg = fmt.Sprintf("Creating %s %s failed: %s", failed.Kind, failed.Name, msg)
		switch {
		case ce.RollbackErr != nil:
			s.opts.Log.Error("deploy rollback failed", "err", ce.RollbackErr)
			msg += fmt.Sprintf(" %d of the %d objects made before it could not be removed; delete them from the objects view.",
				len(ce.Created)-len(ce.RolledBack), len(ce.Created))
		case len(ce.RolledBack) > 0:
			msg += fmt.Sprintf(" The %d objects made before it were removed again.", len(ce.RolledBack))
		}
	}
	return &shared.Error{Code: pe.Code, Message: msg, Details: map[string]any{shared.DetailOutcome: outcome}}
}
