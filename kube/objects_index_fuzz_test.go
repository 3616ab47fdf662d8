package kube

import (
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzIndexList lists a real pod index with any query a caller could build,
// whatever the server's parsing lets through: no query may panic, and a
// panic must never leave the index locked.
func FuzzIndexList(f *testing.F) {
	x := benchPods(f, 300, 7)
	some := x.entries[0].row
	f.Add("", "", "", false, 18446744073709553, 500) // the page that overflowed the offset
	f.Add("team-001", "web", "restarts", true, 2, 50)
	f.Add("", "", "name", false, math.MaxInt, math.MaxInt)
	f.Add("", "", "age", true, math.MinInt, math.MinInt)
	f.Add("team-003 team-004", "tier=web node-1", "ip", false, 1, 0)
	f.Fuzz(func(t *testing.T, namespaces, search, sort string, desc bool, page, limit int) {
		q := Query{Search: search, Sort: sort, Desc: desc, Page: page, Limit: limit}
		if namespaces != "" {
			q.Namespaces = strings.Fields(namespaces)
		}
		res, err := x.list(q)
		if err != nil {
			if sort == "" || x.kind.sortIndex(sort) >= 0 {
				t.Fatalf("list(%+v): %v", q, err)
			}
			return
		}
		if len(res.Rows) > res.Limit || res.Limit < 1 || res.Limit > MaxLimit || res.Page < 1 || res.Pages < 1 {
			t.Fatalf("list(%+v): page %d of %d, limit %d, %d rows", q, res.Page, res.Pages, res.Limit, len(res.Rows))
		}
		// The index must still take writers: a leaked read lock would block
		// this put forever.
		done := make(chan struct{})
		go func() {
			defer close(done)
			x.put(some)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("list(%+v) left the index locked", q)
		}
	})
}

// TestIndexListSurvivesOverflow lists the page whose offset overflowed int:
// it is an empty page past the end, and the index takes writes afterwards.
func TestIndexListSurvivesOverflow(t *testing.T) {
	tests := []struct {
		name        string
		page, limit int
	}{
		{"page times limit overflows", 18446744073709553, 500},
		{"largest page", math.MaxInt, MaxLimit},
		{"largest page and limit", math.MaxInt, math.MaxInt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := queryIndex(t)
			some, _ := x.get(objectKey("shop", "api-1"))
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("list panicked: %v", p)
					}
				}()
				res, err := x.list(Query{Page: tc.page, Limit: tc.limit})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Rows) != 0 || res.Total != 6 {
					t.Errorf("list: %d rows of %d, want 0 of 6 (a page past the end)", len(res.Rows), res.Total)
				}
			}()
			done := make(chan struct{})
			go func() {
				defer close(done)
				x.put(some)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the index is still locked after the list")
			}
		})
	}
}
