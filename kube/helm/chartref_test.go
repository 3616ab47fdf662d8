package helm

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/kube"
)

func TestParseChartRef(t *testing.T) {
	repos := []Repository{
		{Name: "stable", URL: "https://charts.example.test/stable"},
		{Name: "team.charts", URL: "http://charts.example.test"},
		{Name: "registry", URL: "oci://registry.example.test/charts"},
	}
	tests := []struct {
		name      string
		ref       string
		wantRepo  string
		wantChart string
	}{
		{"repository and chart", "stable/web", "stable", "web"},
		{"dots, dashes and underscores", "team.charts/my-app_2.x", "team.charts", "my-app_2.x"},
		{"oci under a configured registry", "oci://registry.example.test/charts/web", "registry", "web"},

		{"empty", "", "", ""},
		{"chart alone", "web", "", ""},
		{"unknown repository", "other/web", "", ""},
		{"absolute path", "/etc/passwd", "", ""},
		{"relative path", "./charts/web", "", ""},
		{"parent directory", "../web", "", ""},
		{"dot-dot chart", "stable/..", "", ""},
		{"dot-dot inside", "stable/../../etc", "", ""},
		{"three segments", "stable/web/extra", "", ""},
		{"home directory", "~/charts/web", "", ""},
		{"file URL", "file:///etc/passwd", "", ""},
		{"file without slashes", "file:web.tgz", "", ""},
		{"https URL", "https://charts.example.test/stable/web-1.0.0.tgz", "", ""},
		{"http URL", "http://127.0.0.1:8080/web.tgz", "", ""},
		{"oci elsewhere", "oci://evil.example.test/charts/web", "", ""},
		{"oci path under the registry", "oci://registry.example.test/charts/../web", "", ""},
		{"backslash", `stable\web`, "", ""},
		{"space", "stable/web app", "", ""},
		{"trailing newline", "stable/web\n", "", ""},
		{"empty chart", "stable/", "", ""},
		{"empty repository", "/web", "", ""},
		{"percent-encoded dots", "stable/%2e%2e", "", ""},
		{"chart starting with a dot", "stable/.hidden", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, chart, err := ParseChartRef(tt.ref, repos)
			if tt.wantRepo == "" {
				if !errors.Is(err, kube.ErrInvalid) {
					t.Fatalf("ParseChartRef(%q) = %q, %q, %v; want ErrInvalid", tt.ref, r.Name, chart, err)
				}
				if publicMessageOf(err) == "" {
					t.Errorf("ParseChartRef(%q): no message for people", tt.ref)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseChartRef(%q): %v", tt.ref, err)
			}
			if diff := cmp.Diff([]string{tt.wantRepo, tt.wantChart}, []string{r.Name, chart}); diff != "" {
				t.Errorf("ParseChartRef(%q) (-want +got):\n%s", tt.ref, diff)
			}
		})
	}
}

func TestNewRefusesRepositories(t *testing.T) {
	kc := offlineKubeClient(t)
	tests := []struct {
		name  string
		repos []Repository
	}{
		{"oci", []Repository{{Name: "r", URL: "oci://registry.example.test/charts"}}},
		{"file", []Repository{{Name: "r", URL: "file:///srv/charts"}}},
		{"no host", []Repository{{Name: "r", URL: "http:///charts"}}},
		{"credentials in the URL", []Repository{{Name: "r", URL: "https://u:p@charts.example.test"}}},
		{"name with a slash", []Repository{{Name: "a/b", URL: "https://charts.example.test"}}},
		{"twice", []Repository{{Name: "r", URL: "https://a.example.test"}, {Name: "r", URL: "https://b.example.test"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(kc, Options{Repositories: tt.repos}); err == nil {
				t.Errorf("New accepted %+v", tt.repos)
			}
		})
	}
}

// FuzzParseChartRef: whatever the reference, an accepted one names a
// configured repository and a chart that is a plain name, never a path.
func FuzzParseChartRef(f *testing.F) {
	repos := []Repository{{Name: "test", URL: "https://charts.example.com"}, {Name: "reg", URL: "oci://registry.example.com/charts"}}
	for _, s := range []string{"test/web", "../test/web", "test/..", "file:///x", "oci://registry.example.com/charts/a", "test/a/b", "test\\web"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		repo, chart, err := ParseChartRef(ref, repos)
		if err != nil {
			return
		}
		if !slices.Contains(repos, repo) || chart == "" || chart == "." || chart == ".." || strings.ContainsAny(chart, "/\\ ") {
			t.Fatalf("ParseChartRef(%q) accepted repository %+v, chart %q", ref, repo, chart)
		}
	})
}
