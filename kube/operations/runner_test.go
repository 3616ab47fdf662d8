package operations

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// logBuffer is a log the runner writes to and the test reads, safely.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// audits are the audit lines written so far.
func (l *logBuffer) audits(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		var m map[string]any
		if line == "" || json.Unmarshal([]byte(line), &m) != nil || m["msg"] != "audit" {
			continue
		}
		out = append(out, m)
	}
	return out
}

func newTestRunner(reg Registry, drain time.Duration) (*Runner, *logBuffer) {
	var lb logBuffer
	return NewRunner(RunnerOptions{Registry: reg, Drain: drain, Log: slog.New(slog.NewJSONHandler(&lb, nil))}), &lb
}

// waitDone waits for operation id to finish and returns its last state.
func waitDone(t *testing.T, reg Registry, id, owner string) shared.Operation {
	t.Helper()
	var op shared.Operation
	eventually(t, "the operation finishes", 10*time.Second, func() bool {
		var err error
		op, err = reg.Get(context.Background(), id, owner)
		return err == nil && op.Done()
	})
	return op
}

func TestRunnerOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		work       Work
		wantPhase  shared.OperationPhase
		wantCode   shared.Code
		wantResult string
	}{
		{"returns nil", func(context.Context, *Handle) error { return nil }, shared.OperationSucceeded, "", "succeeded"},
		{"succeeds itself", func(_ context.Context, h *Handle) error { return h.Succeed("made", "Made.") },
			shared.OperationSucceeded, "", "succeeded"},
		{"returns a shared error", func(context.Context, *Handle) error {
			return &shared.Error{Code: shared.CodeForbidden, Message: "You may not."}
		}, shared.OperationFailed, shared.CodeForbidden, "FORBIDDEN"},
		{"returns another error", func(context.Context, *Handle) error { return errors.New("boom") },
			shared.OperationFailed, shared.CodeInternal, "INTERNAL_ERROR"},
		{"panics", func(context.Context, *Handle) error { panic("boom") }, shared.OperationFailed, shared.CodeInternal, "INTERNAL_ERROR"},
		{"fails itself, then returns its error", func(_ context.Context, h *Handle) error {
			_ = h.Fail(shared.Error{Code: shared.CodeConflict, Message: "Taken."})
			return errors.New("taken")
		}, shared.OperationFailed, shared.CodeConflict, "CONFLICT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := NewMemory(MemoryOptions{})
			r, lb := newTestRunner(reg, time.Second)
			tgt := fresh()
			op, err := r.Start(context.Background(), Request{Owner: "alice", Groups: []string{"team-a"}, Origin: Origin{RequestID: "req-1"},
				Verb: "upgrade", Kind: shared.OperationHelmUpgrade, Target: tgt}, tt.work)
			if err != nil {
				t.Fatal(err)
			}
			final := waitDone(t, reg, op.ID, "alice")
			code := shared.Code("")
			if final.Error != nil {
				code = final.Error.Code
			}
			if final.Phase != tt.wantPhase || code != tt.wantCode {
				t.Errorf("final %s %s, want %s %s", final.Phase, code, tt.wantPhase, tt.wantCode)
			}
			r.Shutdown(context.Background())
			audits := lb.audits(t)
			if len(audits) != 1 {
				t.Fatalf("%d audit lines, want 1: %v", len(audits), audits)
			}
			a := audits[0]
			if a["result"] != tt.wantResult || a["operation"] != op.ID || a["user"] != "alice" || a["verb"] != "upgrade" || a["request_id"] != "req-1" {
				t.Errorf("audit line %v, want result %s of operation %s", a, tt.wantResult, op.ID)
			}
			if reg.Busy(context.Background(), tgt) {
				t.Error("the target is still claimed")
			}
		})
	}
}

// A second operation on a target is refused, and its work never runs.
func TestRunnerBusy(t *testing.T) {
	reg := NewMemory(MemoryOptions{})
	r, _ := newTestRunner(reg, time.Second)
	defer r.Shutdown(context.Background())
	release := make(chan struct{})
	tgt := fresh()
	req := Request{Owner: "alice", Kind: shared.OperationHelmUpgrade, Target: tgt}
	if _, err := r.Start(context.Background(), req, func(context.Context, *Handle) error { <-release; return nil }); err != nil {
		t.Fatal(err)
	}
	ran := false
	_, err := r.Start(context.Background(), req, func(context.Context, *Handle) error { ran = true; return nil })
	if !errors.Is(err, ErrBusy) {
		t.Errorf("second Start: %v, want ErrBusy", err)
	}
	close(release)
	if ran {
		t.Error("the refused operation's work ran")
	}
}

// Shutdown lets running work go on for the drain time, then cancels it
// and waits for it to return; no operation starts afterwards.
func TestRunnerShutdown(t *testing.T) {
	reg := NewMemory(MemoryOptions{})
	r, _ := newTestRunner(reg, 300*time.Millisecond)
	quick := make(chan struct{})
	finished := make(chan struct{})
	opQuick, err := r.Start(context.Background(), Request{Owner: "alice", Kind: shared.OperationDeploy, Target: fresh()},
		func(ctx context.Context, h *Handle) error {
			<-quick // ends within the drain time
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	opSlow, err := r.Start(context.Background(), Request{Owner: "alice", Kind: shared.OperationDeploy, Target: fresh()},
		func(ctx context.Context, h *Handle) error {
			<-ctx.Done() // ends only when cancelled
			time.Sleep(100 * time.Millisecond)
			close(finished)
			return &shared.Error{Code: shared.CodeUnavailable, Message: "The server stopped."}
		})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		close(quick)
	}()
	start := time.Now()
	r.Shutdown(context.Background())
	took := time.Since(start)
	select {
	case <-finished:
	default:
		t.Fatal("Shutdown returned before the cancelled work did")
	}
	if took < 300*time.Millisecond {
		t.Errorf("Shutdown took %s, less than the drain time", took)
	}
	if op, _ := reg.Get(context.Background(), opQuick.ID, "alice"); op.Phase != shared.OperationSucceeded {
		t.Errorf("the operation that ended within the drain: %s, want succeeded", op.Phase)
	}
	if op, _ := reg.Get(context.Background(), opSlow.ID, "alice"); op.Phase != shared.OperationFailed {
		t.Errorf("the cancelled operation: %s, want failed", op.Phase)
	}
	if _, err := r.Start(context.Background(), Request{Owner: "alice", Target: fresh()}, func(context.Context, *Handle) error { return nil }); !errors.Is(err, ErrStopping) {
		t.Errorf("Start after Shutdown: %v, want ErrStopping", err)
	}
	if !r.Stopping() {
		t.Error("Stopping = false after Shutdown")
	}
}

// Without a registry the runner starts nothing.
func TestRunnerWithoutRegistry(t *testing.T) {
	r, _ := newTestRunner(nil, time.Second)
	if _, err := r.Start(context.Background(), Request{Owner: "alice", Target: fresh()}, func(context.Context, *Handle) error { return nil }); !errors.Is(err, ErrNoRegistry) {
		t.Errorf("Start: %v, want ErrNoRegistry", err)
	}
	if r.Busy(context.Background(), fresh()) {
		t.Error("Busy without a registry")
	}
}
