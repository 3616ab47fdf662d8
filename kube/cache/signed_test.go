package cache

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSigned checks the decisions kept in a Cache can be read back
// only by the key that signed them, only under the key they were stored
// under, and only until they expire.
func TestSigned(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := NewMemory(0)
	c := NewSigned(base, []byte("0123456789abcdef0123456789abcdef")).(*signed)
	c.now = func() time.Time { return now }
	other := NewSigned(base, []byte("another key, another kubedeck...")).(*signed)
	other.now = c.now

	if err := c.Set(ctx, "k", []byte("1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	raw, _, _ := base.Get(ctx, "k")
	_ = base.Set(ctx, "copy", raw, time.Hour)

	type result struct {
		Val string
		OK  bool
	}
	get := func(c *signed, key string) result {
		v, ok, _ := c.Get(ctx, key)
		return result{string(v), ok}
	}
	tests := []struct {
		name string
		got  func() result
		want result
	}{
		{"read back", func() result { return get(c, "k") }, result{"1", true}},
		{"read by another key", func() result { return get(other, "k") }, result{}},
		{"copied under another name", func() result { return get(c, "copy") }, result{}},
		{"after it expired", func() result { now = now.Add(time.Minute); return get(c, "k") }, result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
