package slots

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/cache/redistest"
)

func TestMemoryLimitsPerKey(t *testing.T) {
	m := NewMemory()
	ctx := context.Background()
	r1, ok1 := m.Take(ctx, "exec:alice", 2)
	_, ok2 := m.Take(ctx, "exec:alice", 2)
	if _, ok := m.Take(ctx, "exec:alice", 2); !ok1 || !ok2 || ok {
		t.Fatalf("took %v %v, then a third: %v; want two, then none", ok1, ok2, ok)
	}
	if _, ok := m.Take(ctx, "exec:bob", 2); !ok {
		t.Fatal("bob's places are alice's")
	}
	r1()
	r1() // a second release gives nothing back twice
	if got := m.Held("exec:alice"); got != 1 {
		t.Fatalf("held %d after one release (twice), want 1", got)
	}
	if _, ok := m.Take(ctx, "exec:alice", 2); !ok {
		t.Fatal("a released place is not free")
	}
}

// newReplicas starts two replicas' slots on one Redis.
func newReplicas(t *testing.T, rdb *redistest.Server, lease time.Duration, log *slog.Logger) (a, b *Redis) {
	t.Helper()
	for _, p := range []**Redis{&a, &b} {
		r, err := NewRedis(RedisOptions{URL: rdb.URL(), Lease: lease, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.Close() })
		*p = r
	}
	return a, b
}

// TestRedisLimitHoldsOverReplicas: the places one replica takes count on
// the other; a release on one frees a place for the other.
func TestRedisLimitHoldsOverReplicas(t *testing.T) {
	rdb := redistest.Start(t)
	a, b := newReplicas(t, rdb, DefaultLease, nil)
	ctx := context.Background()
	release, ok := a.Take(ctx, "logs:alice", 2)
	if !ok {
		t.Fatal("the first place was refused")
	}
	if _, ok := b.Take(ctx, "logs:alice", 2); !ok {
		t.Fatal("the second place, on the other replica, was refused")
	}
	if _, ok := b.Take(ctx, "logs:alice", 2); ok {
		t.Fatal("a third place was given over two replicas with a limit of 2")
	}
	if _, ok := a.Take(ctx, "logs:bob", 2); !ok {
		t.Fatal("bob was refused for alice's places")
	}
	release()
	if _, ok := b.Take(ctx, "logs:alice", 2); !ok {
		t.Fatal("the place released on one replica is not free on the other")
	}
}

// TestRedisPlacesOfADeadReplicaRunOut: a replica that stops renewing (it
// died) loses its places when their leases run out; a live one keeps its
// own past many leases.
func TestRedisPlacesOfADeadReplicaRunOut(t *testing.T) {
	rdb := redistest.Start(t)
	const lease = 600 * time.Millisecond
	dead, live := newReplicas(t, rdb, lease, nil)
	ctx := context.Background()
	if _, ok := dead.Take(ctx, "exec:alice", 1); !ok {
		t.Fatal("refused")
	}
	if _, ok := live.Take(ctx, "exec:bob", 1); !ok {
		t.Fatal("refused")
	}
	dead.stopOnce.Do(func() { close(dead.stop) }) // it renews no more, as if killed
	dead.done.Wait()
	if _, ok := live.Take(ctx, "exec:alice", 1); ok {
		t.Fatal("alice's place was free before its lease ran out")
	}
	eventually(t, 5*time.Second, "the dead replica's place runs out", func() bool {
		release, ok := live.Take(ctx, "exec:alice", 1)
		if ok {
			release()
		}
		return ok
	})
	time.Sleep(3 * lease)
	if _, ok := live.Take(ctx, "exec:bob", 1); ok {
		t.Fatal("the live replica's place ran out although it renews it")
	}
}

// TestRedisRestartAndOutage: places Redis lost in a restart are written
// again at the next renewal; while Redis is down the limit holds per
// replica, and each replica's log says so once, not per request.
func TestRedisRestartAndOutage(t *testing.T) {
	rdb := redistest.Start(t)
	var logs syncBuffer
	const lease = 600 * time.Millisecond
	a, b := newReplicas(t, rdb, lease, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	if _, ok := a.Take(ctx, "exec:alice", 1); !ok {
		t.Fatal("refused")
	}
	rdb.Restart() // without persistence: the place is gone from Redis
	eventually(t, 5*time.Second, "the place is written again", func() bool {
		n, err := b.client.ZCard(ctx, b.redisKey("exec:alice")).Result()
		return err == nil && n == 1
	})
	if _, ok := b.Take(ctx, "exec:alice", 1); ok {
		t.Fatal("a place Redis lost was given again")
	}

	rdb.Kill()
	for range 5 {
		if _, ok := b.Take(ctx, "exec:carol", 2); !ok {
			break
		}
	}
	if got := b.local.Held("exec:carol"); got != 2 {
		t.Fatalf("with Redis down carol holds %d places on this replica, want the limit, 2", got)
	}
	if n := strings.Count(logs.String(), "redis unavailable"); n < 1 || n > 2 {
		t.Fatalf("the outage was logged %d times, want once per replica (two):\n%s", n, logs.String())
	}
	rdb.Restart()
	eventually(t, 5*time.Second, "Redis is used again", func() bool {
		_, ok := b.Take(ctx, "exec:dave", 1)
		return ok && !b.down.Load()
	})
	if !strings.Contains(logs.String(), "redis is back") {
		t.Fatalf("the log does not say Redis is back:\n%s", logs.String())
	}
}

// TestRedisRaceGivesNoMoreThanTheLimit: many takes at once over two
// replicas never hand out more than the limit.
func TestRedisRaceGivesNoMoreThanTheLimit(t *testing.T) {
	rdb := redistest.Start(t)
	a, b := newReplicas(t, rdb, DefaultLease, nil)
	var mu sync.Mutex
	took := 0
	var wg sync.WaitGroup
	for i := range 40 {
		r := a
		if i%2 == 1 {
			r = b
		}
		wg.Go(func() {
			if _, ok := r.Take(context.Background(), "ws:alice", 5); ok {
				mu.Lock()
				defer mu.Unlock()
				took++
			}
		})
	}
	wg.Wait()
	if took != 5 {
		t.Fatalf("%d places given at once with a limit of 5", took)
	}
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
