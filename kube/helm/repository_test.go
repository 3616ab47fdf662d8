package helm

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// offlineClient is a Client over repos for tests that reach no cluster,
// with fast retries.
func offlineClient(t testing.TB, opts Options) *Client {
	t.Helper()
	c, err := New(offlineKubeClient(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	c.retryDelay = 10 * time.Millisecond
	return c
}

func TestCatalog(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", "1.0.0"), testChart(t, "web", "1.1.0"), testChart(t, "web", "2.0.0-rc.1"), testChart(t, "job", ""))
	c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
	web := shared.CatalogChart{
		Repository: "test", Name: "web", Description: "A small web server, for Kubedeck's tests.",
		Icon: "https://charts.example.test/icons/web.png", IconPath: "catalog/icon?chart=web&repo=test",
		LatestVersion: "1.1.0", AppVersion: "1.0",
		Versions: []string{"2.0.0-rc.1", "1.1.0", "1.0.0"},
	}
	job := shared.CatalogChart{
		Repository: "test", Name: "job", Description: "A Job that runs once, for Kubedeck's tests.",
		LatestVersion: "1.0.0", AppVersion: "1.0", Versions: []string{"1.0.0"},
	}
	tests := []struct {
		name, q string
		want    []shared.CatalogChart
	}{
		{"everything", "", []shared.CatalogChart{job, web}},
		{"name in another case", "WEB", []shared.CatalogChart{web}},
		{"description", "runs once", []shared.CatalogChart{job}},
		{"keyword", "frontend", []shared.CatalogChart{web}},
		{"no match", "nothing like it", []shared.CatalogChart{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Catalog(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(shared.Catalog{Charts: tt.want}, got); diff != "" {
				t.Errorf("Catalog(%q) (-want +got):\n%s", tt.q, diff)
			}
		})
	}
	if n := r.Hits("index.yaml"); n != 1 {
		t.Errorf("the index was read %d times for five searches within its TTL, want 1", n)
	}
}

func TestIndexRetries(t *testing.T) {
	t.Run("500, 500, 200", func(t *testing.T) {
		r := newChartRepo(t, testChart(t, "web", ""))
		r.FailNext(500, 500)
		c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
		got, err := c.Catalog(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Charts) != 1 || got.Errors != nil || got.Stale != nil {
			t.Errorf("catalog after two 500s: %+v", got)
		}
		if n := r.Hits("index.yaml"); n != 3 {
			t.Errorf("index requested %d times, want 3", n)
		}
	})
	t.Run("500 three times", func(t *testing.T) {
		r := newChartRepo(t, testChart(t, "web", ""))
		r.FailNext(500, 502, 503, 200)
		c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
		got, err := c.Catalog(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Charts) != 0 || !strings.Contains(got.Errors["test"], "503") {
			t.Errorf("catalog after three 5xx: %+v", got)
		}
		if n := r.Hits("index.yaml"); n != 3 {
			t.Errorf("index requested %d times, want 3 (no more)", n)
		}
	})
	t.Run("404 is not retried", func(t *testing.T) {
		r := newChartRepo(t, testChart(t, "web", ""))
		r.FailNext(404)
		c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
		got, err := c.Catalog(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		if got.Errors["test"] == "" || r.Hits("index.yaml") != 1 {
			t.Errorf("catalog after a 404: %+v, %d requests", got, r.Hits("index.yaml"))
		}
	})
}

func TestStaleIndex(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", ""))
	c := offlineClient(t, Options{Repositories: repositoriesOf(r), IndexTTL: 20 * time.Millisecond})
	warm, err := c.Catalog(t.Context(), "")
	if err != nil || len(warm.Charts) != 1 || warm.Stale != nil {
		t.Fatalf("warm-up catalog: %+v, %v", warm, err)
	}
	r.SetDown(true)
	time.Sleep(30 * time.Millisecond)
	stale, err := c.Catalog(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shared.Catalog{Charts: warm.Charts, Stale: []string{"test"}}, stale); diff != "" {
		t.Errorf("catalog with the repository down (-want +got):\n%s", diff)
	}
	r.SetDown(false)
	time.Sleep(30 * time.Millisecond)
	fresh, err := c.Catalog(t.Context(), "")
	if err != nil || fresh.Stale != nil {
		t.Errorf("catalog once the repository is back: %+v, %v", fresh, err)
	}
}

// bigIndex serves an index of size bytes, counting what it managed to
// write; with length it says so in Content-Length.
type bigIndex struct {
	size    int64
	length  bool
	written atomic.Int64
}

func (b *bigIndex) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	if b.length {
		w.Header().Set("Content-Length", strconv.FormatInt(b.size, 10))
	}
	block := bytes.Repeat([]byte("# padding line of an index that is far too large\n"), 1<<14)
	for left := b.size; left > 0; {
		n, err := w.Write(block[:min(int64(len(block)), left)])
		b.written.Add(int64(n))
		if err != nil {
			return
		}
		left -= int64(n)
	}
}

func TestIndexOverCapRefused(t *testing.T) {
	const size = 30 << 20
	for _, length := range []bool{true, false} {
		t.Run("Content-Length "+strconv.FormatBool(length), func(t *testing.T) {
			big := &bigIndex{size: size, length: length}
			srv := httptest.NewServer(big)
			t.Cleanup(srv.Close)
			c := offlineClient(t, Options{Repositories: []Repository{{Name: "big", URL: srv.URL}}})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			got, err := c.Catalog(t.Context(), "")
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if msg := got.Errors["big"]; !strings.Contains(msg, "more than Kubedeck accepts") {
				t.Errorf("catalog of a 30 MiB index: %+v", got)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 50<<20 {
				t.Errorf("reading the index allocated %d MiB", grew>>20)
			}
			// The server cannot know at once that the client stopped
			// reading; it must not have got far.
			srv.CloseClientConnections()
			t.Logf("server wrote %d MiB; the client allocated %d MiB", big.written.Load()>>20, (after.TotalAlloc-before.TotalAlloc)>>20)
			if w := big.written.Load(); w >= size {
				t.Errorf("the server wrote all %d bytes", w)
			}
			if length && big.written.Load() > 8<<20 {
				t.Errorf("with a Content-Length over the cap, %d bytes were read", big.written.Load())
			}
		})
	}
}

func TestTamperedArchiveRefused(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", "1.0.0"))
	// The archive is replaced by another valid chart archive after the
	// index was written: its digest no longer matches.
	other := newChartRepo(t, testChart(t, "job", "1.0.0"))
	r.Set("charts/web-1.0.0.tgz", other.File("charts/job-1.0.0.tgz"))
	c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
	_, err := c.Install(t.Context(), kube.User{Name: "alice"}, InstallRequest{Namespace: "team-a", Name: "web", Chart: "test/web", Version: "1.0.0"}, nil)
	if !errors.Is(err, kube.ErrInvalid) || !strings.Contains(publicMessageOf(err), "tampered") {
		t.Fatalf("install of a tampered archive: %v, want ErrInvalid saying tampered", err)
	}
	if n := r.Hits("charts/web-1.0.0.tgz"); n != 1 {
		t.Errorf("archive requested %d times, want 1", n)
	}
}

func TestArchiveCaps(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", "1.0.0"))
	t.Run("archive", func(t *testing.T) {
		c := offlineClient(t, Options{Repositories: repositoriesOf(r), MaxChartBytes: 512})
		_, err := c.Install(t.Context(), kube.User{Name: "alice"}, InstallRequest{Namespace: "team-a", Name: "web", Chart: "test/web"}, nil)
		if !errors.Is(err, kube.ErrInvalid) || !strings.Contains(err.Error(), "more than the limit") {
			t.Errorf("install of an archive over the cap: %v", err)
		}
	})
	t.Run("unpacked", func(t *testing.T) {
		_, err := loadArchive(r.File("charts/web-1.0.0.tgz"), 1024)
		if err == nil || !strings.Contains(err.Error(), "unpacks to more than 1024 bytes") {
			t.Errorf("loading an archive over the unpacked cap: %v", err)
		}
	})
}

func TestUnknownChartAndVersion(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", "1.0.0"))
	c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
	for _, req := range []InstallRequest{
		{Namespace: "team-a", Name: "x", Chart: "test/nope"},
		{Namespace: "team-a", Name: "x", Chart: "test/web", Version: "9.9.9"},
	} {
		_, err := c.Install(context.Background(), kube.User{Name: "alice"}, req, nil)
		if !errors.Is(err, kube.ErrNotFound) {
			t.Errorf("install of %s %s: %v, want ErrNotFound", req.Chart, req.Version, err)
		}
	}
}

func TestRepositoryCredentials(t *testing.T) {
	var sawAuth atomic.Int32
	r := newChartRepo(t, testChart(t, "web", ""))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if u, p, ok := req.BasicAuth(); ok && u == "kubedeck" && p == "pa55" {
			sawAuth.Add(1)
			r.Config.Handler.ServeHTTP(w, req)
			return
		}
		http.Error(w, "who are you", http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	c := offlineClient(t, Options{Repositories: []Repository{{Name: "private", URL: srv.URL, Username: "kubedeck", Password: "pa55"}}})
	got, err := c.Catalog(t.Context(), "")
	if err != nil || len(got.Charts) != 1 || sawAuth.Load() != 1 {
		t.Errorf("catalog of a repository with basic auth: %+v, %v (%d authenticated requests)", got, err, sawAuth.Load())
	}
}
