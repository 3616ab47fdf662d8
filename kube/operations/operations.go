// Package operations keeps the state of long operations (a deployment, a
// Helm install) that the server runs for a user after answering 202: who
// started each, where it stands, and who is following it. A Registry is
// bounded, per user and in all, and forgets finished operations after a
// while; the memory one serves a single replica, and the interface is small
// enough for a Redis-backed one (state in a key, updates relayed by pub/sub)
// to share operations between replicas.
package operations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/kubedeck/kubedeck/shared"
)

// The errors of a Registry and of a Handle.
var (
	// ErrNotFound: no operation with that id is visible to that user. An
	// operation of another user is not found either, so ids leak nothing.
	ErrNotFound = errors.New("operation not found")
	// ErrTooMany: the user already runs as many operations as one user may
	// (the server answers 429).
	ErrTooMany = errors.New("too many operations running for this user")
	// ErrFull: the registry holds as many running operations as it may (the
	// server answers 503).
	ErrFull = errors.New("too many operations running")
	// ErrFinished: an update came after the operation succeeded or failed.
	ErrFinished = errors.New("operation already finished")
	// ErrBusy: another operation works on the target (the server answers
	// 409); errors.Is finds it in a *BusyError.
	ErrBusy = errors.New("another operation works on the target")
)

// BusyError is the ErrBusy of one target, with a message for people.
type BusyError struct{ Target shared.OperationTarget }

func (e *BusyError) Error() string { return ErrBusy.Error() + ": " + e.PublicMessage() }

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// PublicMessage names the target, for the person who asked.
func (e *BusyError) PublicMessage() string {
	what := e.Target.Kind
	if what == "" {
		what = "object"
	}
	return "Another operation is working on " + what + " " + e.Target.Namespace + "/" + e.Target.Name + "; wait for it to finish."
}

// Registry starts operations and serves their state to their owner.
// Implementations are safe for concurrent use.
type Registry interface {
	// Start registers a pending operation of owner and returns its state
	// (with its id) and the Handle its producer updates it through. The
	// operation claims its target until it finishes: Start fails with a
	// *BusyError while another operation holds it, and with ErrTooMany or
	// ErrFull when a bound is reached.
	Start(ctx context.Context, owner string, kind shared.OperationKind, target shared.OperationTarget) (shared.Operation, *Handle, error)
	// Busy says whether a running operation holds target.
	Busy(ctx context.Context, target shared.OperationTarget) bool
	// Get is the current state of operation id, when owner started it;
	// ErrNotFound otherwise, or once it has been forgotten.
	Get(ctx context.Context, id, owner string) (shared.Operation, error)
	// Watch is Get, and then every later state on the channel. The channel
	// closes after the final state, or when ctx is done. A watcher that reads
	// slowly misses intermediate states, never the latest one: each state is
	// whole, so the latest is all a watcher needs.
	Watch(ctx context.Context, id, owner string) (shared.Operation, <-chan shared.Operation, error)
}

// UpdateFunc applies change to the state of one operation and tells its
// watchers; a Registry gives one to each Handle. It returns ErrFinished,
// without calling change, once the operation is done.
type UpdateFunc func(change func(*shared.Operation)) error

// Handle is how the producer of an operation reports its progress. The
// producer must finish every operation it starts, with Succeed or Fail
// (deferring a Fail that returns ErrFinished after a Succeed is fine), or
// it counts against its owner's bound for as long as the registry lives.
type Handle struct {
	id     string
	update UpdateFunc

	mu    sync.Mutex
	phase shared.OperationPhase // how it ended, once it has
	code  shared.Code           // the error code it failed with
}

// NewHandle is the Handle of operation id, for Registry implementations.
func NewHandle(id string, update UpdateFunc) *Handle { return &Handle{id: id, update: update} }

// Outcome is how the operation ended through this Handle: its final phase
// and, when it failed, the error's code; the zero phase while it runs.
func (h *Handle) Outcome() (shared.OperationPhase, shared.Code) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.phase, h.code
}

// ended notes how the operation ended.
func (h *Handle) ended(phase shared.OperationPhase, code shared.Code) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.phase, h.code = phase, code
}

// ID is the operation's id.
func (h *Handle) ID() string { return h.id }

// Progress sets the operation's message and marks it running.
func (h *Handle) Progress(message string) error {
	return h.update(func(op *shared.Operation) {
		op.Phase = shared.OperationRunning
		op.Message = message
	})
}

// Step sets the phase and message of the step called name, adding it after
// the others the first time, and marks the operation running.
func (h *Handle) Step(name string, phase shared.OperationPhase, message string) error {
	return h.StepWith(shared.OperationStep{Name: name, Phase: phase, Message: message})
}

// StepWith is Step with the whole step given: its facts (such as a
// rollout's state) replace the step's.
func (h *Handle) StepWith(step shared.OperationStep) error {
	if step.Rollout != nil {
		r := *step.Rollout
		step.Rollout = &r
	}
	return h.update(func(op *shared.Operation) {
		op.Phase = shared.OperationRunning
		for i := range op.Steps {
			if op.Steps[i].Name == step.Name {
				op.Steps[i] = step
				return
			}
		}
		op.Steps = append(op.Steps, step)
	})
}

// Succeed finishes the operation with result (encoded as JSON; nil for
// none) and message; steps still pending or running succeed with it.
func (h *Handle) Succeed(result any, message string) error {
	var raw json.RawMessage
	if result != nil {
		b, err := json.Marshal(result)
		if err != nil {
			return fmt.Errorf("encode the result of operation %s: %w", h.id, err)
		}
		raw = b
	}
	err := h.update(func(op *shared.Operation) {
		op.Phase, op.Result, op.Message = shared.OperationSucceeded, raw, message
		finishSteps(op, shared.OperationSucceeded)
	})
	if err == nil {
		h.ended(shared.OperationSucceeded, "")
	}
	return err
}

// Fail finishes the operation with e, whose message becomes the
// operation's; a step still pending or running fails with it.
func (h *Handle) Fail(e shared.Error) error {
	e.Details = maps.Clone(e.Details)
	err := h.update(func(op *shared.Operation) {
		op.Phase, op.Error, op.Message = shared.OperationFailed, &e, e.Message
		finishSteps(op, shared.OperationFailed)
	})
	if err == nil {
		h.ended(shared.OperationFailed, e.Code)
	}
	return err
}

// finishSteps gives phase to the steps that are not done.
func finishSteps(op *shared.Operation, phase shared.OperationPhase) {
	for i := range op.Steps {
		if !op.Steps[i].Phase.Done() {
			op.Steps[i].Phase = phase
		}
	}
}
