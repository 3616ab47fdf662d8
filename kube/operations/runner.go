package operations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// The one runner of every operation (an app's deploy, each Helm write): it
// starts an operation in the registry, which claims its target so that one
// operation at a time works on an app or a release across the replicas
// sharing the registry; runs the work in the background; recovers a panic;
// finishes the operation when the work did not; writes the audit line of
// how it ended; and, on shutdown, gives running work the drain time before
// it cancels it and waits for it to return.

// The errors of a Runner's Start besides the registry's.
var (
	// ErrStopping: the server is shutting down and starts no operation (503).
	ErrStopping = errors.New("the server is stopping")
	// ErrNoRegistry: the runner has no registry, so runs nothing (503).
	ErrNoRegistry = errors.New("this server runs no operations")
)

// Origin is the request that starts an operation: its id and peer, for
// the audit line.
type Origin struct {
	RequestID string
	Source    string
}

// Request is who starts an operation, on what, and what of it is audited.
type Request struct {
	// Owner is the user who starts it and may follow it; Groups are theirs,
	// for the audit line.
	Owner  string
	Groups []string
	Origin
	// Verb is the audit line's verb ("create", "install", …).
	Verb   string
	Kind   shared.OperationKind
	Target shared.OperationTarget
}

// Work is the work of an operation, run after the 202. It reports through
// h and either finishes the operation itself (h.Succeed or h.Fail) or
// returns: nil for success without a result, or the error the operation
// fails with (a *shared.Error as it is; any other through the runner's
// Describe). ctx ends when the drain time of a shutdown has passed.
type Work func(ctx context.Context, h *Handle) error

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Registry keeps the operations' state and claims their targets; nil:
	// the runner starts none (ErrNoRegistry).
	Registry Registry
	// Drain is how long running work may go on once Shutdown is called
	// before its context is cancelled (default 15 s).
	Drain time.Duration
	// Describe turns a work's error into what its owner is told (default:
	// an internal error).
	Describe func(error) shared.Error
	// Log receives the audit line of each outcome and panics.
	Log *slog.Logger
}

// Runner runs operations; see the top of this file.
type Runner struct {
	opts     RunnerOptions
	stopping context.Context
	stop     context.CancelFunc
	running  sync.WaitGroup
	// mu orders Start's Add against Shutdown's stop and Wait.
	mu sync.Mutex
}

// NewRunner is a Runner over opts.Registry.
func NewRunner(opts RunnerOptions) *Runner {
	if opts.Drain <= 0 {
		opts.Drain = 15 * time.Second
	}
	if opts.Describe == nil {
		opts.Describe = func(error) shared.Error {
			return shared.Error{Code: shared.CodeInternal, Message: "Something went wrong on the server; it has been logged."}
		}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{opts: opts}
	r.stopping, r.stop = context.WithCancel(context.Background())
	return r
}

// Stopping says whether Shutdown has been called: work that fails because
// its context ended can say the server stopped.
func (r *Runner) Stopping() bool { return r.stopping.Err() != nil }

// Busy says whether an operation works on target, on any replica.
func (r *Runner) Busy(ctx context.Context, target shared.OperationTarget) bool {
	return r.opts.Registry != nil && r.opts.Registry.Busy(ctx, target)
}

// Start starts an operation of req and runs work for it in the
// background. It fails, and work never runs, with ErrBusy when another
// operation works on the target, ErrTooMany or ErrFull at the registry's
// bounds, and ErrStopping once Shutdown has been called.
func (r *Runner) Start(ctx context.Context, req Request, work Work) (shared.Operation, error) {
	if r.opts.Registry == nil {
		return shared.Operation{}, ErrNoRegistry
	}
	if err := r.add(); err != nil {
		return shared.Operation{}, err
	}
	op, h, err := r.opts.Registry.Start(ctx, req.Owner, req.Kind, req.Target)
	if err != nil {
		r.running.Done()
		return shared.Operation{}, err
	}
	go r.run(h, req, work)
	return op, nil
}

// add counts one more running operation, unless the runner has stopped.
func (r *Runner) add() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping.Err() != nil {
		return ErrStopping
	}
	r.running.Add(1)
	return nil
}

// run runs one operation's work to its end.
func (r *Runner) run(h *Handle, req Request, work Work) {
	defer r.running.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The work gets the drain time once the runner stops.
	stop := context.AfterFunc(r.stopping, func() {
		t := time.AfterFunc(r.opts.Drain, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	defer stop()
	err := r.protect(ctx, h, req, work)
	if err != nil {
		var se *shared.Error
		if !errors.As(err, &se) {
			d := r.opts.Describe(err)
			se = &d
		}
		_ = h.Fail(*se)
	} else {
		// Work that returned nil without finishing succeeded with no result.
		_ = h.Succeed(nil, "Done.")
	}
	r.audit(h, req)
}

// protect runs work, turning a panic into an internal error.
func (r *Runner) protect(ctx context.Context, h *Handle, req Request, work Work) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.opts.Log.Error("operation panicked", "operation", h.ID(), "kind", req.Kind, "panic", fmt.Sprint(p))
			err = &shared.Error{Code: shared.CodeInternal, Message: "Something went wrong on the server; it has been logged."}
		}
	}()
	return work(ctx, h)
}

// audit writes the line of how the operation ended: "succeeded", or the
// error code it failed with.
func (r *Runner) audit(h *Handle, req Request) {
	result := "succeeded"
	if phase, code := h.Outcome(); phase != shared.OperationSucceeded {
		result = string(code)
		if result == "" {
			result = string(shared.CodeInternal)
		}
	}
	r.opts.Log.LogAttrs(context.Background(), slog.LevelInfo, "audit",
		slog.String("request_id", req.RequestID),
		slog.String("user", req.Owner),
		slog.Any("groups", req.Groups),
		slog.String("source", req.Source),
		slog.String("verb", req.Verb),
		slog.Group("object", slog.String("kind", req.Target.Kind), slog.String("namespace", req.Target.Namespace),
			slog.String("name", req.Target.Name)),
		slog.String("operation", h.ID()),
		slog.String("result", result),
	)
}

// Shutdown stops starting operations, lets running ones go on for the
// drain time (counted from the first call), then cancels them, and waits
// until every one has returned or ctx ends. It may be called again, to
// wait again.
func (r *Runner) Shutdown(ctx context.Context) {
	func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.stop()
	}()
	done := make(chan struct{})
	go func() {
		r.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		r.opts.Log.Warn("shutdown: operations still running were left", "err", ctx.Err())
	}
}
