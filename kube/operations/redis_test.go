package operations

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/cache/redistest"
	"github.com/kubedeck/kubedeck/shared"
)

// The Redis registry against a real redis-server: replicas are registries
// in one process sharing the server and the key, as replicas share them.

var sharedKey = []byte("0123456789abcdef0123456789abcdef")

func replica(t *testing.T, srv *redistest.Server, opts RedisOptions) *Redis {
	t.Helper()
	opts.URL = srv.URL()
	if opts.Key == nil {
		opts.Key = sharedKey
	}
	if opts.Lease == 0 {
		opts.Lease = 900 * time.Millisecond
	}
	r, err := NewRedis(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// eventually retries cond until it holds, or fails the test after limit.
func eventually(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// nextWithin reads the next state from ch within limit.
func nextWithin(t *testing.T, ch <-chan shared.Operation, limit time.Duration) (shared.Operation, bool) {
	t.Helper()
	select {
	case op, ok := <-ch:
		return op, ok
	case <-time.After(limit):
		t.Fatalf("no state within %s", limit)
		return shared.Operation{}, false
	}
}

// drain reads ch until it closes, and returns the last state.
func drain(t *testing.T, ch <-chan shared.Operation, limit time.Duration) shared.Operation {
	t.Helper()
	var last shared.Operation
	deadline := time.After(limit)
	for {
		select {
		case op, ok := <-ch:
			if !ok {
				return last
			}
			last = op
		case <-deadline:
			t.Fatalf("channel not closed within %s; last state %+v", limit, last)
		}
	}
}

// An operation started on one replica is read and followed on another, by
// its owner only: progress, then the final state, and the channel closes.
func TestRedisFollowFromAnotherReplica(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv, RedisOptions{}), replica(t, srv, RedisOptions{})
	ctx := context.Background()
	op, h := start(t, a, "alice")

	eventually(t, "b sees the operation", 5*time.Second, func() bool {
		_, err := b.Get(ctx, op.ID, "alice")
		return err == nil
	})
	if _, err := b.Get(ctx, op.ID, "mallory"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another user's Get: %v, want ErrNotFound", err)
	}
	if _, _, err := b.Watch(ctx, op.ID, "mallory"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another user's Watch: %v, want ErrNotFound", err)
	}
	first, ch, err := b.Watch(ctx, op.ID, "alice")
	if err != nil || first.ID != op.ID {
		t.Fatalf("Watch: %+v %v", first, err)
	}
	if err := h.Step("rollout", shared.OperationRunning, "1 of 3 ready"); err != nil {
		t.Fatal(err)
	}
	got, ok := nextWithin(t, ch, 5*time.Second)
	if !ok || len(got.Steps) != 1 || got.Steps[0].Message != "1 of 3 ready" {
		t.Fatalf("progress %+v (open %v)", got, ok)
	}
	if err := h.Succeed(map[string]int{"ready": 3}, "done"); err != nil {
		t.Fatal(err)
	}
	final := drain(t, ch, 5*time.Second)
	if final.Phase != shared.OperationSucceeded || string(final.Result) != `{"ready":3}` {
		t.Fatalf("final state %+v", final)
	}
}

// A user's running operations are bounded over all replicas; a finished
// one frees its place.
func TestRedisBoundPerUserAcrossReplicas(t *testing.T) {
	srv := redistest.Start(t)
	opts := RedisOptions{Memory: MemoryOptions{MaxPerUser: 2}}
	a, b := replica(t, srv, opts), replica(t, srv, opts)
	ctx := context.Background()
	_, h1 := start(t, a, "alice")
	start(t, b, "alice")
	if _, _, err := a.Start(ctx, "alice", shared.OperationDeploy, fresh()); !errors.Is(err, ErrTooMany) {
		t.Fatalf("a third operation: %v, want ErrTooMany", err)
	}
	start(t, a, "bob") // another user is not bounded by alice's
	if err := h1.Succeed(nil, "done"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the finished operation frees a place", 5*time.Second, func() bool {
		_, _, err := b.Start(ctx, "alice", shared.OperationDeploy, fresh())
		return err == nil
	})
}

// Whoever can write to Redis cannot forge an operation, nor move one to
// another user or id: a record that does not verify under the replicas'
// key is not found.
func TestRedisRecordsAreSigned(t *testing.T) {
	srv := redistest.Start(t)
	a := replica(t, srv, RedisOptions{})
	forger := replica(t, srv, RedisOptions{Key: []byte("another key, not the replicas' one")})
	ctx := context.Background()
	op, _ := start(t, forger, "mallory")
	eventually(t, "the forged record is written", 5*time.Second, func() bool {
		n, _ := forger.client.Exists(ctx, forger.opKey(op.ID)).Result()
		return n == 1
	})
	if _, err := a.Get(ctx, op.ID, "mallory"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a record signed with another key: %v, want ErrNotFound", err)
	}

	// A genuine record copied under another id is not that operation.
	real, _ := start(t, a, "alice")
	eventually(t, "the record is written", 5*time.Second, func() bool {
		n, _ := a.client.Exists(ctx, a.opKey(real.ID)).Result()
		return n == 1
	})
	val, err := a.client.Get(ctx, a.opKey(real.ID)).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.client.Set(ctx, a.opKey("COPIED"), val, time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	b := replica(t, srv, RedisOptions{})
	if _, err := b.Get(ctx, "COPIED", "alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a record moved to another id: %v, want ErrNotFound", err)
	}
}

// Redis restarted (without persistence) in the middle of an operation
// loses nothing its follower sees: the running replica writes its records
// again, the follower's subscription comes back and re-reads.
func TestRedisRestartMidOperation(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv, RedisOptions{}), replica(t, srv, RedisOptions{})
	ctx := context.Background()
	earlier, eh := start(t, a, "alice")
	must(t, eh.Succeed(nil, "finished before the restart"))
	op, h := start(t, a, "alice")
	eventually(t, "b sees the operations", 5*time.Second, func() bool {
		_, err := b.Get(ctx, op.ID, "alice")
		got, err2 := b.Get(ctx, earlier.ID, "alice")
		return err == nil && err2 == nil && got.Done()
	})
	_, ch, err := b.Watch(ctx, op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	if _, err := b.Get(ctx, op.ID, "alice"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get with Redis down: %v, want ErrUnavailable", err)
	}
	if err := h.Step("install", shared.OperationRunning, "waiting for resources"); err != nil {
		t.Fatal(err)
	}
	if err := h.Succeed(nil, "installed"); err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	final := drain(t, ch, 15*time.Second)
	if final.Phase != shared.OperationSucceeded || final.Message != "installed" {
		t.Fatalf("the follower's last state %+v, want the success", final)
	}
	got, err := b.Get(ctx, op.ID, "alice")
	if err != nil || got.Phase != shared.OperationSucceeded || len(got.Steps) != 1 {
		t.Fatalf("Get after the restart: %+v %v", got, err)
	}
	// The operation that finished before the restart, and was not touched
	// since, is written again too.
	eventually(t, "the earlier operation is back", 5*time.Second, func() bool {
		got, err := b.Get(ctx, earlier.ID, "alice")
		return err == nil && got.Message == "finished before the restart"
	})
}

// A replica that dies mid-operation stops renewing its lease: followers on
// other replicas see the operation fail, saying why, instead of running
// for ever; and it no longer counts against its owner's bound.
func TestRedisDeadReplicaFailsItsOperations(t *testing.T) {
	srv := redistest.Start(t)
	opts := RedisOptions{Memory: MemoryOptions{MaxPerUser: 1}}
	a, b := replica(t, srv, opts), replica(t, srv, opts)
	ctx := context.Background()
	op, _ := start(t, a, "alice")
	eventually(t, "b sees the operation", 5*time.Second, func() bool {
		_, err := b.Get(ctx, op.ID, "alice")
		return err == nil
	})
	_, ch, err := b.Watch(ctx, op.ID, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil { // the replica stops; its operation never finishes
		t.Fatal(err)
	}
	final := drain(t, ch, 10*time.Second)
	if final.Phase != shared.OperationFailed || final.Error == nil || final.Error.Code != shared.CodeUnavailable {
		t.Fatalf("last state %+v, want failed as unavailable", final)
	}
	if _, _, err := b.Start(ctx, "alice", shared.OperationDeploy, fresh()); err != nil {
		t.Fatalf("the dead replica's operation still counts: %v", err)
	}
}

// With Redis down, a replica still runs operations (bounded on its own)
// and writes them once Redis is back.
func TestRedisDownAtStart(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv, RedisOptions{}), replica(t, srv, RedisOptions{})
	ctx := context.Background()
	srv.Kill()
	op, h := start(t, a, "alice")
	if got, err := a.Get(ctx, op.ID, "alice"); err != nil || got.ID != op.ID {
		t.Fatalf("the running replica's Get with Redis down: %+v %v", got, err)
	}
	if err := h.Succeed(nil, "done"); err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	eventually(t, "b reads the operation once Redis is back", 10*time.Second, func() bool {
		got, err := b.Get(ctx, op.ID, "alice")
		return err == nil && got.Phase == shared.OperationSucceeded
	})
}

// Right after Redis restarts empty, an operation asked for on another
// replica is found once its replica has written it back, rather than
// answered "not found" in the meantime.
func TestRedisRestartDoesNotLoseAFollower(t *testing.T) {
	srv := redistest.Start(t)
	// A long lease makes the writer's checks slow enough to be caught.
	a, b := replica(t, srv, RedisOptions{Lease: 30 * time.Second}), replica(t, srv, RedisOptions{Lease: 30 * time.Second})
	ctx := context.Background()
	op, _ := start(t, a, "alice")
	eventually(t, "b sees the operation", 5*time.Second, func() bool {
		_, err := b.Get(ctx, op.ID, "alice")
		return err == nil
	})
	srv.Kill()
	srv.Restart()
	if _, ch, err := b.Watch(ctx, op.ID, "alice"); err != nil || ch == nil {
		t.Fatalf("Watch right after the restart: %v", err)
	}
	if _, err := b.Get(ctx, "NOSUCHOPERATION", "alice"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown operation after the restart: %v, want ErrNotFound", err)
	}
}
