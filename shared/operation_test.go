package shared

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestOperationClone(t *testing.T) {
	finished := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	orig := Operation{
		ID: "op1", Kind: OperationDeploy, Target: OperationTarget{Kind: "Deployment", Namespace: "a", Name: "web"},
		Owner: "alice", Phase: OperationFailed,
		Steps:    []OperationStep{{Name: "create", Phase: OperationFailed}},
		Finished: &finished, Result: json.RawMessage(`{"x":1}`),
		Error: &Error{Code: CodeConflict, Message: "exists", Details: map[string]any{"field": "name"}},
	}
	want := orig.Clone()
	c := orig.Clone()
	c.Steps[0].Phase = OperationRunning
	*c.Finished = time.Time{}
	c.Result[2] = 'y'
	c.Error.Details["field"] = "other"
	c.Error.Message = "changed"
	if diff := cmp.Diff(want, orig); diff != "" {
		t.Errorf("changing a clone changed the original (-want +got):\n%s", diff)
	}
}

func TestOperationJSON(t *testing.T) {
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	op := Operation{
		ID: "op1", Kind: OperationHelmInstall, Target: OperationTarget{Kind: "release", Namespace: "a", Name: "db"},
		Owner: "alice", Phase: OperationRunning, Started: started,
		Steps: []OperationStep{{Name: "install", Phase: OperationRunning}},
	}
	b, err := json.Marshal(op)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"id":"op1","kind":"helm-install","target":{"kind":"release","namespace":"a","name":"db"},` +
		`"owner":"alice","phase":"running","steps":[{"name":"install","phase":"running"}],"started":"2026-01-02T03:04:05Z"}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	var back Operation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(op, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestOperationPhaseDone(t *testing.T) {
	for _, tt := range []struct {
		phase OperationPhase
		want  bool
	}{{OperationPending, false}, {OperationRunning, false}, {OperationSucceeded, true}, {OperationFailed, true}} {
		t.Run(string(tt.phase), func(t *testing.T) {
			if got := (Operation{Phase: tt.phase}).Done(); got != tt.want {
				t.Errorf("Done() = %v, want %v", got, tt.want)
			}
		})
	}
}
