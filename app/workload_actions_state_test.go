package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func TestParseReplicas(t *testing.T) {
	tests := []struct {
		text    string
		want    int
		wantWhy string
	}{
		{"3", 3, ""},
		{" 0 ", 0, ""},
		{"1000", 1000, ""},
		{"1001", 0, "Choose from 0 to 1000 replicas."},
		{"-1", 0, "Choose from 0 to 1000 replicas."},
		{"2.5", 0, `"2.5" is not a whole number of replicas.`},
		{"", 0, "Type how many replicas to run."},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, why := parseReplicas(tt.text)
			if got != tt.want || why != tt.wantWhy {
				t.Errorf("parseReplicas(%q) = %d, %q; want %d, %q", tt.text, got, why, tt.want, tt.wantWhy)
			}
		})
	}
}

func TestWorkloadActionsState(t *testing.T) {
	var w workloadActions
	w.reset("deployments/team-a/web")
	if got := w.typed(2); got != "2" || w.replicasError() != "" {
		t.Errorf("untouched: typed %q, error %q; want the spec's 2 and none", got, w.replicasError())
	}
	w.typing("")
	if w.typed(2) != "" || w.replicasError() != "Type how many replicas to run." {
		t.Errorf("cleared: typed %q, error %q; want the field empty and asking for a number", w.typed(2), w.replicasError())
	}
	w.typing("5000")
	if w.replicasError() == "" {
		t.Error("5000 replicas are not refused")
	}
	op := shared.Operation{ID: "op-1", Kind: shared.OperationScale, Phase: shared.OperationRunning,
		Target: shared.OperationTarget{Kind: "Deployment", Namespace: "team-a", Name: "web"}}
	prog := newDeployProgress(op)
	w.op = &prog
	if !w.busy() {
		t.Error("a running scale is not busy")
	}
	w.reset("deployments/team-a/web")
	if w.replicas != "5000" || w.op == nil {
		t.Error("reset to the same object forgot what it knew")
	}
	w.reset("deployments/team-a/api")
	if diff := cmp.Diff(workloadActions{key: "deployments/team-a/api"}, w, cmp.AllowUnexported(workloadActions{})); diff != "" {
		t.Errorf("reset to another object (-want +got):\n%s", diff)
	}
}

func TestSpecReplicas(t *testing.T) {
	for raw, want := range map[string]int{`{"replicas":3}`: 3, `{"replicas":0}`: 0, `{}`: 1, ``: 1} {
		if got := specReplicas(json.RawMessage(raw)); got != want {
			t.Errorf("specReplicas(%s) = %d, want %d", raw, got, want)
		}
	}
}

func TestWorkloadToast(t *testing.T) {
	target := shared.OperationTarget{Kind: "Deployment", Namespace: "team-a", Name: "web"}
	result, _ := json.Marshal(shared.DeploymentProgress{Phase: shared.PhaseAvailable, Desired: 3, Ready: 3})
	tests := []struct {
		name  string
		op    shared.Operation
		level toastLevel
		text  string
	}{
		{"scaled", shared.Operation{Kind: shared.OperationScale, Phase: shared.OperationSucceeded, Target: target, Result: result},
			toastSuccess, "Deployment team-a/web scaled: 3 of 3 replicas ready."},
		{"stuck", shared.Operation{Kind: shared.OperationRestart, Phase: shared.OperationFailed, Target: target,
			Error: &shared.Error{Message: "The rollout of web is stuck: image pull"}},
			toastError, "Deployment team-a/web was not restarted: The rollout of web is stuck: image pull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			level, text := workloadToast(tt.op)
			if level != tt.level || text != tt.text {
				t.Errorf("workloadToast = %v %q, want %v %q", level, text, tt.level, tt.text)
			}
		})
	}
}

func TestRolloutReplicas(t *testing.T) {
	running := shared.Operation{ID: "op-1", Phase: shared.OperationRunning, Steps: []shared.OperationStep{
		{Name: shared.StepRollout, Phase: shared.OperationRunning, Rollout: &shared.DeploymentProgress{Desired: 3, Ready: 1}}}}
	if got := newDeployProgress(running).rolloutReplicas(); got != "1 of 3 replicas ready" {
		t.Errorf("while running: %q", got)
	}
	result, _ := json.Marshal(shared.DeploymentProgress{Desired: 3, Ready: 3})
	done := running
	done.Phase, done.Result = shared.OperationSucceeded, result
	if got := newDeployProgress(done).rolloutReplicas(); got != "3 of 3 replicas ready" {
		t.Errorf("once done: %q", got)
	}
}
