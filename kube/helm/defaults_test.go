package helm

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kubedeck/kubedeck/kube"
)

func TestDefaults(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", "1.0.0"), testChart(t, "web", "1.1.0"), testChart(t, "job", "1.0.0"))
	c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
	want, err := os.ReadFile("testdata/charts/web/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Defaults(t.Context(), "test/web", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if d.Values != string(want) || d.Version != "1.0.0" || d.Chart != "test/web" || !d.Schema || d.Truncated {
		t.Errorf("defaults %+v, want values.yaml as written, with its schema", d)
	}
	if d, err := c.Defaults(t.Context(), "test/web", ""); err != nil || d.Version != "1.1.0" {
		t.Errorf("defaults of the latest version: %+v %v, want 1.1.0", d, err)
	}
	if d, err := c.Defaults(t.Context(), "test/job", "1.0.0"); err != nil || d.Schema {
		t.Errorf("defaults of a chart without a schema: %+v %v", d, err)
	}
	for _, ref := range [][2]string{{"test/nope", ""}, {"test/web", "9.9.9"}} {
		if _, err := c.Defaults(t.Context(), ref[0], ref[1]); !errors.Is(err, kube.ErrNotFound) {
			t.Errorf("defaults of %s %s: %v, want ErrNotFound", ref[0], ref[1], err)
		}
	}
	if _, err := c.Defaults(t.Context(), "../web", ""); !errors.Is(err, kube.ErrInvalid) {
		t.Errorf("defaults of a path: %v, want ErrInvalid", err)
	}
}

// What one install asks for (its defaults, a values check, a preview and
// the install) downloads the archive once; a chart republished with
// another digest is downloaded anew.
func TestArchiveDownloadedOnce(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", "1.0.0"))
	c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
	for range 3 {
		if _, err := c.Defaults(t.Context(), "test/web", "1.0.0"); err != nil {
			t.Fatal(err)
		}
		if err := c.CheckValues(t.Context(), "test/web", "1.0.0", "greeting: hi"); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.Hits("charts/web-1.0.0.tgz"); n != 1 {
		t.Errorf("archive downloaded %d times, want 1", n)
	}
	changed := testChart(t, "web", "1.0.0")
	changed.Metadata.Description = "republished"
	r.Publish(t, changed)
	c.indexes["test"] = newIndexEntry() // the index is read again
	if _, err := c.Defaults(t.Context(), "test/web", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if n := r.Hits("charts/web-1.0.0.tgz"); n != 2 {
		t.Errorf("archive downloaded %d times after a new digest, want 2", n)
	}
}

func TestArchiveCache(t *testing.T) {
	now := time.Unix(1e9, 0)
	a := newArchiveCache(100, time.Minute)
	a.now = func() time.Time { return now }
	key := func(v string) archiveKey { return archiveKey{repo: "r", chart: "c", version: v, digest: "d" + v} }
	a.put(key("1"), make([]byte, 20))
	a.put(key("2"), make([]byte, 20))
	a.put(key("big"), make([]byte, 26)) // over a quarter: not kept
	if _, ok := a.get(key("big")); ok {
		t.Error("an archive over a quarter of the cache is kept")
	}
	a.get(key("1")) // 1 is used last: 2 leaves first
	for _, v := range []string{"3", "4", "5", "6"} {
		a.put(key(v), make([]byte, 20))
	}
	if _, ok := a.get(key("2")); ok {
		t.Error("the least recently used archive is still kept")
	}
	if _, ok := a.get(key("1")); !ok {
		t.Error("an archive used lately left")
	}
	if a.size > 100 || a.size != int64(20*len(a.entries)) {
		t.Errorf("size %d for %d entries", a.size, len(a.entries))
	}
	now = now.Add(2 * time.Minute)
	if _, ok := a.get(key("1")); ok || len(a.entries) != 4 {
		t.Errorf("an expired archive is served (%d entries)", len(a.entries))
	}
}

func TestClipLines(t *testing.T) {
	if s, cut := clipLines("a: 1\nb: 2\n", 100); s != "a: 1\nb: 2\n" || cut {
		t.Errorf("short text: %q %v", s, cut)
	}
	if s, cut := clipLines("a: 1\nb: 2\n", 7); s != "a: 1\n" || !cut {
		t.Errorf("cut at a line's end: %q %v", s, cut)
	}
	if s, cut := clipLines("é"+strings.Repeat("é", 10), 4); !utf8.ValidString(s) || len(s) > 4 || !cut {
		t.Errorf("one long line: %q %v", s, cut)
	}
}
