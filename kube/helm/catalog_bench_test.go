package helm

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/internal/memtest"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// The catalog's benchmarks need no cluster: a search over a big
// repository's index once it is cached, and reading a repository whose
// index is just under the 20 MiB cap, with the heap it takes.

// syntheticIndex is a repository index of charts charts with versions
// versions each, every version described as a real repository's are
// (description, keywords, maintainers, sources, icon, digest, URL), in
// YAML as a repository serves it.
func syntheticIndex(tb testing.TB, charts, versions int) []byte {
	tb.Helper()
	idx := repo.NewIndexFile()
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range charts {
		name := fmt.Sprintf("chart-%05d", i)
		topic := []string{"web", "database", "queue", "monitoring", "storage", "ml"}[i%6]
		for v := range versions {
			version := fmt.Sprintf("%d.%d.%d", 1+v/10, v%10, i%7)
			idx.Entries[name] = append(idx.Entries[name], &repo.ChartVersion{
				Metadata: &chart.Metadata{
					APIVersion:  chart.APIVersionV2,
					Name:        name,
					Version:     version,
					AppVersion:  fmt.Sprintf("%d.%d", 2+v, i%10),
					Description: fmt.Sprintf("A %s component, number %d, packaged for Kubernetes with sensible defaults and an optional ingress.", topic, i),
					Keywords:    []string{topic, fmt.Sprintf("team-%d", i%40), "kubernetes"},
					Home:        "https://charts.example.test/" + name,
					Sources:     []string{"https://git.example.test/charts/" + name},
					Icon:        "https://charts.example.test/icons/" + name + ".png",
					Maintainers: []*chart.Maintainer{{Name: "Team " + topic, Email: topic + "@example.test"}},
					Type:        "application",
				},
				URLs:    []string{"charts/" + name + "-" + version + ".tgz"},
				Created: created.Add(time.Duration(i*versions+v) * time.Minute),
				Digest:  fmt.Sprintf("%064x", i*versions+v),
			})
		}
	}
	idx.SortEntries()
	out, err := yaml.Marshal(idx)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// reportPercentiles puts the p50 and p95 of ds, in milliseconds, in the
// benchmark's output.
func reportPercentiles(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	pct := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
}

// BenchmarkCatalogSearch: Catalog(ctx, q) over a repository of 5,000
// charts (two versions each), its index already cached, for a query that
// matches everything, one that matches a sixth by keyword, one chart by
// name, and nothing.
func BenchmarkCatalogSearch(b *testing.B) {
	r := newChartRepo(b, testChart(b, "web", ""))
	r.Set("index.yaml", syntheticIndex(b, 5000, 2))
	c := offlineClient(b, Options{Repositories: repositoriesOf(r), IndexTTL: time.Hour})
	warm, err := c.Catalog(b.Context(), "")
	if err != nil || len(warm.Charts) != 5000 || warm.Errors != nil {
		b.Fatalf("warming the index: %d charts, errors %v, %v", len(warm.Charts), warm.Errors, err)
	}
	b.Logf("index.yaml: %.1f MiB", float64(len(r.File("index.yaml")))/(1<<20))
	for _, bc := range []struct {
		name, q string
		want    int
	}{
		{"all", "", 5000},
		{"keyword", "monitoring", 833},
		{"one-name", "chart-04242", 1},
		{"none", "no such chart", 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				got, err := c.Catalog(b.Context(), bc.q)
				lat = append(lat, time.Since(start))
				if err != nil || len(got.Charts) != bc.want {
					b.Fatalf("Catalog(%q): %d charts, %v; want %d", bc.q, len(got.Charts), err, bc.want)
				}
			}
			reportPercentiles(b, lat)
		})
	}
	if n := r.Hits("index.yaml"); n != 1 {
		b.Errorf("the index was read %d times, want once (the searches must use the cache)", n)
	}
}

// BenchmarkIndexRead20MiB: a repository whose index.yaml is just under
// the 20 MiB cap, read and parsed by a fresh client (the first catalog
// after a start): the time, and the heap it takes at its peak and once
// parsed (each over the heap before, in MiB). This is the memory bound
// of one repository's index: the cap times this ratio.
func BenchmarkIndexRead20MiB(b *testing.B) {
	const target = DefaultMaxIndexBytes - 512<<10
	sample := syntheticIndex(b, 500, 2)
	perVersion := len(sample) / 1000
	versions := target / perVersion
	data := syntheticIndex(b, versions/4, 4)
	for len(data) > DefaultMaxIndexBytes {
		versions = versions * 98 / 100
		data = syntheticIndex(b, versions/4, 4)
	}
	r := newChartRepo(b, testChart(b, "web", ""))
	r.Set("index.yaml", data)
	size := float64(len(data)) / (1 << 20)
	b.Logf("index.yaml: %.2f MiB, %d charts of 4 versions", size, versions/4)
	b.ReportAllocs()
	var peak, retained float64
	for b.Loop() {
		b.StopTimer()
		c := offlineClient(b, Options{Repositories: repositoriesOf(r)})
		before := memtest.InUse()
		b.StartTimer()
		stop := memtest.Peak()
		got, err := c.Catalog(b.Context(), "no such chart")
		top := stop()
		b.StopTimer()
		if err != nil || got.Errors != nil {
			b.Fatalf("catalog of a %.1f MiB index: %+v, %v", size, got.Errors, err)
		}
		peak = max(peak, float64(top-min(top, before))/(1<<20))
		after := memtest.InUse()
		retained = max(retained, float64(after-min(after, before))/(1<<20))
		runtime.KeepAlive(c)
		b.StartTimer()
	}
	b.ReportMetric(size, "index-MiB")
	b.ReportMetric(peak, "peak-heap-MiB")
	b.ReportMetric(retained, "kept-heap-MiB")
	b.ReportMetric(peak/size, "peak-per-index-byte")
}
