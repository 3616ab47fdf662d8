package operations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// clock is a hand-moved clock for MemoryOptions.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var targets atomic.Int64

// fresh is a target no other operation of the test binary has: each
// operation claims its target.
func fresh() shared.OperationTarget {
	return shared.OperationTarget{Kind: "Deployment", Namespace: "team-a", Name: fmt.Sprintf("web-%d", targets.Add(1))}
}

func start(t *testing.T, r Registry, owner string) (shared.Operation, *Handle) {
	t.Helper()
	op, h, err := r.Start(context.Background(), owner, shared.OperationDeploy, fresh())
	if err != nil {
		t.Fatalf("Start for %s: %v", owner, err)
	}
	return op, h
}

// must fails the test when a Handle update fails.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMemoryLifecycle(t *testing.T) {
	clk := newClock()
	r := NewMemory(MemoryOptions{Now: clk.Now})
	ctx := context.Background()
	op, h := start(t, r, "alice")
	want := shared.Operation{
		ID: op.ID, Kind: shared.OperationDeploy, Target: op.Target, Owner: "alice",
		Phase: shared.OperationPending, Started: clk.Now(),
	}
	if diff := cmp.Diff(want, op); diff != "" {
		t.Fatalf("Start (-want +got):\n%s", diff)
	}
	if h.ID() != op.ID {
		t.Errorf("handle id %q, operation id %q", h.ID(), op.ID)
	}
	must(t, h.Step("create", shared.OperationRunning, "Creating the Deployment."))
	must(t, h.Step("create", shared.OperationSucceeded, ""))
	must(t, h.Step("rollout", shared.OperationRunning, "0 of 2 ready"))
	must(t, h.Progress("Waiting for the rollout."))
	got, err := r.Get(ctx, op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want.Phase, want.Message = shared.OperationRunning, "Waiting for the rollout."
	want.Steps = []shared.OperationStep{
		{Name: "create", Phase: shared.OperationSucceeded},
		{Name: "rollout", Phase: shared.OperationRunning, Message: "0 of 2 ready"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("running (-want +got):\n%s", diff)
	}
	clk.Add(time.Minute)
	must(t, h.Succeed(map[string]string{"name": "web"}, "web is available."))
	got, err = r.Get(ctx, op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	finished := clk.Now()
	want.Phase, want.Message, want.Finished = shared.OperationSucceeded, "web is available.", &finished
	want.Steps[1].Phase = shared.OperationSucceeded
	want.Result = json.RawMessage(`{"name":"web"}`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("succeeded (-want +got):\n%s", diff)
	}
	for name, err := range map[string]error{
		"Progress": h.Progress("late"),
		"Step":     h.Step("late", shared.OperationRunning, ""),
		"Fail":     h.Fail(shared.Error{Code: shared.CodeInternal, Message: "late"}),
	} {
		if !errors.Is(err, ErrFinished) {
			t.Errorf("%s after Succeed: %v, want ErrFinished", name, err)
		}
	}
}

func TestMemoryFail(t *testing.T) {
	r := NewMemory(MemoryOptions{})
	op, h := start(t, r, "alice")
	must(t, h.Step("create", shared.OperationRunning, ""))
	e := shared.Error{Code: shared.CodeConflict, Message: "Deployment \"web\" already exists.", Details: map[string]any{"field": "name"}}
	must(t, h.Fail(e))
	e.Details["field"] = "changed after Fail"
	got, err := r.Get(context.Background(), op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := &shared.Error{Code: shared.CodeConflict, Message: "Deployment \"web\" already exists.", Details: map[string]any{"field": "name"}}
	if diff := cmp.Diff(want, got.Error); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if got.Phase != shared.OperationFailed || got.Message != want.Message || got.Steps[0].Phase != shared.OperationFailed || got.Finished == nil {
		t.Errorf("failed operation %+v: want phase, message, step and finish time set", got)
	}
}

func TestMemoryOwnerOnly(t *testing.T) {
	r := NewMemory(MemoryOptions{})
	ctx := context.Background()
	op, _ := start(t, r, "alice")
	tests := []struct {
		name, id, owner string
	}{
		{name: "another user", id: op.ID, owner: "bob"},
		{name: "no user", id: op.ID, owner: ""},
		{name: "an owner's name differing in case", id: op.ID, owner: "Alice"},
		{name: "an unknown id", id: "AAAAAAAAAAAAAAAAAAAAAAAAAA", owner: "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := r.Get(ctx, tt.id, tt.owner); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get: %v, want ErrNotFound", err)
			}
			if _, ch, err := r.Watch(ctx, tt.id, tt.owner); !errors.Is(err, ErrNotFound) || ch != nil {
				t.Errorf("Watch: channel %v, error %v, want ErrNotFound", ch, err)
			}
		})
	}
	if _, err := r.Get(ctx, op.ID, "alice"); err != nil {
		t.Errorf("the owner's Get: %v", err)
	}
}

// next receives a state from ch, failing after a second.
func next(t *testing.T, ch <-chan shared.Operation) (shared.Operation, bool) {
	t.Helper()
	select {
	case op, ok := <-ch:
		return op, ok
	case <-time.After(time.Second):
		t.Fatal("no state from the watch channel within a second")
		return shared.Operation{}, false
	}
}

func TestMemoryLateWatcher(t *testing.T) {
	r := NewMemory(MemoryOptions{})
	ctx := context.Background()
	op, h := start(t, r, "alice")
	must(t, h.Step("create", shared.OperationSucceeded, ""))
	must(t, h.Progress("Waiting for the rollout."))

	snap, ch, err := r.Watch(ctx, op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Message != "Waiting for the rollout." || len(snap.Steps) != 1 {
		t.Errorf("late watcher's first state %+v, want the current one", snap)
	}
	must(t, h.Progress("1 of 2 ready"))
	if got, ok := next(t, ch); !ok || got.Message != "1 of 2 ready" {
		t.Errorf("update: %+v (open %v), want message %q", got, ok, "1 of 2 ready")
	}
	must(t, h.Succeed(nil, "Available."))
	if got, ok := next(t, ch); !ok || got.Phase != shared.OperationSucceeded {
		t.Errorf("final state: %+v (open %v), want succeeded", got, ok)
	}
	if _, ok := next(t, ch); ok {
		t.Error("channel still open after the final state")
	}

	// A watcher arriving after the end (a reconnect) gets the final state
	// and a closed channel.
	snap, ch, err = r.Watch(ctx, op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Phase != shared.OperationSucceeded || snap.Message != "Available." {
		t.Errorf("watch after the end: %+v, want the final state", snap)
	}
	if _, ok := next(t, ch); ok {
		t.Error("watch after the end: channel open")
	}
}

func TestMemoryWatchCancel(t *testing.T) {
	r := NewMemory(MemoryOptions{})
	op, h := start(t, r, "alice")
	ctx, cancel := context.WithCancel(context.Background())
	_, ch, err := r.Watch(ctx, op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, ok := next(t, ch); ok {
		t.Error("channel open after its context was cancelled")
	}
	// The producer goes on without the watcher.
	must(t, h.Progress("still going"))
	must(t, h.Succeed(nil, "done"))
}

func TestMemorySlowWatcher(t *testing.T) {
	r := NewMemory(MemoryOptions{})
	op, h := start(t, r, "alice")
	_, ch, err := r.Watch(context.Background(), op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	// The watcher reads nothing while the producer makes many updates; the
	// producer must not wait for it.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			if err := h.Progress(fmt.Sprint(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the producer blocked on a watcher that does not read")
	}
	if got, _ := next(t, ch); got.Message != "999" {
		t.Errorf("slow watcher got message %q, want the latest, %q", got.Message, "999")
	}
	must(t, h.Succeed(nil, "done"))
	if got, ok := next(t, ch); !ok || got.Phase != shared.OperationSucceeded {
		t.Errorf("final state: %+v (open %v), want succeeded", got, ok)
	}
}

func TestMemoryTTL(t *testing.T) {
	clk := newClock()
	r := NewMemory(MemoryOptions{TTL: 10 * time.Minute, Now: clk.Now})
	ctx := context.Background()
	first, h1 := start(t, r, "alice")
	second, h2 := start(t, r, "alice")
	running, _ := start(t, r, "alice")
	must(t, h1.Succeed(nil, "done"))
	clk.Add(5 * time.Minute)
	must(t, h2.Fail(shared.Error{Code: shared.CodeInternal, Message: "broke"}))

	clk.Add(5*time.Minute - time.Nanosecond)
	if _, err := r.Get(ctx, first.ID, "alice"); err != nil {
		t.Errorf("just before its TTL: %v", err)
	}
	clk.Add(time.Nanosecond)
	if _, err := r.Get(ctx, first.ID, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("at its TTL: %v, want ErrNotFound", err)
	}
	if _, err := r.Get(ctx, second.ID, "alice"); err != nil {
		t.Errorf("the one that finished later: %v", err)
	}
	clk.Add(time.Hour)
	if _, _, err := r.Watch(ctx, second.ID, "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Watch after its TTL: %v, want ErrNotFound", err)
	}
	if _, err := r.Get(ctx, running.ID, "alice"); err != nil {
		t.Errorf("a running operation is never forgotten: %v", err)
	}
	if n := r.Len(); n != 1 {
		t.Errorf("Len() = %d, want 1 (the running operation)", n)
	}
}

func TestMemoryBounds(t *testing.T) {
	ctx := context.Background()
	t.Run("per user", func(t *testing.T) {
		r := NewMemory(MemoryOptions{MaxPerUser: 2})
		_, h := start(t, r, "alice")
		start(t, r, "alice")
		if _, _, err := r.Start(ctx, "alice", shared.OperationDeploy, fresh()); !errors.Is(err, ErrTooMany) {
			t.Fatalf("third Start for alice: %v, want ErrTooMany", err)
		}
		start(t, r, "bob")
		must(t, h.Succeed(nil, "done"))
		start(t, r, "alice") // a finished operation no longer counts
	})
	t.Run("in all", func(t *testing.T) {
		clk := newClock()
		r := NewMemory(MemoryOptions{MaxOperations: 3, Now: clk.Now})
		first, h1 := start(t, r, "alice")
		_, h2 := start(t, r, "bob")
		start(t, r, "carol")
		if _, _, err := r.Start(ctx, "dave", shared.OperationDeploy, fresh()); !errors.Is(err, ErrFull) {
			t.Fatalf("Start past the bound with every operation running: %v, want ErrFull", err)
		}
		must(t, h1.Succeed(nil, "done"))
		clk.Add(time.Second)
		must(t, h2.Succeed(nil, "done"))
		start(t, r, "dave") // makes room by forgetting the first finished
		if n := r.Len(); n != 3 {
			t.Errorf("Len() = %d, want 3", n)
		}
		if _, err := r.Get(ctx, first.ID, "alice"); !errors.Is(err, ErrNotFound) {
			t.Errorf("the first finished operation: %v, want ErrNotFound (forgotten for room)", err)
		}
		for range 10 {
			_, h, err := r.Start(ctx, "erin", shared.OperationDeploy, fresh())
			if err != nil {
				t.Fatalf("Start with finished operations to forget: %v", err)
			}
			must(t, h.Succeed(nil, "done"))
			if n := r.Len(); n > 3 {
				t.Fatalf("Len() = %d, over the bound of 3", n)
			}
		}
	})
}

func TestMemoryIDs(t *testing.T) {
	r := NewMemory(MemoryOptions{MaxPerUser: 1000})
	seen := map[string]bool{}
	for range 1000 {
		op, _ := start(t, r, "alice")
		if len(op.ID) < 26 {
			t.Fatalf("id %q is shorter than 26 characters (128 random bits)", op.ID)
		}
		if seen[op.ID] {
			t.Fatalf("id %q given twice", op.ID)
		}
		seen[op.ID] = true
	}
}

func TestMemoryConcurrent(t *testing.T) {
	r := NewMemory(MemoryOptions{})
	ctx := context.Background()
	const producers, watchers, updates = 8, 4, 200
	var wg sync.WaitGroup
	for p := range producers {
		owner := fmt.Sprint("user-", p)
		op, h := start(t, r, owner)
		for range watchers {
			snap, ch, err := r.Watch(ctx, op.ID, owner)
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				last := snap
				for s := range ch {
					last = s
				}
				if last.Phase != shared.OperationSucceeded || last.Message != "done" {
					t.Errorf("watcher of %s: last state %+v, want the final one", owner, last)
				}
			})
		}
		wg.Go(func() {
			for i := range updates {
				if err := h.Step(fmt.Sprint("step-", i%5), shared.OperationRunning, fmt.Sprint(i)); err != nil {
					t.Error(err)
				}
				if _, err := r.Get(ctx, op.ID, owner); err != nil {
					t.Error(err)
				}
			}
			if err := h.Succeed(updates, "done"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
