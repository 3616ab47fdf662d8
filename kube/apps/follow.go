package apps

import (
	"context"
	"fmt"
	"strings"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// rollouts is what follow needs of the cache (kube.Objects): its events,
// and where a workload's rollout stands.
type rollouts interface {
	Subscribe(func(kube.Event)) (unsubscribe func())
	RolloutOf(resource, namespace, name string) (shared.DeploymentProgress, int64, bool)
}

// workload names the workload a rollout is followed of: its resource
// ("deployments", "statefulsets"), namespace and name, and the generation
// the change made (the cache's object must have it before its state
// counts; 0 for any).
type workload struct {
	resource, namespace, name string
	generation                int64
}

// follow reports the rollout of workload w as the step
// "rollout" of the operation h, each time it, its ReplicaSets or its Pods
// change, until it is Available (the operation succeeds, with result(the
// final progress) as its result), Failed (the operation fails with the
// stuck reason, and the result as details.outcome), is deleted (the
// operation fails, saying so) or ctx ends (the operation is left as it is;
// ctx's error is returned). It follows the
// one Deployment through the server's cache, so it needs no subscription
// and no right of the user's to list Deployments: whoever starts it has
// checked the user's rights already.
func follow(ctx context.Context, src rollouts, h *operations.Handle, w workload, result func(shared.DeploymentProgress) any) error {
	namespace, name := w.namespace, w.name
	wake := make(chan struct{}, 1)
	unsubscribe := src.Subscribe(func(ev kube.Event) {
		if ev.Row.Namespace != namespace || !ownedName(ev.Row.Name, name) {
			return
		}
		switch ev.Kind {
		case w.resource, "replicasets", "pods":
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	})
	defer unsubscribe()
	var last shared.DeploymentProgress
	seen := false
	for {
		prog, gen, ok := src.RolloutOf(w.resource, namespace, name)
		// Until the cache holds the change, what it shows is from before.
		ok = ok && gen >= w.generation
		if !ok && seen {
			// Deleted before its rollout ended: the operation ends too, so
			// that its claim on the app does not outlive the app.
			return h.Fail(shared.Error{Code: shared.CodeConflict, Message: name + " was deleted before its rollout finished.",
				Details: map[string]any{shared.DetailOutcome: result(last)}})
		}
		if ok && (!seen || prog != last) {
			seen, last = true, prog
			switch prog.Phase {
			case shared.PhaseAvailable:
				if err := h.StepWith(rolloutStep(shared.OperationSucceeded, prog)); err != nil {
					return err
				}
				return h.Succeed(result(prog), fmt.Sprintf("%s is available: %d of %d replicas ready.", name, prog.Ready, prog.Desired))
			case shared.PhaseFailed:
				return h.Fail(shared.Error{Code: shared.CodeK8sAPI, Message: "The rollout of " + name + " is stuck: " + prog.Message,
					Details: map[string]any{"desired": prog.Desired, "updated": prog.Updated, "ready": prog.Ready, "available": prog.Available,
						shared.DetailOutcome: result(prog)}})
			}
			if err := h.StepWith(rolloutStep(shared.OperationRunning, prog)); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// ownedName says whether an object called name may belong to Deployment
// deployment: the Deployment itself, its ReplicaSets (deployment-hash)
// and their Pods (deployment-hash-suffix). Others that pass only cost a
// look at the Deployment's progress.
func ownedName(name, deployment string) bool {
	return name == deployment || strings.HasPrefix(name, deployment+"-")
}

// rolloutStep is the rollout step in phase at p.
func rolloutStep(phase shared.OperationPhase, p shared.DeploymentProgress) shared.OperationStep {
	return shared.OperationStep{Name: shared.StepRollout, Phase: phase, Message: rolloutMessage(p), Rollout: &p}
}

// rolloutMessage says where a rollout stands, for people.
func rolloutMessage(p shared.DeploymentProgress) string {
	s := fmt.Sprintf("%s: %d of %d replicas ready, %d updated, %d available.", p.Phase, p.Ready, p.Desired, p.Updated, p.Available)
	if p.Message != "" {
		s += " " + p.Message
	}
	return s
}
