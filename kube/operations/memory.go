package operations

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// The defaults of MemoryOptions.
const (
	DefaultMaxOperations = 10000
	DefaultMaxPerUser    = 20
	DefaultTTL           = 15 * time.Minute
)

// MemoryOptions bound a Memory registry. Zero fields take the defaults.
type MemoryOptions struct {
	// MaxOperations is how many operations the registry holds in all,
	// running or finished. When it is full, the operation that finished
	// first is forgotten to make room; when every one is running, Start
	// fails with ErrFull.
	MaxOperations int
	// MaxPerUser is how many running operations one user may have; past
	// it, Start fails with ErrTooMany.
	MaxPerUser int
	// TTL is how long a finished operation is kept, for late watchers and
	// the polling fallback.
	TTL time.Duration
	// Now is the clock (time.Now when nil); tests move it by hand.
	Now func() time.Time
	// OnChange, when set, gets every new state of every operation, in
	// order, from the start. It is called with the registry's lock held, so
	// it must not block or call the registry (the Redis registry queues the
	// state for its writer).
	OnChange func(shared.Operation)
}

// Memory is a Registry in this process's memory: for a single replica.
type Memory struct {
	opts MemoryOptions

	mu   sync.Mutex
	ops  map[string]*entry
	live map[string]int // running operations per owner
	// claims holds the target of each running operation, and its id.
	claims map[shared.OperationTarget]string
	// finished holds the ids of finished operations, the first finished
	// first, so that expiry and eviction take from its front.
	finished []string
}

var _ Registry = (*Memory)(nil)

// entry is one operation and the channels of its watchers.
type entry struct {
	op       shared.Operation
	watchers map[*watcher]struct{}
}

// watcher is one Watch: a channel holding at most the latest state not yet
// read, and the stop of the context callback that ends it.
type watcher struct {
	ch   chan shared.Operation
	stop func() bool
}

// send puts op on the channel, replacing a state the watcher has not read
// yet, so that the producer never waits for a slow watcher. It is called
// with the registry's lock held, so there is one sender at a time.
func (w *watcher) send(op shared.Operation) {
	select {
	case w.ch <- op:
		return
	default:
	}
	select {
	case <-w.ch:
	default:
	}
	select {
	case w.ch <- op:
	default:
	}
}

// NewMemory is an empty Memory registry.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.MaxOperations <= 0 {
		opts.MaxOperations = DefaultMaxOperations
	}
	if opts.MaxPerUser <= 0 {
		opts.MaxPerUser = DefaultMaxPerUser
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Memory{opts: opts, ops: map[string]*entry{}, live: map[string]int{}, claims: map[shared.OperationTarget]string{}}
}

// Start implements Registry.
func (m *Memory) Start(_ context.Context, owner string, kind shared.OperationKind, target shared.OperationTarget) (shared.Operation, *Handle, error) {
	return m.start(rand.Text(), owner, kind, target)
}

// start is Start with the id given.
func (m *Memory) start(id, owner string, kind shared.OperationKind, target shared.OperationTarget) (shared.Operation, *Handle, error) {
	if owner == "" {
		return shared.Operation{}, nil, errors.New("operations: an operation needs an owner")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.opts.Now()
	m.expire(now)
	if _, busy := m.claims[target]; busy {
		return shared.Operation{}, nil, &BusyError{Target: target}
	}
	if m.live[owner] >= m.opts.MaxPerUser {
		return shared.Operation{}, nil, ErrTooMany
	}
	if len(m.ops) >= m.opts.MaxOperations {
		if len(m.finished) == 0 {
			return shared.Operation{}, nil, ErrFull
		}
		m.forgetOldest()
	}
	op := shared.Operation{
		ID: id, Kind: kind, Target: target, Owner: owner,
		Phase: shared.OperationPending, Started: now,
	}
	m.ops[op.ID] = &entry{op: op, watchers: map[*watcher]struct{}{}}
	m.live[owner]++
	m.claims[target] = id
	m.changed(op)
	return op.Clone(), NewHandle(id, func(change func(*shared.Operation)) error { return m.update(id, change) }), nil
}

// Get implements Registry.
func (m *Memory) Get(_ context.Context, id, owner string) (shared.Operation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.visible(id, owner)
	if err != nil {
		return shared.Operation{}, err
	}
	return e.op.Clone(), nil
}

// Watch implements Registry.
func (m *Memory) Watch(ctx context.Context, id, owner string) (shared.Operation, <-chan shared.Operation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.visible(id, owner)
	if err != nil {
		return shared.Operation{}, nil, err
	}
	w := &watcher{ch: make(chan shared.Operation, 1)}
	if e.op.Done() || ctx.Err() != nil {
		close(w.ch)
		return e.op.Clone(), w.ch, nil
	}
	e.watchers[w] = struct{}{}
	// The callback waits for the lock, so it sees w.stop set; after the
	// operation finished it finds w gone and does nothing.
	w.stop = context.AfterFunc(ctx, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if _, ok := e.watchers[w]; ok {
			delete(e.watchers, w)
			close(w.ch)
		}
	})
	return e.op.Clone(), w.ch, nil
}

// Busy implements Registry.
func (m *Memory) Busy(_ context.Context, target shared.OperationTarget) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.claims[target]
	return ok
}

// Len is how many operations the registry holds, running or finished and
// not yet forgotten.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.opts.Now())
	return len(m.ops)
}

// Snapshot is the state of every operation the registry holds, running or
// finished and not yet forgotten.
func (m *Memory) Snapshot() []shared.Operation {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(m.opts.Now())
	out := make([]shared.Operation, 0, len(m.ops))
	for _, e := range m.ops {
		out = append(out, e.op.Clone())
	}
	return out
}

// changed tells OnChange of op's new state. The lock must be held.
func (m *Memory) changed(op shared.Operation) {
	if m.opts.OnChange != nil {
		m.opts.OnChange(op.Clone())
	}
}

// visible is operation id when owner may see it. The lock must be held.
func (m *Memory) visible(id, owner string) (*entry, error) {
	m.expire(m.opts.Now())
	e, ok := m.ops[id]
	if !ok || e.op.Owner != owner {
		return nil, ErrNotFound
	}
	return e, nil
}

// update changes operation id and sends the new state to its watchers;
// when it is done, it closes their channels and starts its TTL.
func (m *Memory) update(id string, change func(*shared.Operation)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.ops[id]
	if !ok {
		return ErrNotFound
	}
	if e.op.Done() {
		return ErrFinished
	}
	change(&e.op)
	done := e.op.Done()
	if done {
		now := m.opts.Now()
		e.op.Finished = &now
		if m.live[e.op.Owner]--; m.live[e.op.Owner] <= 0 {
			delete(m.live, e.op.Owner)
		}
		if m.claims[e.op.Target] == id {
			delete(m.claims, e.op.Target)
		}
		m.finished = append(m.finished, id)
	}
	m.changed(e.op)
	for w := range e.watchers {
		w.send(e.op.Clone())
		if done {
			w.stop()
			close(w.ch)
		}
	}
	if done {
		e.watchers = nil
	}
	return nil
}

// expire forgets the operations that finished more than the TTL ago. The
// lock must be held.
func (m *Memory) expire(now time.Time) {
	for len(m.finished) > 0 {
		e, ok := m.ops[m.finished[0]]
		if ok && now.Sub(*e.op.Finished) < m.opts.TTL {
			return
		}
		m.forgetOldest()
	}
}

// forgetOldest forgets the operation that finished first. The lock must be
// held and an operation must have finished.
func (m *Memory) forgetOldest() {
	delete(m.ops, m.finished[0])
	m.finished[0] = ""
	m.finished = m.finished[1:]
}
