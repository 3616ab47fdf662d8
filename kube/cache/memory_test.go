package cache

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestMemory(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewMemory(10).(*memory)
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
