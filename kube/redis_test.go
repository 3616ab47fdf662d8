package kube

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/redistest"
)

func TestRedisCache(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	c, err := NewRedisCache(RedisOptions{URL: srv.URL(), FailureThreshold: 3, Cooldown: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if err := c.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := c.Get(ctx, "k"); err != nil || !ok || string(v) != "v" {
		t.Fatalf("Get(k) = %q, %v, %v", v, ok, err)
	}
	if _, ok, err := c.Get(ctx, "missing"); err != nil || ok {
		t.Fatalf("Get(missing) = %v, %v; want a miss without error", ok, err)
	}
	if err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Fatal("Get after Delete found the key")
	}
	_ = c.Set(ctx, "short", []byte("v"), 50*time.Millisecond)
	time.Sleep(120 * time.Millisecond)
	if _, ok, _ := c.Get(ctx, "short"); ok {
		t.Fatal("a key outlived its TTL")
	}
	if err := c.Check(ctx); err != nil {
		t.Fatalf("Check with Redis up: %v", err)
	}

	srv.Kill()
	t.Run("down: errors come fast, then the breaker skips Redis", func(t *testing.T) {
		for i := range 3 {
			start := time.Now()
			if _, ok, err := c.Get(ctx, "k"); err == nil || ok {
				t.Fatalf("Get %d with Redis down = %v, %v; want an error", i, ok, err)
			}
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Errorf("a failed Get took %v", d)
			}
		}
		start := time.Now()
		for range 1000 {
			if _, _, err := c.Get(ctx, "k"); !errors.Is(err, ErrCacheUnavailable) {
				t.Fatalf("Get with the breaker open: %v, want ErrCacheUnavailable", err)
			}
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("1000 Gets with the breaker open took %v", d)
		}
		if err := c.Check(ctx); err == nil {
			t.Error("Check with Redis down passed")
		}
	})

	srv.Restart()
	t.Run("back: the breaker closes after the cool-down", func(t *testing.T) {
		deadline := time.Now().Add(5 * time.Second)
		for c.Set(ctx, "k", []byte("again"), time.Minute) != nil {
			if time.Now().After(deadline) {
				t.Fatal("the cache did not recover")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if v, ok, err := c.Get(ctx, "k"); err != nil || !ok || string(v) != "again" {
			t.Fatalf("Get after recovery = %q, %v, %v", v, ok, err)
		}
		if err := c.Check(ctx); err != nil {
			t.Errorf("Check after recovery: %v", err)
		}
	})
}
