package kube

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// queryIndex holds six pods in two namespaces with distinct columns.
func queryIndex(t *testing.T) *index {
	t.Helper()
	x := newIndex(newRegistry().byName["pods"])
	rows := []shared.Row{
		{Name: "api-1", Namespace: "shop", Created: 100, Status: "Running", Level: shared.LevelOK,
			Labels: map[string]string{"app": "api"}, Cells: map[string]string{"ready": "1/1", "restarts": "0", "node": "n1", "ip": "10.0.0.1"}},
		{Name: "api-2", Namespace: "shop", Created: 300, Status: "CrashLoopBackOff", Level: shared.LevelError,
			Labels: map[string]string{"app": "api"}, Cells: map[string]string{"ready": "0/1", "restarts": "12", "node": "n2", "ip": "10.0.0.2"}},
		{Name: "web-1", Namespace: "shop", Created: 200, Status: "Running", Level: shared.LevelOK,
			Labels: map[string]string{"app": "web"}, Cells: map[string]string{"ready": "2/2", "restarts": "3", "node": "n1", "ip": "10.0.0.3"}},
		{Name: "batch-1", Namespace: "data", Created: 50, Status: "Pending", Level: shared.LevelWarning,
			Labels: map[string]string{"app": "batch"}, Cells: map[string]string{"ready": "0/2", "restarts": "0", "node": "", "ip": ""}},
		{Name: "API-upper", Namespace: "data", Created: 400, Status: "Running", Level: shared.LevelOK,
			Cells: map[string]string{"ready": "1/1", "restarts": "100", "node": "n3", "ip": "10.0.0.5"}},
		{Name: "etl-1", Namespace: "data", Created: 250, Status: "Completed", Level: shared.LevelOK,
			Labels: map[string]string{"app": "etl"}, Cells: map[string]string{"ready": "0/1", "restarts": "0", "node": "n2", "ip": ""}},
	}
	for _, r := range rows {
		r.Kind = "Pod"
		x.put(r)
	}
	return x
}

func names(rows []shared.Row) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Name)
	}
	return out
}

func TestIndexList(t *testing.T) {
	x := queryIndex(t)
	type page struct {
		Names              []string
		Total, Page, Pages int
		Limit              int
	}
	tests := []struct {
		name string
		q    Query
		want page
	}{
		{"default order is namespace then name", Query{Limit: 50},
			page{[]string{"API-upper", "batch-1", "etl-1", "api-1", "api-2", "web-1"}, 6, 1, 1, 50}},
		{"one namespace", Query{Namespaces: []string{"shop"}, Limit: 50},
			page{[]string{"api-1", "api-2", "web-1"}, 3, 1, 1, 50}},
		{"no namespace allowed", Query{Namespaces: []string{}, Limit: 50}, page{[]string{}, 0, 1, 1, 50}},
		{"search ignores case and matches names", Query{Search: "API", Sort: "name", Limit: 50},
			page{[]string{"API-upper", "api-1", "api-2"}, 3, 1, 1, 50}},
		{"search matches labels", Query{Search: "app=web", Limit: 50}, page{[]string{"web-1"}, 1, 1, 1, 50}},
		{"search matches cells", Query{Search: "10.0.0.2", Limit: 50}, page{[]string{"api-2"}, 1, 1, 1, 50}},
		{"search matches status", Query{Search: "crashloop", Limit: 50}, page{[]string{"api-2"}, 1, 1, 1, 50}},
		{"every term must match", Query{Search: "api n1", Limit: 50}, page{[]string{"api-1"}, 1, 1, 1, 50}},
		{"no match", Query{Search: "nothing-like-this", Limit: 50}, page{[]string{}, 0, 1, 1, 50}},
		{"sort restarts numerically", Query{Sort: "restarts", Desc: true, Limit: 3},
			page{[]string{"API-upper", "api-2", "web-1"}, 6, 1, 2, 3}},
		{"sort ready by ready then desired", Query{Sort: "ready", Limit: 50},
			page{[]string{"etl-1", "api-2", "batch-1", "API-upper", "api-1", "web-1"}, 6, 1, 1, 50}},
		{"sort age: youngest first", Query{Sort: "age", Limit: 2}, page{[]string{"API-upper", "api-2"}, 6, 1, 3, 2}},
		{"sort level: worst last", Query{Sort: "level", Desc: true, Limit: 2}, page{[]string{"api-2", "batch-1"}, 6, 1, 3, 2}},
		{"last page is partial", Query{Limit: 4, Page: 2}, page{[]string{"api-2", "web-1"}, 6, 2, 2, 4}},
		{"past the last page is empty", Query{Limit: 4, Page: 3}, page{[]string{}, 6, 3, 2, 4}},
		{"limit above max is clamped", Query{Limit: 5000}, page{[]string{"API-upper", "batch-1", "etl-1", "api-1", "api-2", "web-1"}, 6, 1, 1, MaxLimit}},
		{"zero page and limit take the first row", Query{}, page{[]string{"API-upper"}, 6, 1, 6, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.list(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			got := page{names(res.Rows), res.Total, res.Page, res.Pages, res.Limit}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("list(%+v) (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

func TestIndexListUnknownSort(t *testing.T) {
	_, err := queryIndex(t).list(Query{Sort: "color", Limit: 10})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("list with an unknown sort column: got %v, want ErrInvalid", err)
	}
}

func TestIndexPutRemove(t *testing.T) {
	x := queryIndex(t)
	if diff := cmp.Diff([]string{"data", "shop"}, x.namespaces()); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
	if created := x.put(shared.Row{Name: "api-1", Namespace: "shop", Status: "Terminating"}); created {
		t.Error("put of an existing row says created")
	}
	if r, _ := x.get("shop/api-1"); r.Status != "Terminating" {
		t.Errorf("after update, status = %q, want Terminating", r.Status)
	}
	for _, key := range []string{"shop/api-1", "shop/api-2", "shop/web-1"} {
		if _, ok := x.remove(key); !ok {
			t.Errorf("remove(%s) found nothing", key)
		}
	}
	if _, ok := x.remove("shop/api-1"); ok {
		t.Error("second remove found the row again")
	}
	if diff := cmp.Diff([]string{"data"}, x.namespaces()); diff != "" {
		t.Errorf("namespaces after removal (-want +got):\n%s", diff)
	}
	res, _ := x.list(Query{Limit: 50})
	if diff := cmp.Diff([]string{"API-upper", "batch-1", "etl-1"}, names(res.Rows)); diff != "" {
		t.Errorf("rows after removal (-want +got):\n%s", diff)
	}
}

// TestIndexListsWhileWritten lists from several goroutines while another
// puts and removes rows (run it with -race), then checks the index against
// a plain scan and sort of the rows it should hold.
func TestIndexListsWhileWritten(t *testing.T) {
	x := newIndex(newRegistry().byName["pods"])
	rows := benchRows(2000, 20)
	want := map[string]shared.Row{}
	for _, r := range rows[:1000] {
		x.put(r)
		want[objectKey(r.Namespace, r.Name)] = r
	}
	queries := []Query{
		{Sort: "restarts", Desc: true, Limit: 50, Page: 7},
		{Namespaces: []string{"team-003"}, Sort: "age", Limit: 20},
		{Namespaces: []string{"team-001", "team-004", "team-009"}, Sort: "ip", Desc: true, Limit: 30, Page: 2},
		{Search: "web", Sort: "status", Limit: 40, Page: 3},
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for _, q := range queries {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := x.list(q); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i, r := range rows[1000:] {
		x.put(r)
		want[objectKey(r.Namespace, r.Name)] = r
		old := rows[i*7%1000]
		x.remove(objectKey(old.Namespace, old.Name))
		delete(want, objectKey(old.Namespace, old.Name))
	}
	close(done)
	readers.Wait()
	for _, q := range queries {
		got, err := x.list(q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(referenceList(x.kind, want, q), got); diff != "" {
			t.Errorf("list(%+v) (-want +got):\n%s", q, diff)
		}
	}
}

// TestSortFirst checks the bounded-heap selection against a full sort.
func TestSortFirst(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 100, 1000} {
		for _, k := range []int{0, 1, 3, 50, 200, 1000} {
			t.Run(fmt.Sprintf("n=%d/k=%d", n, k), func(t *testing.T) {
				s := make([]int, n)
				for i := range s {
					s[i] = r.IntN(n/2 + 1)
				}
				want := append([]int{}, slices.Sorted(slices.Values(s))...)
				sortFirst(s, min(k, n), func(a, b int) int { return a - b })
				k := min(k, n)
				if diff := cmp.Diff(want[:k], s[:k]); diff != "" {
					t.Errorf("first %d (-want +got):\n%s", k, diff)
				}
				if diff := cmp.Diff(want, append([]int{}, slices.Sorted(slices.Values(s))...)); diff != "" {
					t.Errorf("elements lost (-want +got):\n%s", diff)
				}
			})
		}
	}
}
