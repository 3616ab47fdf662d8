package apps

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// fakeDeployments is a deployments source whose one Deployment's progress
// the test sets, with an event to tell.
type fakeDeployments struct {
	mu         sync.Mutex
	fn         func(kube.Event)
	prog       *shared.DeploymentProgress
	generation int64
}

func (f *fakeDeployments) Subscribe(fn func(kube.Event)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fn = fn
	return func() {}
}

func (f *fakeDeployments) RolloutOf(resource, namespace, name string) (shared.DeploymentProgress, int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.prog == nil || resource != "deployments" || namespace != f.prog.Namespace || name != f.prog.Name {
		return shared.DeploymentProgress{}, 0, false
	}
	return *f.prog, f.generation, true
}

// set changes the progress and tells the follower with an event about
// object name (of kind).
func (f *fakeDeployments) set(p shared.DeploymentProgress, kind, name string) {
	fn := func() func(kube.Event) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.prog = &p
		return f.fn
	}()
	fn(kube.Event{Type: kube.Updated, Kind: kind, Row: shared.Row{Namespace: p.Namespace, Name: name}})
}

func TestFollowDeployment(t *testing.T) {
	progress := func(phase shared.DeploymentPhase, ready int, message string) shared.DeploymentProgress {
		return shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: phase, Desired: 2, Updated: 2, Ready: ready, Available: ready, Message: message}
	}
	tests := []struct {
		name      string
		last      shared.DeploymentProgress
		wantPhase shared.OperationPhase
		wantErr   bool // the operation's Error
	}{
		{"available", progress(shared.PhaseAvailable, 2, ""), shared.OperationSucceeded, false},
		{"failed", progress(shared.PhaseFailed, 0, "pods do not fit"), shared.OperationFailed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &fakeDeployments{}
			ops, op, updates, done := startFollow(t, src, web)
			// The Deployment is not in the cache at first; its pod's event
			// brings it.
			src.set(progress(shared.PhaseProgressing, 1, ""), "pods", "web-abc12-xyz34")
			state := <-updates
			if state.Phase != shared.OperationRunning || len(state.Steps) != 1 || state.Steps[0].Name != shared.StepRollout {
				t.Fatalf("state %+v, want running with step %q", state, shared.StepRollout)
			}
			if r := state.Steps[0].Rollout; r == nil || *r != progress(shared.PhaseProgressing, 1, "") {
				t.Errorf("the step's rollout state %+v, want the progress", r)
			}
			src.set(tt.last, "deployments", "web")
			if err := <-done; err != nil {
				t.Fatalf("follow: %v", err)
			}
			final, err := ops.Get(context.Background(), op.ID, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if final.Phase != tt.wantPhase || (final.Error != nil) != tt.wantErr {
				t.Fatalf("final state %+v (error %+v), want phase %s", final, final.Error, tt.wantPhase)
			}
			if tt.wantErr {
				return
			}
			var got shared.DeploymentProgress
			if err := json.Unmarshal(final.Result, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.last, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFollowDeploymentCancelled(t *testing.T) {
	ops := operations.NewMemory(operations.MemoryOptions{})
	_, h := startOperation(t, ops, "alice")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := follow(ctx, &fakeDeployments{}, h, web, progressResult); !errors.Is(err, context.Canceled) {
		t.Errorf("follow after its context ended: %v, want context.Canceled", err)
	}
}

// waitSubscribed waits until follow listens to src.
func waitSubscribed(t *testing.T, src *fakeDeployments) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if src.subscribed() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("follow did not subscribe")
		}
		time.Sleep(time.Millisecond)
	}
}

// subscribed says whether follow listens to f.
func (f *fakeDeployments) subscribed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fn != nil
}

// progressResult makes the progress itself an operation's result.
func progressResult(p shared.DeploymentProgress) any { return p }

// startFollow starts an operation of alice's and follows w from src for
// it; it returns the registry, the operation, its states and follow's end,
// once follow listens.
func startFollow(t *testing.T, src *fakeDeployments, w workload) (*operations.Memory, shared.Operation, <-chan shared.Operation, <-chan error) {
	t.Helper()
	ops := operations.NewMemory(operations.MemoryOptions{})
	op, h := startOperation(t, ops, "alice")
	_, updates, err := ops.Watch(context.Background(), op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- follow(context.Background(), src, h, w, progressResult) }()
	waitSubscribed(t, src)
	return ops, op, updates, done
}

// web is the Deployment the tests follow.
var web = workload{resource: "deployments", namespace: "team-a", name: "web"}

// startOperation starts a deploy operation of owner in ops.
func startOperation(t *testing.T, ops operations.Registry, owner string) (shared.Operation, *operations.Handle) {
	t.Helper()
	op, h, err := ops.Start(context.Background(), owner, shared.OperationDeploy,
		shared.OperationTarget{Kind: shared.TargetApp, Namespace: "team-a", Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	return op, h
}

// A Deployment deleted before its rollout ended ends the operation, so its
// claim on the app ends with it (a new create of the name is not refused
// for the rest of the deploy's 15 minutes).
func TestFollowDeploymentDeleted(t *testing.T) {
	src := &fakeDeployments{}
	ops, op, updates, done := startFollow(t, src, web)
	src.set(shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: shared.PhaseProgressing, Desired: 2}, "deployments", "web")
	if state := <-updates; state.Phase != shared.OperationRunning {
		t.Fatalf("state %+v, want running", state)
	}
	src.remove("deployments", "web")
	if err := <-done; err != nil {
		t.Fatalf("follow: %v", err)
	}
	final, err := ops.Get(context.Background(), op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if final.Phase != shared.OperationFailed || final.Error == nil || !strings.Contains(final.Message, "was deleted") {
		t.Fatalf("final state %+v, want failed saying the Deployment was deleted", final)
	}
	if ops.Busy(context.Background(), op.Target) {
		t.Error("the app is still claimed")
	}
}

// remove takes the Deployment out of the cache and tells the follower.
func (f *fakeDeployments) remove(kind, name string) {
	fn := func() func(kube.Event) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.prog = nil
		return f.fn
	}()
	fn(kube.Event{Type: kube.Deleted, Kind: kind, Row: shared.Row{Namespace: "team-a", Name: name}})
}

// After a scale or a restart, the cache may still hold the workload as it
// was, Available: follow waits until it holds the change's generation.
func TestFollowWaitsForTheChange(t *testing.T) {
	available := shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: shared.PhaseAvailable, Desired: 2, Updated: 2, Ready: 2, Available: 2}
	src := &fakeDeployments{prog: &available, generation: 1}
	w := web
	w.generation = 2
	ops, op, _, done := startFollow(t, src, w)
	src.set(available, "pods", "web-abc12-xyz34") // still the old generation
	select {
	case err := <-done:
		t.Fatalf("follow ended (%v) on the state from before the change", err)
	case <-time.After(200 * time.Millisecond):
	}
	func() {
		src.mu.Lock()
		defer src.mu.Unlock()
		src.generation = 2
	}()
	src.set(available, "deployments", "web")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if final, _ := ops.Get(context.Background(), op.ID, "alice"); final.Phase != shared.OperationSucceeded {
		t.Errorf("final %+v, want succeeded", final)
	}
}
