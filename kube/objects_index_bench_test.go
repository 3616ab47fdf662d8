package kube

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedeck/kubedeck/shared"
)

// benchSizes are the caches the benchmarks list from: the 10,000 and the
// 100,000 pods of the performance targets.
var benchSizes = []struct{ pods, namespaces int }{{10_000, 100}, {100_000, 1_000}}

// benchRows builds the rows of n pods spread over namespaces, with the same
// row code the informers use.
func benchRows(n, namespaces int) []shared.Row {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]shared.Row, n)
	for i := range n {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name:              fmt.Sprintf("web-%05d-%x", i, i*7919%65521),
				Namespace:         fmt.Sprintf("team-%03d", i%namespaces),
				UID:               types.UID(fmt.Sprintf("uid-%d", i)),
				CreationTimestamp: metav1.NewTime(start.Add(time.Duration(i*37%n) * time.Second)),
				Labels:            map[string]string{"app": fmt.Sprintf("app-%d", i%50), "tier": []string{"web", "api", "worker"}[i%3]},
				ResourceVersion:   fmt.Sprint(i + 1),
			},
			Spec: corev1.PodSpec{NodeName: fmt.Sprintf("node-%d", i%20), Containers: []corev1.Container{{Name: "main", Image: "nginx"}}},
			Status: corev1.PodStatus{
				Phase: corev1.PodRunning, PodIP: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
				ContainerStatuses: []corev1.ContainerStatus{{
					Name: "main", Ready: i%10 != 0, RestartCount: int32(i % 7),
					State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
				}},
			},
		}
		rows[i] = podRow(p)
	}
	return rows
}

// benchPods fills a pod index with n pods spread over namespaces.
func benchPods(b testing.TB, n, namespaces int) *index {
	b.Helper()
	x := newIndex(newRegistry().byName["pods"])
	for _, r := range benchRows(n, namespaces) {
		x.put(r)
	}
	return x
}

type listCase struct {
	name string
	q    Query
}

// listCases are the lists the benchmarks time on an index of pods pods in
// namespaces namespaces (named team-000 on): page 1 and a page half-way down
// of every sort column both ways, one and ten namespaces, searches, a page
// far past the last and a limit over the maximum.
func listCases(x *index, pods, namespaces int) []listCase {
	deep := pods / DefaultLimit / 2
	var cases []listCase
	for _, key := range x.kind.sortKeys {
		for _, desc := range []bool{false, true} {
			name := "sort=" + key
			if desc {
				name += "/desc"
			}
			cases = append(cases,
				listCase{name, Query{Sort: key, Desc: desc, Limit: DefaultLimit}},
				listCase{name + "/deep", Query{Sort: key, Desc: desc, Limit: DefaultLimit, Page: deep}})
		}
	}
	one := []string{"team-007"}
	var ten []string
	for i := range 10 {
		ten = append(ten, fmt.Sprintf("team-%03d", i*namespaces/10+1))
	}
	perNS := pods / namespaces
	return append(cases,
		listCase{"ns=1", Query{Namespaces: one, Limit: DefaultLimit}},
		listCase{"ns=1/sort=restarts/desc/page=2", Query{Namespaces: one, Sort: "restarts", Desc: true, Limit: DefaultLimit, Page: 2}},
		listCase{"ns=10/sort=status", Query{Namespaces: ten, Sort: "status", Limit: DefaultLimit}},
		listCase{"ns=10/sort=age/desc/deep", Query{Namespaces: ten, Sort: "age", Desc: true, Limit: DefaultLimit, Page: perNS * 10 / DefaultLimit / 2}},
		listCase{"q=api/sort=age", Query{Search: "api", Sort: "age", Limit: DefaultLimit}},
		listCase{"q=tier=web node-1/sort=ip", Query{Search: "tier=web node-1", Sort: "ip", Limit: DefaultLimit}},
		listCase{"q=web/sort=name/deep", Query{Search: "web", Sort: "name", Limit: DefaultLimit, Page: pods / 3 / DefaultLimit / 2}},
		listCase{"ns=10/q=web/sort=status", Query{Namespaces: ten, Search: "web", Sort: "status", Limit: DefaultLimit}},
		listCase{"page=1000000", Query{Sort: "restarts", Limit: DefaultLimit, Page: MaxPage}},
		listCase{"limit=5000", Query{Sort: "node", Limit: 5000}},
	)
}

// BenchmarkListPods lists one page out of 10,000 pods in 100 namespaces and
// out of 100,000 in 1,000, as the list endpoint does, and reports the
// median and 99th percentile of the time a list took.
func BenchmarkListPods(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("pods=%d", size.pods), func(b *testing.B) {
			x := benchPods(b, size.pods, size.namespaces)
			for _, c := range listCases(x, size.pods, size.namespaces) {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					var took []time.Duration
					for b.Loop() {
						start := time.Now()
						res, err := x.list(c.q)
						took = append(took, time.Since(start))
						if err != nil || (len(res.Rows) == 0) != (c.q.Page == MaxPage) {
							b.Fatalf("list: %v, %d rows", err, len(res.Rows))
						}
					}
					slices.Sort(took)
					b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}

// BenchmarkIndexEvent applies one informer event to an index of 100,000
// pods: a pod that changed (status, readiness and restarts), a new pod,
// and a pod deleted.
func BenchmarkIndexEvent(b *testing.B) {
	rows := benchRows(100_000, 1_000)
	x := newIndex(newRegistry().byName["pods"])
	changed := make([]shared.Row, len(rows))
	for i, r := range rows {
		x.put(r)
		r.Status, r.Level = "CrashLoopBackOff", shared.LevelError
		r.Cells = maps.Clone(r.Cells)
		r.Cells["ready"], r.Cells["restarts"] = "0/1", strconv.Itoa(i%7+1)
		changed[i] = r
	}
	// fresh is the i-th row of a pod the index does not hold.
	fresh := func(i int) shared.Row {
		r := rows[i%len(rows)]
		r.Name = "new-" + strconv.Itoa(i)
		return r
	}
	b.Run("put/changed", func(b *testing.B) {
		for i := range b.N {
			r := rows[i%len(rows)]
			if i/len(rows)%2 == 0 {
				r = changed[i%len(rows)]
			}
			x.put(r)
		}
		b.StopTimer()
		for i := range min(b.N, len(rows)) {
			x.put(rows[i])
		}
	})
	b.Run("put/new", func(b *testing.B) {
		for i := range b.N {
			x.put(fresh(i))
		}
		b.StopTimer()
		for i := range b.N {
			x.remove(objectKey(rows[i%len(rows)].Namespace, "new-"+strconv.Itoa(i)))
		}
	})
	b.Run("remove", func(b *testing.B) {
		keys := make([]string, b.N)
		for i := range b.N {
			r := fresh(i)
			x.put(r)
			keys[i] = objectKey(r.Namespace, r.Name)
		}
		b.ResetTimer()
		for _, key := range keys {
			x.remove(key)
		}
	})
	if x.len() != len(rows) {
		b.Fatalf("the index holds %d rows after the events, want %d", x.len(), len(rows))
	}
}

// BenchmarkIndexHeap builds pod indexes and reports the heap they take per
// pod: heap-B/pod counts the rows and the index, index-B/pod only what the
// index adds to the rows (entries, search text, sort keys, orders, maps).
func BenchmarkIndexHeap(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("pods=%d", size.pods), func(b *testing.B) {
			var before, built, indexed runtime.MemStats
			for b.Loop() {
				runtime.GC()
				runtime.ReadMemStats(&before)
				rows := benchRows(size.pods, size.namespaces)
				runtime.GC()
				runtime.ReadMemStats(&built)
				x := newIndex(newRegistry().byName["pods"])
				for _, r := range rows {
					x.put(r)
				}
				runtime.GC()
				runtime.ReadMemStats(&indexed)
				runtime.KeepAlive(rows)
				runtime.KeepAlive(x)
			}
			n := float64(size.pods)
			b.ReportMetric(float64(indexed.HeapAlloc-before.HeapAlloc)/n, "heap-B/pod")
			b.ReportMetric(float64(indexed.HeapAlloc-built.HeapAlloc)/n, "index-B/pod")
		})
	}
}
