// Package helmtest serves real Helm chart repositories over HTTP for tests:
// charts packaged by the SDK, with an index.yaml the SDK generated (archive
// URLs relative to the repository), counting requests and failing on
// demand.
package helmtest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// Chart names a chart source directory and the version to publish it at
// ("" keeps the version of its Chart.yaml).
type Chart struct {
	Dir     string
	Version string
}

// Load loads the chart source c with the SDK.
func Load(t testing.TB, c Chart) *chart.Chart {
	t.Helper()
	ch, err := loader.LoadDir(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != "" {
		ch.Metadata.Version = c.Version
	}
	return ch
}

// Repo is a chart repository served over HTTP until the test ends.
type Repo struct {
	*httptest.Server

	mu    sync.Mutex
	files map[string][]byte // path (without the leading /) → content
	hits  map[string]int
	// script holds the statuses of the next index requests (200: serve).
	script []int
	down   bool
}

// NewRepo serves the chart sources charts.
func NewRepo(t testing.TB, charts ...Chart) *Repo {
	t.Helper()
	loaded := make([]*chart.Chart, 0, len(charts))
	for _, c := range charts {
		loaded = append(loaded, Load(t, c))
	}
	return NewRepoOf(t, loaded...)
}

// NewRepoOf packages charts and serves them.
func NewRepoOf(t testing.TB, charts ...*chart.Chart) *Repo {
	t.Helper()
	r := &Repo{files: map[string][]byte{}, hits: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	r.Publish(t, charts...)
	return r
}

// Publish replaces what the repository serves with charts.
func (r *Repo) Publish(t testing.TB, charts ...*chart.Chart) {
	t.Helper()
	dir := t.TempDir()
	archives := filepath.Join(dir, "charts")
	if err := os.Mkdir(archives, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, ch := range charts {
		if _, err := chartutil.Save(ch, archives); err != nil {
			t.Fatal(err)
		}
	}
	idx, err := repo.IndexDirectory(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	idx.SortEntries()
	index, err := yaml.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"index.yaml": index}
	entries, err := os.ReadDir(archives)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(archives, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files["charts/"+e.Name()] = data
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files = files
}

// Set replaces one file.
func (r *Repo) Set(path string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[path] = data
}

// File is one file served.
func (r *Repo) File(path string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.files[path]
}

// FailNext makes the next index requests answer these statuses.
func (r *Repo) FailNext(statuses ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.script = append(r.script, statuses...)
}

// SetDown makes every request fail with 503, or not.
func (r *Repo) SetDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

// Hits is how many requests path (without its leading /) got.
func (r *Repo) Hits(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[path]
}

func (r *Repo) serve(w http.ResponseWriter, req *http.Request) {
	data, ok, status := r.answer(strings.TrimPrefix(req.URL.Path, "/"))
	switch {
	case status != http.StatusOK:
		http.Error(w, http.StatusText(status), status)
	case !ok:
		http.NotFound(w, req)
	default:
		_, _ = w.Write(data)
	}
}

// answer counts a request for path and says what to answer: the file, or
// the status of a scripted failure (503 while down).
func (r *Repo) answer(path string) (data []byte, ok bool, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hits[path]++
	status = http.StatusOK
	switch {
	case r.down:
		status = http.StatusServiceUnavailable
	case path == "index.yaml" && len(r.script) > 0:
		status, r.script = r.script[0], r.script[1:]
	}
	data, ok = r.files[path]
	return data, ok, status
}
