package helm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// wholeIndex reads an index the way the SDK does, whole.
func wholeIndex(data []byte) (*repo.IndexFile, error) {
	idx := &repo.IndexFile{}
	err := yaml.UnmarshalStrict(data, idx)
	return idx, err
}

// sdkIndex is an index.yaml as Helm writes one: n charts of up to 4
// versions, with the fields charts carry (descriptions over several lines,
// keywords, maintainers, annotations, dependencies).
func sdkIndex(t testing.TB, seed uint64, n int) []byte {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 7))
	idx := repo.NewIndexFile()
	for i := range n {
		for v := range 1 + rnd.IntN(4) {
			md := &chart.Metadata{APIVersion: "v2", Name: fmt.Sprintf("chart-%d", i), Version: fmt.Sprintf("1.%d.%d", v, rnd.IntN(9)),
				Description: fmt.Sprintf("Chart %d.\n  Indented: yes - a: b\n#not a comment\nentries:\n", i),
				Keywords:    []string{"web", fmt.Sprint(rnd.IntN(100))}, Icon: "https://example.test/i.png",
				Annotations:  map[string]string{"category": "x: y", "multi": "a\nb"},
				Maintainers:  []*chart.Maintainer{{Name: "M", Email: "m@example.test"}},
				Dependencies: []*chart.Dependency{{Name: "redis", Version: "1.x", Repository: "https://r.example.test"}}}
			if err := idx.MustAdd(md, fmt.Sprintf("chart-%d-%s.tgz", i, md.Version), "https://charts.example.test", "sha256:abc"); err != nil {
				t.Fatal(err)
			}
		}
	}
	idx.SortEntries()
	data, err := yaml.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Indexes as Helm writes them are read chart by chart, with the result of
// reading them whole.
func TestIndexChunksMatchWholeRead(t *testing.T) {
	for seed := range uint64(20) {
		data := sdkIndex(t, seed, 1+int(seed)*3)
		var chunked repo.IndexFile
		if err := unmarshalIndexChunks(data, &chunked); err != nil {
			t.Fatalf("seed %d: an SDK-written index was not read in chunks: %v\n%s", seed, err, data)
		}
		whole, err := wholeIndex(data)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(whole, &chunked); d != "" {
			t.Fatalf("seed %d: chunked read differs from the whole read (-whole +chunked):\n%s", seed, d)
		}
	}
}

// Layouts chunks cannot read are read whole.
func TestIndexChunksFallBack(t *testing.T) {
	for name, doc := range map[string]string{
		"flow style":          "apiVersion: v1\nentries: {web: [{name: web, version: 1.0.0, urls: [a.tgz]}]}\n",
		"four-space indent":   "apiVersion: v1\nentries:\n    web:\n    - name: web\n      version: 1.0.0\n",
		"chart named twice":   "apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.0.0\n  web:\n  - name: web\n    version: 1.1.0\n",
		"alias across charts": "apiVersion: v1\nentries:\n  a:\n  - &v\n    name: a\n    version: 1.0.0\n  b:\n  - *v\n",
		"two documents":       "apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.0.0\n---\napiVersion: v2\n",
		"tabs":                "apiVersion: v1\nentries:\n\tweb: []\n",
	} {
		var idx repo.IndexFile
		if err := unmarshalIndexChunks([]byte(doc), &idx); err == nil {
			t.Errorf("%s: read in chunks as %+v, want a whole read", name, idx)
		}
	}
}

// Whatever the input, a chunked read that succeeds gives what the whole
// read gives.
func FuzzIndexChunks(f *testing.F) {
	f.Add(string(sdkIndex(f, 1, 3)))
	f.Add("apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: 1.0.0\n    description: |\n      two\n  lines\n")
	f.Add("apiVersion: v1\nentries:\n  a: []\n  b:\n  - name: b\n    version: \"1\"\ngenerated: x\n")
	f.Fuzz(func(t *testing.T, doc string) {
		var chunked repo.IndexFile
		if unmarshalIndexChunks([]byte(doc), &chunked) != nil {
			return
		}
		whole, err := wholeIndex([]byte(doc))
		if err != nil {
			t.Fatalf("chunks read what the whole read refuses (%v):\n%s", err, doc)
		}
		if len(whole.Entries) == 0 && len(chunked.Entries) == 0 {
			whole.Entries, chunked.Entries = nil, nil
		}
		if d := cmp.Diff(whole, &chunked); d != "" {
			t.Fatalf("chunked read differs (-whole +chunked):\n%s\n%s", d, doc)
		}
	})
}
