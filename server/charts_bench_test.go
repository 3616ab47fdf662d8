package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/internal/memtest"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube/cache"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

// The release list's benchmarks run on the local cluster: GET
// /api/v1/charts by a user who may read one namespace of 200 releases
// (1–3 revisions each, 400 release Secrets), with the shared list cache
// empty (every release Secret listed and the latest revisions decoded)
// and filled.

// benchReleases is how many releases the list benchmarks read.
const benchReleases = 200

// BenchmarkChartsList: GET /api/v1/charts over 200 releases, cold (the
// namespace's cached list forgotten before each request) and warm, p50
// and p95; cold-heap is a cold list's peak heap growth.
//
// One release is installed for real through the API; the 200 are copies
// of its Secret in Helm's storage format (base64 of gzipped JSON,
// labelled as Helm labels them), made by the cluster's admin, since
// installing 200 releases through Helm takes minutes on two cores.
func BenchmarkChartsList(b *testing.B) {
	cfg := proxyConfig()
	cfg.ReadsPerMinute, cfg.ReadBurst = 1<<20, 1<<20
	// Access decisions are kept longer than a run, so what is measured
	// is the list of releases, not the access reviews.
	f := newChartsServer(b, cfg, time.Hour, helm.Options{Lists: cache.NewMemory(0)})
	hc := f.s.deps.Helm
	ctx := context.Background()

	setup := time.Now()
	seedNS := f.namespace(b, "helmbench-seed")
	f.bind(b, "helmbench-seeder", "edit", seedNS)
	code, env, err := f.call(http.MethodPost, "/api/v1/charts", "helmbench-seeder",
		shared.ChartInstall{Name: "seed", Namespace: seedNS, Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"})
	if err != nil {
		b.Fatal(err)
	}
	op, err := operationOf(code, env)
	if err == nil {
		op, err = f.follow("helmbench-seeder", "helmbench-stranger", op.ID, 2*time.Minute)
	}
	if err != nil || op.Phase != shared.OperationSucceeded {
		b.Fatalf("installing the seed release: %+v, %v", op.Error, err)
	}
	seed, err := f.admin.CoreV1().Secrets(seedNS).Get(ctx, "sh.helm.release.v1.seed.v1", metav1.GetOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ns := f.namespace(b, "helmbench")
	f.bind(b, "helmbench-reader", "edit", ns)
	secrets := releaseCopies(b, seed, ns, benchReleases)
	createAll(b, f, secrets)
	list := func() shared.ReleaseList {
		code, env, err := f.call(http.MethodGet, "/api/v1/charts", "helmbench-reader", nil)
		var l shared.ReleaseList
		if err != nil || code != http.StatusOK || json.Unmarshal(env.Data, &l) != nil {
			b.Fatalf("list: %d %+v %v", code, env.Error, err)
		}
		return l
	}
	eventually(b, "the list shows the 200 releases", func() bool {
		hc.Forget(ctx, ns)
		return len(list().Releases) == benchReleases
	})
	// The informer's events on the new Secrets forget the cached list a
	// little later; let them pass.
	time.Sleep(2 * time.Second)
	b.Logf("setup: %d release Secrets of %d releases made in %s", len(secrets), benchReleases, time.Since(setup).Round(time.Millisecond))

	check := func(l shared.ReleaseList) {
		if len(l.Releases) != benchReleases {
			b.Fatalf("the list has %d releases, want %d", len(l.Releases), benchReleases)
		}
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		var lat []time.Duration
		for b.Loop() {
			b.StopTimer()
			hc.Forget(ctx, ns)
			b.StartTimer()
			start := time.Now()
			l := list()
			lat = append(lat, time.Since(start))
			check(l)
		}
		reportPercentiles(b, "list", lat)
	})
	b.Run("warm", func(b *testing.B) {
		check(list())
		b.ReportAllocs()
		var lat []time.Duration
		for b.Loop() {
			start := time.Now()
			l := list()
			lat = append(lat, time.Since(start))
			check(l)
		}
		reportPercentiles(b, "list", lat)
	})
	b.Run("cold-heap", func(b *testing.B) {
		var peak float64
		for b.Loop() {
			b.StopTimer()
			hc.Forget(ctx, ns)
			before := memtest.InUse()
			b.StartTimer()
			stop := memtest.Peak()
			l := list()
			top := stop()
			check(l)
			peak = max(peak, float64(top-min(top, before))/(1<<20))
		}
		b.ReportMetric(peak, "peak-heap-MiB")
	})
}

// releaseCopies makes n releases in namespace out of the release Secret
// seed: release i has 1 + i%3 revisions, the latest deployed, the others
// superseded, each in its own Secret named and labelled as Helm's storage
// does.
func releaseCopies(b *testing.B, seed *corev1.Secret, namespace string, n int) []*corev1.Secret {
	b.Helper()
	raw, err := base64.StdEncoding.DecodeString(string(seed.Data["release"]))
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		b.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	var rel map[string]any
	if err := json.Unmarshal(plain, &rel); err != nil {
		b.Fatal(err)
	}
	info, ok := rel["info"].(map[string]any)
	if !ok {
		b.Fatalf("the seed release has no info: %s", plain[:min(len(plain), 200)])
	}
	var out []*corev1.Secret
	for i := range n {
		name := fmt.Sprintf("bench-%03d", i)
		revisions := 1 + i%3
		for v := 1; v <= revisions; v++ {
			status := "superseded"
			if v == revisions {
				status = "deployed"
			}
			r, in := maps.Clone(rel), maps.Clone(info)
			in["status"] = status
			r["name"], r["namespace"], r["version"], r["info"] = name, namespace, v, in
			js, err := json.Marshal(r)
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			if _, err := zw.Write(js); err != nil {
				b.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
			labels := maps.Clone(seed.Labels)
			labels["name"], labels["status"], labels["version"] = name, status, strconv.Itoa(v)
			out = append(out, &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("sh.helm.release.v1.%s.v%d", name, v), Namespace: namespace, Labels: labels},
				Type:       seed.Type,
				Data:       map[string][]byte{"release": []byte(base64.StdEncoding.EncodeToString(buf.Bytes()))},
			})
		}
	}
	return out
}

// createAll creates secrets as the cluster's admin, eight at a time.
func createAll(b *testing.B, f *deployFixture, secrets []*corev1.Secret) {
	b.Helper()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		slot  = make(chan struct{}, 8)
	)
	for _, s := range secrets {
		wg.Go(func() {
			slot <- struct{}{}
			defer func() { <-slot }()
			_, err := f.admin.CoreV1().Secrets(s.Namespace).Create(context.Background(), s, metav1.CreateOptions{})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = fmt.Errorf("create %s: %w", s.Name, err)
			}
		})
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}
