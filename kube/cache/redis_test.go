package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/cache/redistest"
)

func TestRedis(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	c, err := NewRedis(RedisOptions{URL: srv.URL(), FailureThreshold: 3, Cooldown: 300 * time.Millisecond})
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
			if _, _, err := c.Get(ctx, "k"); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Get with the breaker open: %v, want ErrUnavailable", err)
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

// TestRedisPassword runs a Redis that requires a password: the cache works
// with the password, in the URL or given apart (from --redis-password-file),
// and without it every call fails, which the server reads as misses.
func TestRedisPassword(t *testing.T) {
	srv := redistest.StartWith(t, redistest.Options{Password: "s3cret pass/word"})
	ctx := context.Background()
	bare := "redis://" + srv.Addr() + "/0"
	tests := []struct {
		name    string
		opts    RedisOptions
		working bool
	}{
		{"password in the URL", RedisOptions{URL: srv.URL()}, true},
		{"password given apart", RedisOptions{URL: bare, Password: srv.Password()}, true},
		{"password given apart wins over the URL's", RedisOptions{URL: "redis://:wrong@" + srv.Addr() + "/0", Password: srv.Password()}, true},
		{"no password", RedisOptions{URL: bare}, false},
		{"wrong password", RedisOptions{URL: bare, Password: "wrong"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewRedis(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			setErr := c.Set(ctx, "k", []byte("v"), time.Minute)
			_, ok, getErr := c.Get(ctx, "k")
			checkErr := c.Check(ctx)
			if tt.working && (setErr != nil || getErr != nil || !ok || checkErr != nil) {
				t.Errorf("Set: %v; Get: %v, found %v; Check: %v", setErr, getErr, ok, checkErr)
			}
			if !tt.working && (setErr == nil || getErr == nil || ok || checkErr == nil) {
				t.Errorf("without the password: Set: %v; Get: %v, found %v; Check: %v; want every call to fail", setErr, getErr, ok, checkErr)
			}
		})
	}
}

// TestRedisTLSURL checks a rediss:// URL makes the client speak TLS to the
// URL's host.
func TestRedisTLSURL(t *testing.T) {
	c, err := NewRedis(RedisOptions{URL: "rediss://:pw@redis.example:6380/1"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o := c.client.Options()
	if o.TLSConfig == nil || o.TLSConfig.ServerName != "redis.example" || o.Password != "pw" || o.DB != 1 {
		t.Errorf("options from rediss://: TLS %+v, password %q, db %d", o.TLSConfig, o.Password, o.DB)
	}
}
