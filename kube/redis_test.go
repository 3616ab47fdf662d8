package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

const redisBinary = "/usr/bin/redis-server"

// redisServer is a real redis-server the test started on a fixed port, so it
// can be killed and started again at the same address.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

// startRedis starts redis-server on a free port, without persistence; it is
// killed when the test ends.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath(redisBinary); err != nil {
		t.Skip("redis-server not found: apt-get install redis-server (make test provides it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := &redisServer{t: t, port: port}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) start() {
	r.t.Helper()
	r.cmd = exec.Command(redisBinary, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", r.port), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("redis-server did not listen on %d: %v", r.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop kills the server (as a crash would) and waits for it to exit.
func (r *redisServer) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

func TestRedisCache(t *testing.T) {
	srv := startRedis(t)
	ctx := context.Background()
	c, err := NewRedisCache(RedisOptions{URL: srv.url(), FailureThreshold: 3, Cooldown: 300 * time.Millisecond})
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

	srv.stop()
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

	srv.start()
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
