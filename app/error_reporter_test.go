package main

import (
	"testing"
	"time"
)

func TestErrorReporterBudget(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	r := newErrorReporter(nil, "v1", nil, 2)
	r.now = func() time.Time { return now }
	steps := []struct {
		after time.Duration
		key   string
		want  bool
	}{
		{0, "a", true},
		{time.Second, "a", false}, // the same report again
		{time.Second, "b", true},
		{time.Second, "c", false}, // over the budget of 2 a minute
		{61 * time.Second, "c", true},
		{0, "a", true}, // a minute later "a" may be sent again
	}
	for i, s := range steps {
		now = now.Add(s.after)
		if got := r.allow(s.key); got != s.want {
			t.Errorf("step %d (%s): allow = %v, want %v", i, s.key, got, s.want)
		}
	}
}
