package kube

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// FuzzIndexList changes a real pod index with puts and removes, then lists
// it with any query a caller could build, whatever the server's parsing
// lets through, and compares the page with what a scan and a full sort of
// the same rows answer. No query may panic, and a panic must never leave
// the index locked.
//
// ops is read three bytes at a time: what to do, to which row, and how.
func FuzzIndexList(f *testing.F) {
	f.Add([]byte{}, "", "", "", false, 18446744073709553, 500) // the page that overflowed the offset
	f.Add([]byte{0, 3, 1, 2, 200, 4, 3, 5, 0}, "team-001", "web", "restarts", true, 2, 50)
	f.Add([]byte{}, "", "", "name", false, math.MaxInt, math.MaxInt)
	f.Add([]byte{3, 1, 0, 3, 2, 0}, "", "", "age", true, math.MinInt, math.MinInt)
	f.Add([]byte{}, "team-003 team-004", "tier=web node-1", "ip", false, 1, 0)
	f.Add([]byte{2, 7, 5, 2, 8, 5, 1, 9, 3}, "team-001 team-000", "", "status", true, 2, 7)
	f.Add([]byte{2, 7, 5, 1, 9, 3, 3, 7, 0}, "team-000 team-001 team-002 team-003 team-001", "", "ready", false, 3, 9)
	f.Add([]byte{0, 1, 1, 0, 2, 2, 0, 3, 3}, "team-002 team-005", "api", "level", true, 1, 3)
	f.Add([]byte{3, 4, 0, 3, 9, 0, 3, 14, 0}, "team-004", "", "namespace", true, 2, 4)
	f.Add([]byte{2, 3, 1, 3, 3, 0}, "team-000 team-001 team-002 team-003", "web", "restarts", true, 2, 5)
	f.Add([]byte{}, "nowhere", "", "", false, 1, 10)
	f.Fuzz(func(t *testing.T, ops []byte, namespaces, search, sort string, desc bool, page, limit int) {
		x, want := fuzzIndex(t, ops)
		q := Query{Search: search, Sort: sort, Desc: desc, Page: page, Limit: limit}
		if namespaces != "" {
			q.Namespaces = strings.Fields(namespaces)
		}
		got, err := x.list(q)
		if err != nil {
			if sort == "" || x.kind.sortIndex(sort) >= 0 {
				t.Fatalf("list(%+v): %v", q, err)
			}
			return
		}
		if diff := gocmp.Diff(referenceList(x.kind, want, q), got); diff != "" {
			t.Fatalf("list(%+v) after ops %v (-want +got):\n%s", q, ops, diff)
		}
		if x.len() != len(want) {
			t.Errorf("len() = %d, want %d", x.len(), len(want))
		}
		// The index must still take writers: a leaked read lock would block
		// this put forever.
		done := make(chan struct{})
		go func() {
			defer close(done)
			x.put(shared.Row{Name: "after", Namespace: "team-000"})
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("list(%+v) left the index locked", q)
		}
	})
}

// fuzzIndex builds a pod index of 60 pods in 5 namespaces and applies ops
// to it, three bytes an op; it returns the index and the rows it should
// hold, by key.
func fuzzIndex(t *testing.T, ops []byte) (*index, map[string]shared.Row) {
	t.Helper()
	x := newIndex(newRegistry().byName["pods"])
	want := map[string]shared.Row{}
	base := benchRows(60, 5)
	for _, r := range base {
		x.put(r)
		want[objectKey(r.Namespace, r.Name)] = r
	}
	statuses := []string{"Running", "Pending", "CrashLoopBackOff", "Completed"}
	for ; len(ops) >= 3; ops = ops[3:] {
		what, which, how := ops[0]%4, int(ops[1]), int(ops[2])
		r := base[which%len(base)]
		if what >= 2 { // a pod of its own, in one of six namespaces
			r.Name, r.Namespace = fmt.Sprintf("new-%d", which%16), fmt.Sprintf("team-%03d", which%6)
		}
		key := objectKey(r.Namespace, r.Name)
		if what == 3 {
			_, had := want[key]
			if _, ok := x.remove(key); ok != had {
				t.Fatalf("remove(%s) = %v, want %v", key, ok, had)
			}
			delete(want, key)
			continue
		}
		r.Status, r.Created = statuses[how%len(statuses)], int64(how%5)
		r.Cells = maps.Clone(r.Cells)
		r.Cells["restarts"], r.Cells["ready"] = strconv.Itoa(how%3), fmt.Sprintf("%d/1", how%2)
		_, had := want[key]
		if created := x.put(r); created == had {
			t.Fatalf("put(%s) says created %v, but it held the row: %v", key, created, had)
		}
		want[key] = r
	}
	return x, want
}

// referenceList answers q the plain way: filter every row, sort them all,
// cut out the page.
func referenceList(k *Kind, rows map[string]shared.Row, q Query) shared.ListResult {
	col := k.sortIndex(q.Sort)
	if q.Sort == "" {
		col = k.sortIndex("namespace")
	}
	terms := strings.Fields(strings.ToLower(q.Search))
	var all []*entry
	for _, r := range rows {
		e := k.newEntry(r)
		if q.Namespaces != nil && !slices.Contains(q.Namespaces, r.Namespace) {
			continue
		}
		if !slices.ContainsFunc(terms, func(t string) bool { return !strings.Contains(e.search, t) }) {
			all = append(all, e)
		}
	}
	slices.SortFunc(all, func(a, b *entry) int {
		c := cmp.Or(compareKeys(a.keys[col], b.keys[col]), strings.Compare(a.row.Namespace, b.row.Namespace), strings.Compare(a.row.Name, b.row.Name))
		if q.Desc {
			return -c
		}
		return c
	})
	limit, page := min(max(q.Limit, 1), MaxLimit), min(max(q.Page, 1), MaxPage)
	from := min((page-1)*limit, len(all))
	out := []shared.Row{}
	for _, e := range all[from:min(from+limit, len(all))] {
		out = append(out, e.row)
	}
	return shared.ListResult{
		Kind: k.info.Name, Columns: k.info.Columns, Rows: out,
		Total: len(all), Page: page, Pages: max(1, (len(all)+limit-1)/limit), Limit: limit,
	}
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
