package apps

import (
	"context"
	"fmt"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// Day two on a workload (a Deployment or StatefulSet, made by the wizard
// or not): scale and restart, each an operation on the one runner that
// makes the change as the user and follows the rollout it starts. The
// user's right is checked before the operation starts (403, no claim).

// rolloutTimeout bounds how long a scale or restart is followed.
const rolloutTimeout = 10 * time.Minute

// Scale starts scaling workload namespace/name (resource "deployments" or
// "statefulsets") to replicas as u.
func (s *Service) Scale(ctx context.Context, u kube.User, origin operations.Origin, resource, namespace, name string, replicas int) (shared.Operation, error) {
	if replicas < 0 || replicas > kube.MaxScale {
		return shared.Operation{}, kube.Invalid(fmt.Sprintf("Choose from 0 to %d replicas.", kube.MaxScale), map[string]any{shared.DetailField: "replicas"})
	}
	return s.change(ctx, u, origin, shared.OperationScale, "patch", "scale", resource, namespace, name,
		func(ctx context.Context, h *operations.Handle) (int64, error) {
			_ = h.Step(shared.StepScale, shared.OperationRunning, fmt.Sprintf("Scaling %s to %d replicas.", name, replicas))
			scaled, err := s.opts.Client.Scale(ctx, u, resource, namespace, name, replicas)
			if err == nil {
				_ = h.Step(shared.StepScale, shared.OperationSucceeded, fmt.Sprintf("Scaled %s from %d to %d replicas.", name, scaled.Before, replicas))
			}
			return scaled.Generation, err
		})
}

// Restart starts restarting every pod of workload namespace/name as u,
// as `kubectl rollout restart` does.
func (s *Service) Restart(ctx context.Context, u kube.User, origin operations.Origin, resource, namespace, name string) (shared.Operation, error) {
	return s.change(ctx, u, origin, shared.OperationRestart, "patch", "", resource, namespace, name,
		func(ctx context.Context, h *operations.Handle) (int64, error) {
			_ = h.Step(shared.StepRestart, shared.OperationRunning, "Restarting the pods of "+name+".")
			gen, err := s.opts.Client.Restart(ctx, u, resource, namespace, name, time.Now())
			if err == nil {
				_ = h.Step(shared.StepRestart, shared.OperationSucceeded, "Asked for new pods of "+name+".")
			}
			return gen, err
		})
}

// change checks u's right (verb on resource, or its subresource) over
// workload namespace/name, then starts operation kind: write makes the
// change and returns the generation it made, whose rollout is followed.
func (s *Service) change(ctx context.Context, u kube.User, origin operations.Origin, kind shared.OperationKind, verb, subresource, resource, namespace, name string,
	write func(context.Context, *operations.Handle) (int64, error)) (shared.Operation, error) {
	what, ok := kube.ScalableKind(resource)
	if !ok {
		return shared.Operation{}, kube.NewError(kube.ErrInvalid, "Only Deployments and StatefulSets can be scaled or restarted.", nil)
	}
	if err := s.ready(); err != nil {
		return shared.Operation{}, err
	}
	if s.opts.Runner == nil {
		return shared.Operation{}, &shared.Error{Code: shared.CodeUnavailable, Message: "This server runs no operations."}
	}
	res := kube.Resource{Group: "apps", Resource: resource, Subresource: subresource}
	allowed, err := s.opts.Access.AllowedObject(ctx, u, verb, res, namespace, name)
	if err != nil {
		return shared.Operation{}, err
	}
	if !allowed {
		right := resource
		if subresource != "" {
			right += "/" + subresource
		}
		return shared.Operation{}, kube.NewError(kube.ErrForbidden,
			fmt.Sprintf("You may not %s %s in namespace %s (it needs %s on %s).", kind, what+"s", namespace, verb, right), nil)
	}
	if _, _, found := s.opts.Objects.RolloutOf(resource, namespace, name); !found {
		return shared.Operation{}, kube.NewError(kube.ErrNotFound, fmt.Sprintf("%s %s/%s was not found.", what, namespace, name), nil)
	}
	w := workload{resource: resource, namespace: namespace, name: name}
	return s.startRollout(ctx, u, origin, kind, shared.OperationTarget{Kind: what, Namespace: namespace, Name: name}, w, rolloutTimeout,
		write, func(p shared.DeploymentProgress) any { return p })
}

// startRollout starts operation kind on target as u, claiming it: write
// makes the change and returns the generation it made, then the rollout of
// w is followed until it ends or timeout passes, result turning its final
// progress into the operation's result.
func (s *Service) startRollout(ctx context.Context, u kube.User, origin operations.Origin, kind shared.OperationKind, target shared.OperationTarget,
	w workload, timeout time.Duration, write func(context.Context, *operations.Handle) (int64, error), result func(shared.DeploymentProgress) any) (shared.Operation, error) {
	return s.opts.Runner.Start(ctx, operations.Request{
		Owner: u.Name, Groups: u.Groups, Origin: origin,
		Verb: string(kind), Kind: kind, Target: target,
	}, func(ctx context.Context, h *operations.Handle) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		gen, err := write(ctx, h)
		if err != nil {
			return err
		}
		_ = h.Step(shared.StepRollout, shared.OperationPending, "")
		w.generation = gen
		err = follow(ctx, s.opts.Objects, h, w, result)
		if err == nil || ctx.Err() == nil {
			return err
		}
		msg := "The rollout of " + w.name + " did not finish in time; its change was made, see its pods."
		if s.opts.Runner.Stopping() {
			msg = "The server stopped while following the rollout of " + w.name + "; its change was made, see its pods."
		}
		return &shared.Error{Code: shared.CodeUnavailable, Message: msg}
	})
}
