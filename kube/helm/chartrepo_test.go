package helm

import (
	"path/filepath"
	"testing"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
)

// testChart loads the chart source testdata/charts/<name> with the SDK,
// at version when it is not empty.
func testChart(t testing.TB, name, version string) *chart.Chart {
	t.Helper()
	return helmtest.Load(t, helmtest.Chart{Dir: filepath.Join("testdata", "charts", name), Version: version})
}

// chartRepo is a real Helm chart repository over HTTP (helmtest).
type chartRepo = helmtest.Repo

// newChartRepo packages charts and serves them.
func newChartRepo(t testing.TB, charts ...*chart.Chart) *chartRepo {
	t.Helper()
	return helmtest.NewRepoOf(t, charts...)
}

// repositoriesOf names r as the one repository "test".
func repositoriesOf(r *chartRepo) []Repository {
	return []Repository{{Name: "test", URL: r.URL}}
}

func TestChartRepoIndexIsRelative(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", ""))
	idx, err := parseIndex(r.File("index.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cv, err := idx.Get("web", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if got := cv.URLs[0]; got != "charts/web-1.0.0.tgz" {
		t.Errorf("archive URL %q, want a relative charts/web-1.0.0.tgz", got)
	}
	if cv.Digest == "" || cv.Icon == "" {
		t.Errorf("index entry lacks its digest or icon: %+v", cv)
	}
}
