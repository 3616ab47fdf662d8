package operations

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/cache/redistest"
	"github.com/kubedeck/kubedeck/shared"
)

// One operation at a time holds a target: a second is refused with a
// BusyError naming it, until the first finishes.
func TestMemoryClaims(t *testing.T) {
	ctx := context.Background()
	r := NewMemory(MemoryOptions{})
	tgt := fresh()
	_, h, err := r.Start(ctx, "alice", shared.OperationHelmUpgrade, tgt)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Busy(ctx, tgt) {
		t.Error("Busy = false while an operation runs on the target")
	}
	_, _, err = r.Start(ctx, "bob", shared.OperationHelmUpgrade, tgt)
	var busy *BusyError
	if !errors.Is(err, ErrBusy) || !errors.As(err, &busy) || busy.Target != tgt {
		t.Fatalf("a second operation on the target: %v, want a BusyError naming it", err)
	}
	if _, _, err := r.Start(ctx, "bob", shared.OperationHelmUpgrade, fresh()); err != nil {
		t.Fatalf("another target: %v", err)
	}
	must(t, h.Fail(shared.Error{Code: shared.CodeConflict, Message: "no"}))
	if r.Busy(ctx, tgt) {
		t.Error("Busy = true after the operation finished")
	}
	if _, _, err := r.Start(ctx, "bob", shared.OperationHelmUpgrade, tgt); err != nil {
		t.Fatalf("after the first finished: %v", err)
	}
}

// Replicas sharing Redis hold a target one at a time; the claim ends when
// the operation finishes, and when its replica dies (with its lease).
func TestRedisClaimsAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv, RedisOptions{}), replica(t, srv, RedisOptions{})
	ctx := context.Background()
	tgt := fresh()
	_, h, err := a.Start(ctx, "alice", shared.OperationHelmUpgrade, tgt)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Start(ctx, "bob", shared.OperationHelmUpgrade, tgt); !errors.Is(err, ErrBusy) {
		t.Fatalf("the other replica started an operation on a claimed target: %v", err)
	}
	if !b.Busy(ctx, tgt) {
		t.Error("the other replica does not see the target busy")
	}
	// The claim outlives its first lease: the writer renews it.
	time.Sleep(3 * 900 * time.Millisecond)
	if _, _, err := b.Start(ctx, "bob", shared.OperationHelmUpgrade, tgt); !errors.Is(err, ErrBusy) {
		t.Fatalf("after three leases, the running operation's claim is gone: %v", err)
	}
	must(t, h.Succeed(nil, "done"))
	eventually(t, "the finished operation frees the target", 5*time.Second, func() bool {
		return !b.Busy(ctx, tgt)
	})
	_, _, err = b.Start(ctx, "bob", shared.OperationHelmUpgrade, tgt)
	if err != nil {
		t.Fatalf("after the first finished: %v", err)
	}

	// b dies mid-operation: its claim runs out with its lease.
	dead := replica(t, srv, RedisOptions{})
	tgt2 := fresh()
	if _, _, err := dead.Start(ctx, "carol", shared.OperationHelmUpgrade, tgt2); err != nil {
		t.Fatal(err)
	}
	if err := dead.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a dead replica's claim runs out", 5*time.Second, func() bool {
		_, _, err := a.Start(ctx, "carol", shared.OperationHelmUpgrade, tgt2)
		return err == nil
	})
}

// When Redis has lost a running operation's claim (a restart without
// persistence), the replica takes it again.
func TestRedisClaimTakenAgainAfterRestart(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv, RedisOptions{}), replica(t, srv, RedisOptions{})
	ctx := context.Background()
	tgt := fresh()
	if _, _, err := a.Start(ctx, "alice", shared.OperationHelmUpgrade, tgt); err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	eventually(t, "the claim is back", 5*time.Second, func() bool {
		_, _, err := b.Start(ctx, "bob", shared.OperationHelmUpgrade, tgt)
		return errors.Is(err, ErrBusy)
	})
}
