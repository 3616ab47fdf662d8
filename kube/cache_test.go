package kube

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

func TestMemoryCache(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewMemoryCache(10).(*memoryCache)
	c.now = func() time.Time { return now }

	val := []byte("v1")
	if err := c.Set(ctx, "a", val, time.Second); err != nil {
		t.Fatal(err)
	}
	val[0] = 'X' // the cache keeps its own copy
	got, ok, err := c.Get(ctx, "a")
	if err != nil || !ok || string(got) != "v1" {
		t.Fatalf("Get(a) = %q, %v, %v; want v1, true, nil", got, ok, err)
	}
	now = now.Add(time.Second)
	if _, ok, _ := c.Get(ctx, "a"); ok {
		t.Error("Get(a) after its TTL found it")
	}
	_ = c.Set(ctx, "b", []byte("v"), time.Minute)
	_ = c.Delete(ctx, "b", "missing")
	if _, ok, _ := c.Get(ctx, "b"); ok {
		t.Error("Get(b) after Delete found it")
	}
	for i := range 25 {
		_ = c.Set(ctx, fmt.Sprint(i), []byte("v"), time.Minute)
	}
	if n := len(c.entries); n > 10 {
		t.Errorf("cache holds %d entries, bound is 10", n)
	}
	if _, ok, _ := c.Get(ctx, "24"); !ok {
		t.Error("the newest entry was evicted")
	}
}

func TestBreaker(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBreaker(3, 5*time.Second)
	b.now = func() time.Time { return now }
	fail := errors.New("down")
	type step struct {
		advance time.Duration
		err     error // the outcome, when allowed
		allowed bool
		open    bool // after the step
	}
	steps := []step{
		{err: fail, allowed: true},
		{err: nil, allowed: true},  // a success resets the count
		{err: fail, allowed: true}, // 1
		{err: fail, allowed: true}, // 2
		{err: fail, allowed: true, open: true},
		{allowed: false, open: true},                                 // cool-down
		{advance: 4 * time.Second, allowed: false, open: true},       // still cooling
		{advance: time.Second, err: fail, allowed: true, open: true}, // the probe fails
		{advance: time.Second, allowed: false, open: true},
		{advance: 5 * time.Second, err: nil, allowed: true, open: false}, // the probe succeeds
		{err: fail, allowed: true, open: false},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		allowed := b.allow()
		if allowed != s.allowed {
			t.Fatalf("step %d: allow() = %v, want %v", i, allowed, s.allowed)
		}
		if allowed {
			b.done(s.err)
		}
		if b.open() != s.open {
			t.Fatalf("step %d: open() = %v, want %v", i, b.open(), s.open)
		}
	}
	// While a probe is out, nobody else goes through.
	b2 := newBreaker(1, time.Second)
	b2.now = func() time.Time { return now }
	b2.allow()
	b2.done(fail)
	now = now.Add(2 * time.Second)
	if !b2.allow() || b2.allow() {
		t.Error("after the cool-down exactly one probe should be allowed")
	}
}

func TestNamedCacheCounts(t *testing.T) {
	ctx := context.Background()
	m, err := NewCacheMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	base := NewMemoryCache(0)
	c := NamedCache(base, "access", m)
	_ = c.Set(ctx, "k", []byte("1"), time.Minute)
	c.Get(ctx, "k")
	c.Get(ctx, "k")
	c.Get(ctx, "other")
	if _, ok, _ := base.Get(ctx, "access:k"); !ok {
		t.Error("the named cache did not prefix its keys with its name")
	}
	got := map[string]float64{"hit": m.Count("access", "hit"), "miss": m.Count("access", "miss"), "error": m.Count("access", "error")}
	if diff := cmp.Diff(map[string]float64{"hit": 2, "miss": 1, "error": 0}, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
