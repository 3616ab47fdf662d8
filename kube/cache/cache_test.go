package cache

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

func TestNamedCounts(t *testing.T) {
	ctx := context.Background()
	m, err := NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	base := NewMemory(0)
	c := Named(base, "access", m)
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
