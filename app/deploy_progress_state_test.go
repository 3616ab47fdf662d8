package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

// deployOp is a deploy operation of web in team-a at phase with steps
// (name:phase:message, the message optional).
func deployOp(phase shared.OperationPhase, steps ...string) shared.Operation {
	op := shared.Operation{ID: "op1", Kind: shared.OperationDeploy, Phase: phase,
		Target: shared.OperationTarget{Kind: "Deployment", Namespace: "team-a", Name: "web"}}
	for _, s := range steps {
		parts := strings.SplitN(s, ":", 3)
		st := shared.OperationStep{Name: parts[0], Phase: shared.OperationPhase(parts[1])}
		if len(parts) == 3 {
			st.Message = parts[2]
		}
		op.Steps = append(op.Steps, st)
	}
	return op
}

// withRollout gives op's rollout step the rollout's state.
func withRollout(op shared.Operation, phase shared.DeploymentPhase, ready, desired int, why string) shared.Operation {
	for i := range op.Steps {
		if op.Steps[i].Name == shared.StepRollout {
			op.Steps[i].Rollout = &shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: phase,
				Desired: desired, Updated: desired, Ready: ready, Available: ready, Message: why}
		}
	}
	return op
}

func rawJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeployProgressFollowsTheOperation(t *testing.T) {
	p := newDeployProgress(deployOp(shared.OperationPending))
	running := withRollout(deployOp(shared.OperationRunning, "deployment:succeeded:Created Deployment web.", "service:succeeded",
		"rollout:running:Progressing: 1 of 2 replicas ready, 2 updated, 1 available."), shared.PhaseProgressing, 1, 2, "")
	if p.apply(running) || p.rolloutPhase() != shared.PhaseProgressing {
		t.Fatalf("running: done %v phase %q", p.done(), p.rolloutPhase())
	}
	// A poll's older answer does not take the view back.
	if p.apply(deployOp(shared.OperationRunning, "deployment:succeeded", "service:pending", "rollout:pending")); p.Op.Steps[1].Phase != shared.OperationSucceeded {
		t.Errorf("an older state was applied: %+v", p.Op.Steps)
	}
	// Another operation's state changes nothing.
	other := running
	other.ID = "op2"
	other.Phase = shared.OperationFailed
	if p.apply(other) || p.Op.Phase != shared.OperationRunning {
		t.Error("another operation's state was applied")
	}

	done := deployOp(shared.OperationSucceeded, "deployment:succeeded", "service:succeeded", "ingress:succeeded",
		"rollout:succeeded:Progressing: 1 of 2 replicas ready, 2 updated, 1 available.")
	done.Message = "Deployment web is available: 2 of 2 replicas ready."
	done.Result = rawJSON(t, shared.DeploymentOutcome{
		Created: []shared.OperationTarget{{Kind: "Deployment", Name: "web"}, {Kind: "Service", Name: "web"}, {Kind: "Ingress", Name: "web"}},
		URL:     "https://web-team-a.apps.example/",
		Progress: shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: shared.PhaseAvailable,
			Desired: 2, Updated: 2, Ready: 2, Available: 2},
	})
	if !p.apply(done) {
		t.Fatal("the final state did not finish the progress")
	}
	if p.apply(done) {
		t.Error("a state after the final one finished it again")
	}
	got := []string{string(p.rolloutPhase()), p.replicas(), p.url(), p.stuckReason(), p.objectsLink("/v2")}
	want := []string{"Available", "2 of 2 replicas ready", "https://web-team-a.apps.example/", "",
		"/v2/apps/objects?kind=deployments&namespace=team-a&name=web"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("phase, replicas, url, reason, link (-want +got):\n%s", diff)
	}
	if msg := p.stepMessage(p.Op.Steps[3]); msg != "Available: 2 of 2 replicas ready." {
		t.Errorf("the finished rollout's step says %q", msg)
	}
	level, text := p.toast()
	if level != toastSuccess || text != "App team-a/web is available: 2 of 2 replicas ready. Open it at https://web-team-a.apps.example/." {
		t.Errorf("toast %s %q", level, text)
	}
}

func TestDeployProgressFailures(t *testing.T) {
	created := []shared.OperationTarget{{Kind: "Deployment", Name: "web"}, {Kind: "Service", Name: "web"}}
	tests := []struct {
		name      string
		op        func() shared.Operation
		phase     shared.DeploymentPhase
		replicas  string
		reason    string
		toastHas  []string
		toastLack []string
	}{
		{"an object refused: the others removed again", func() shared.Operation {
			op := deployOp(shared.OperationFailed, "deployment:succeeded", "service:succeeded", "ingress:failed", "rollout:failed")
			op.Error = &shared.Error{Code: shared.CodeForbidden, Message: "Creating Ingress web failed: forbidden.",
				Details: map[string]any{"outcome": shared.DeploymentOutcome{Created: created,
					Failed: &shared.OperationTarget{Kind: "Ingress", Name: "web"}, RolledBack: created}}}
			// The details come over the wire: as decoded JSON.
			var decoded shared.Operation
			_ = json.Unmarshal(rawJSON(t, op), &decoded)
			return decoded
		}, "", "", "Creating Ingress web failed: forbidden.",
			[]string{"App team-a/web: Creating Ingress web failed: forbidden.", "Created: Deployment web, Service web.",
				"Failed: Ingress web.", "Removed again: Deployment web, Service web."}, nil},
		{"the rollout is stuck", func() shared.Operation {
			op := withRollout(deployOp(shared.OperationFailed, "deployment:succeeded", "rollout:failed:Pending: 0 of 1 replicas ready, 1 updated, 0 available."),
				shared.PhasePending, 0, 1, "")
			op.Error = &shared.Error{Code: shared.CodeK8sAPI,
				Message: "The rollout of Deployment web is stuck: the image cannot be pulled.",
				Details: map[string]any{"desired": 1.0, "updated": 1.0, "ready": 0.0, "available": 0.0}}
			return op
		}, shared.PhaseFailed, "0 of 1 replicas ready", "The rollout of Deployment web is stuck: the image cannot be pulled.",
			[]string{"stuck: the image cannot be pulled."}, []string{"Created:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newDeployProgress(deployOp(shared.OperationRunning))
			if !p.apply(tc.op()) || p.succeeded() {
				t.Fatal("the failure did not finish the progress")
			}
			if diff := cmp.Diff([]string{string(tc.phase), tc.replicas, tc.reason},
				[]string{string(p.rolloutPhase()), p.replicas(), p.stuckReason()}); diff != "" {
				t.Errorf("phase, replicas, reason (-want +got):\n%s", diff)
			}
			level, text := p.toast()
			if level != toastError {
				t.Errorf("toast level %s", level)
			}
			for _, s := range tc.toastHas {
				if !strings.Contains(text, s) {
					t.Errorf("toast %q lacks %q", text, s)
				}
			}
			for _, s := range tc.toastLack {
				if strings.Contains(text, s) {
					t.Errorf("toast %q has %q", text, s)
				}
			}
		})
	}
}

// While the rollout runs, its phase and the reason it waits come from the
// step's rollout state, not from the words of its message.
func TestDeployProgressReadsTheRolloutState(t *testing.T) {
	p := newDeployProgress(deployOp(shared.OperationPending))
	op := withRollout(deployOp(shared.OperationRunning, "deployment:succeeded", "rollout:running:Wording: that may change."),
		shared.PhasePending, 0, 2, "No node can run the pods: 0/3 nodes have the GPUs asked for.")
	p.apply(op)
	if got := p.rolloutPhase(); got != shared.PhasePending {
		t.Errorf("phase %q, want Pending", got)
	}
	if got := p.stuckReason(); got != "No node can run the pods: 0/3 nodes have the GPUs asked for." {
		t.Errorf("reason %q", got)
	}
}
