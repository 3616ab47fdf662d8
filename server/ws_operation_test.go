package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// newOperationsHub is a synthetic hub server that follows the operations
// of the registry it returns.
func newOperationsHub(t *testing.T) (*httptest.Server, *operations.Memory) {
	t.Helper()
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	ops := operations.NewMemory(operations.MemoryOptions{})
	s.hub.ops = ops
	return ts, ops
}

// startOperation starts a deploy operation of owner.
func startOperation(t *testing.T, ops operations.Registry, owner string) (shared.Operation, *operations.Handle) {
	t.Helper()
	op, h, err := ops.Start(context.Background(), owner, shared.OperationDeploy,
		shared.OperationTarget{Kind: shared.TargetApp, Namespace: "team-a", Name: fmt.Sprintf("web-%d", operationTargets.Add(1))})
	if err != nil {
		t.Fatal(err)
	}
	return op, h
}

// operationTargets numbers the targets of startOperation: an operation
// claims its target, so each gets its own.
var operationTargets atomic.Int64

// follow subscribes c to operation id.
func (c *wsClient) follow(id string) {
	c.t.Helper()
	c.send(shared.WSMessage{Type: shared.WSSubscribeOperation, ID: id})
}

// expectOperation reads the next message and fails unless it is the
// operation:progress of id in phase, with the steps named.
func (c *wsClient) expectOperation(id string, phase shared.OperationPhase, steps ...shared.OperationStep) shared.Operation {
	c.t.Helper()
	m := c.next()
	if m.Type != shared.WSOperationProgress || m.Sub != id || m.Operation == nil {
		c.t.Fatalf("got %s of %q (error %+v), want the operation:progress of %s", m.Type, m.Sub, m.Error, id)
	}
	got := *m.Operation
	if got.ID != id || got.Phase != phase {
		c.t.Errorf("operation %s in phase %s, want %s in phase %s", got.ID, got.Phase, id, phase)
	}
	if diff := cmp.Diff(steps, got.Steps, cmpopts.EquateEmpty()); diff != "" {
		c.t.Errorf("steps of %s (-want +got):\n%s", id, diff)
	}
	return got
}

func step(name string, phase shared.OperationPhase) shared.OperationStep {
	return shared.OperationStep{Name: name, Phase: phase}
}

func TestWSOperationProgress(t *testing.T) {
	ts, ops := newOperationsHub(t)
	op, h := startOperation(t, ops, "alice")
	c := dialWS(t, ts, "alice")
	c.follow(op.ID)
	c.expectOperation(op.ID, shared.OperationPending)
	if err := h.Step("create", shared.OperationRunning, ""); err != nil {
		t.Fatal(err)
	}
	c.expectOperation(op.ID, shared.OperationRunning, step("create", shared.OperationRunning))
	if err := h.Succeed(nil, "done"); err != nil {
		t.Fatal(err)
	}
	final := c.expectOperation(op.ID, shared.OperationSucceeded, step("create", shared.OperationSucceeded))
	if final.Message != "done" || final.Finished == nil {
		t.Errorf("final state %+v, want message %q and a finish time", final, "done")
	}
	// The subscription ended with the final state: its id is free, and a
	// new one gets the final state at once.
	c.follow(op.ID)
	c.expectOperation(op.ID, shared.OperationSucceeded, step("create", shared.OperationSucceeded))
	c.sync()
}

func TestWSOperationLateSubscriber(t *testing.T) {
	ts, ops := newOperationsHub(t)
	op, h := startOperation(t, ops, "alice")
	for _, s := range []string{"create", "rollout"} {
		if err := h.Step(s, shared.OperationRunning, ""); err != nil {
			t.Fatal(err)
		}
	}
	c := dialWS(t, ts, "alice")
	c.follow(op.ID)
	c.expectOperation(op.ID, shared.OperationRunning, step("create", shared.OperationRunning), step("rollout", shared.OperationRunning))
	if err := h.Step("create", shared.OperationSucceeded, ""); err != nil {
		t.Fatal(err)
	}
	c.expectOperation(op.ID, shared.OperationRunning, step("create", shared.OperationSucceeded), step("rollout", shared.OperationRunning))
}

func TestWSOperationReconnect(t *testing.T) {
	ts, ops := newOperationsHub(t)
	op, h := startOperation(t, ops, "alice")
	c := dialWS(t, ts, "alice")
	c.follow(op.ID)
	c.expectOperation(op.ID, shared.OperationPending)
	_ = c.conn.CloseNow()
	// What happens while the client is away is in the state it gets first.
	if err := h.Step("create", shared.OperationSucceeded, ""); err != nil {
		t.Fatal(err)
	}
	c = dialWS(t, ts, "alice")
	c.follow(op.ID)
	c.expectOperation(op.ID, shared.OperationRunning, step("create", shared.OperationSucceeded))
	if err := h.Step("rollout", shared.OperationRunning, ""); err != nil {
		t.Fatal(err)
	}
	c.expectOperation(op.ID, shared.OperationRunning, step("create", shared.OperationSucceeded), step("rollout", shared.OperationRunning))
}

func TestWSOperationRefused(t *testing.T) {
	ts, ops := newOperationsHub(t)
	mine, h := startOperation(t, ops, "alice")
	c := dialWS(t, ts, "bob")
	tests := []struct {
		name, id string
		msg      shared.WSMessage
		wantCode shared.Code
	}{
		{"another user's operation", mine.ID, shared.WSMessage{Type: shared.WSSubscribeOperation, ID: mine.ID}, shared.CodeNotFound},
		{"no such operation", "NOSUCHOPERATION", shared.WSMessage{Type: shared.WSSubscribeOperation, ID: "NOSUCHOPERATION"}, shared.CodeNotFound},
		{"data", mine.ID, shared.WSMessage{Type: shared.WSSubscribeOperation, ID: mine.ID, Data: []byte(`{"kind":"pods"}`)}, shared.CodeValidation},
		{"bad id", "a b", shared.WSMessage{Type: shared.WSSubscribeOperation, ID: "a b"}, shared.CodeValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.send(tt.msg)
			m := c.next()
			if m.Type != shared.WSError || m.Error == nil || m.Error.Code != tt.wantCode || m.Sub != tt.id {
				t.Fatalf("got %s of %q (error %+v), want an error %s of %q", m.Type, m.Sub, m.Error, tt.wantCode, tt.id)
			}
		})
	}
	// Nothing of alice's operation reaches bob: the pong after a change
	// is the next message, and no state follows it.
	if err := h.Step("create", shared.OperationRunning, ""); err != nil {
		t.Fatal(err)
	}
	c.sync()
	if m, err := c.read(200 * time.Millisecond); err == nil {
		t.Errorf("got %s of %q after the refusals, want nothing", m.Type, m.Sub)
	}
}

func TestWSOperationUnsubscribe(t *testing.T) {
	ts, ops := newOperationsHub(t)
	first, h := startOperation(t, ops, "alice")
	second, _ := startOperation(t, ops, "alice")
	c := dialWS(t, ts, "alice")
	c.follow(first.ID)
	c.expectOperation(first.ID, shared.OperationPending)
	c.send(shared.WSMessage{Type: shared.WSUnsubscribe, ID: first.ID})
	c.sync()
	if err := h.Step("create", shared.OperationRunning, ""); err != nil {
		t.Fatal(err)
	}
	// States keep their order: had the first operation's change been sent,
	// it would come before the second's snapshot.
	c.follow(second.ID)
	c.expectOperation(second.ID, shared.OperationPending)
}
