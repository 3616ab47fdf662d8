package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// scaleEnv turns on TestObjectsScale, which creates 10,000 pods.
const scaleEnv = "KUBEDECK_SCALE_TEST"

// TestObjectsScale measures the cache with 10,000 kwok pods in 100
// namespaces: heap and RSS once they are cached, and a direct API server
// list of them against a cached, sorted, filtered page. It takes minutes on
// two cores, so it runs only when KUBEDECK_SCALE_TEST=1:
//
//	KUBEDECK_SCALE_TEST=1 go test -run TestObjectsScale -v ./kube/
func TestObjectsScale(t *testing.T) {
	if os.Getenv(scaleEnv) != "1" {
		t.Skip("set " + scaleEnv + "=1 to create 10,000 pods and measure the cache")
	}
	admin := clusterAdmin(t)
	ctx := context.Background()
	cfg := cluster.AdminConfig()
	cfg.QPS, cfg.Burst = 1000, 2000
	fast, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := admin.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("nodes: %v", err)
	}
	const namespaces, perNamespace = 100, 100
	start := time.Now()
	for n := range namespaces {
		testNamespace(t, admin, fmt.Sprintf("scale-%03d", n))
	}
	work := make(chan int)
	var wg sync.WaitGroup
	var failed sync.Once
	for range 16 {
		wg.Go(func() {
			for i := range work {
				ns := fmt.Sprintf("scale-%03d", i%namespaces)
				p := &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%05d", i), Namespace: ns,
						Labels: map[string]string{"app": fmt.Sprintf("app-%d", i%50), "tier": []string{"web", "api", "worker"}[i%3]}},
					Spec: corev1.PodSpec{NodeName: nodes.Items[i%len(nodes.Items)].Name,
						Containers: []corev1.Container{{Name: "main", Image: "nginx:1.27"}}},
				}
				if _, err := fast.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
					failed.Do(func() { t.Errorf("create %s/%s: %v", ns, p.Name, err) })
				}
			}
		})
	}
	for i := range namespaces * perNamespace {
		work <- i
	}
	close(work)
	wg.Wait()
	t.Logf("created %d pods in %v", namespaces*perNamespace, time.Since(start))

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	c, err := NewClient(cluster.AdminConfig(), ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewObjects(c.Base(), ObjectsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithCancel(ctx)
	defer cancel()
	syncStart := time.Now()
	o.Start(octx)
	if err := o.WaitForSync(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("informer cache synced in %v", time.Since(syncStart))
	pods, _ := o.Kind("pods")
	deadline := time.Now().Add(5 * time.Minute)
	for {
		res, _ := o.List(pods, Query{Namespaces: nil, Search: "scale- running", Limit: 1})
		if res.Total >= namespaces*perNamespace || time.Now().After(deadline) {
			t.Logf("%d of the pods Running after %v", res.Total, time.Since(start))
			break
		}
		time.Sleep(time.Second)
	}
	debug.FreeOSMemory()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("cache holds %d pods: heap in use %.1f MiB (%.1f MiB more than before the cache), process RSS %s",
		o.Len(pods), float64(after.HeapInuse)/(1<<20), float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), rss())

	// A direct list of the same pods from the API server, against a cached
	// page of 50, sorted and filtered, encoded as the API sends it.
	var direct time.Duration
	for range 3 {
		s := time.Now()
		list, err := fast.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		direct += time.Since(s)
		if len(list.Items) < namespaces*perNamespace {
			t.Errorf("direct list: %d pods", len(list.Items))
		}
	}
	direct /= 3
	const rounds = 200
	s := time.Now()
	for i := range rounds {
		res, err := o.List(pods, Query{Search: "tier=api", Sort: "name", Desc: i%2 == 0, Page: 1 + i%5, Limit: 50})
		if err != nil || len(res.Rows) != 50 {
			t.Fatalf("cached page: %v, %d rows", err, len(res.Rows))
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
	}
	cached := time.Since(s) / rounds
	t.Logf("direct API server list of all pods: %v; cached page of 50 (filtered, sorted, JSON): %v; ratio 1:%.0f",
		direct, cached, float64(direct)/float64(cached))
}

// rss is the process's resident set size, from /proc.
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
