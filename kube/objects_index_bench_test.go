package kube

import (
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// benchPods fills a pod index with n pods spread over namespaces, built with
// the same row code the informers use.
func benchPods(b testing.TB, n, namespaces int) *index {
	b.Helper()
	x := newIndex(newRegistry().byName["pods"])
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
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
		x.put(podRow(p))
	}
	return x
}

// BenchmarkListPods lists one 50-row page out of 10,000 pods in 100
// namespaces, filtered and sorted, as the list endpoint does.
func BenchmarkListPods(b *testing.B) {
	x := benchPods(b, 10000, 100)
	cases := []struct {
		name string
		q    Query
	}{
		{"all/sort=name", Query{Sort: "name", Limit: 50}},
		{"all/sort=restarts/desc", Query{Sort: "restarts", Desc: true, Limit: 50, Page: 3}},
		{"all/q=api/sort=age", Query{Search: "api", Sort: "age", Limit: 50}},
		{"all/q=tier=web node-1/sort=ip", Query{Search: "tier=web node-1", Sort: "ip", Limit: 50}},
		{"all/sort=name/page=100 (full sort)", Query{Sort: "name", Limit: 50, Page: 100}},
		{"10ns/q=web/sort=status", Query{Namespaces: []string{"team-001", "team-002", "team-003", "team-004", "team-005", "team-006", "team-007", "team-008", "team-009", "team-010"}, Search: "web", Sort: "status", Limit: 50}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := x.list(c.q)
				took = append(took, time.Since(start))
				if err != nil || len(res.Rows) == 0 {
					b.Fatalf("list: %v, %d rows", err, len(res.Rows))
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
