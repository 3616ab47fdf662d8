package helm

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/kubedeck/kubedeck/kube"
)

func TestParseValues(t *testing.T) {
	tests := []struct {
		name, text string
		want       map[string]any
		invalid    bool
	}{
		{"empty", "", map[string]any{}, false},
		{"comment only", "# nothing\n", map[string]any{}, false},
		{"mapping", "replicaCount: 2\nimage:\n  tag: \"2.0\"\n", map[string]any{"replicaCount": float64(2), "image": map[string]any{"tag": "2.0"}}, false},
		{"not YAML", "a: [1, 2\nb: c", nil, true},
		{"tabs", "a:\n\tb: 1", nil, true},
		{"a list", "- 1\n- 2\n", nil, true},
		{"a scalar", "hello", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseValues(tt.text)
			if tt.invalid {
				if !errors.Is(err, kube.ErrInvalid) || publicMessageOf(err) == "" {
					t.Errorf("parseValues(%q) = %v, %v; want ErrInvalid with a message", tt.text, got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseValues (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSchemaViolations(t *testing.T) {
	web := testChart(t, "web", "")
	tests := []struct {
		name   string
		values string
		want   []SchemaViolation
	}{
		{"valid", "replicaCount: 3", nil},
		{"too many replicas", "replicaCount: 10", []SchemaViolation{{Path: "$.replicaCount", Message: "maximum: got 10, want 5", Line: 1}}},
		{"wrong type deep down", "# the image\nimage:\n  tag: 2", []SchemaViolation{{Path: "$.image.tag", Message: "got number, want string", Line: 3}}},
		{"two at once", "replicaCount: 0\n\nimage:\n  repository: r\n  tag: ''", []SchemaViolation{
			{Path: "$.image.tag", Message: "minLength: got 0, want 1", Line: 5},
			{Path: "$.replicaCount", Message: "minimum: got 0, want 1", Line: 1},
		}},
		{"flow style", "image: {tag: 2}", []SchemaViolation{{Path: "$.image.tag", Message: "got number, want string", Line: 1}}},
		{"the last of duplicate keys", "replicaCount: 1\nreplicaCount: 7", []SchemaViolation{{Path: "$.replicaCount", Message: "maximum: got 7, want 5", Line: 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := parseValues(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			merged, err := chartutil.CoalesceValues(web, vals)
			if err != nil {
				t.Fatal(err)
			}
			err = validateValues(web, merged, tt.values)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("valid values refused: %v", err)
				}
				return
			}
			var se *SchemaError
			if !errors.Is(err, kube.ErrInvalid) || !errors.As(err, &se) {
				t.Fatalf("validateValues: %v, want ErrInvalid with a SchemaError", err)
			}
			got := slices.SortedFunc(slices.Values(se.Violations), func(a, b SchemaViolation) int { return strings.Compare(a.Path, b.Path) })
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(SchemaViolation{})); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			if msg := publicMessageOf(err); !strings.Contains(msg, tt.want[0].Path) && !strings.Contains(msg, tt.want[len(tt.want)-1].Path) {
				t.Errorf("message %q names no path", msg)
			}
		})
	}
}

func TestSchemaViolationRefusesInstall(t *testing.T) {
	r := newChartRepo(t, testChart(t, "web", ""))
	c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
	_, err := c.Install(t.Context(), kube.User{Name: "alice"}, InstallRequest{
		Namespace: "team-a", Name: "web", Chart: "test/web", Values: "image:\n  tag: 7\n",
	}, nil)
	if !errors.Is(err, kube.ErrInvalid) || !strings.Contains(publicMessageOf(err), "$.image.tag") {
		t.Fatalf("install with values against the schema: %v, want ErrInvalid naming $.image.tag", err)
	}
}

// TestSchemaLoadsNothing proves a values schema cannot make Kubedeck fetch
// a URL or read a file (helm/helm#32245): the SDK's own check would.
func TestSchemaLoadsNothing(t *testing.T) {
	var hits atomic.Int32
	trap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"type": "object"}`))
	}))
	t.Cleanup(trap.Close)
	secretFile := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(secretFile, []byte(`{"type": "object"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	refs := map[string]string{
		"http URL":      trap.URL + "/schema.json",
		"file URL":      "file://" + secretFile,
		"relative path": "other.json",
		"with an $id":   "",
	}
	for name, ref := range refs {
		t.Run(name, func(t *testing.T) {
			ch := testChart(t, "web", "")
			ch.Schema = []byte(`{"type": "object", "properties": {"image": {"$ref": "` + ref + `"}}}`)
			if ref == "" {
				ch.Schema = []byte(`{"$id": "` + trap.URL + `/base/", "type": "object", "properties": {"image": {"$ref": "image.json"}}}`)
			}
			r := newChartRepo(t, ch)
			c := offlineClient(t, Options{Repositories: repositoriesOf(r)})
			_, err := c.Install(t.Context(), kube.User{Name: "alice"}, InstallRequest{Namespace: "team-a", Name: "web", Chart: "test/web"}, nil)
			if !errors.Is(err, kube.ErrInvalid) || !strings.Contains(publicMessageOf(err), "schema of chart web cannot be used") {
				t.Errorf("install with a schema $ref: %v, want ErrInvalid", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the $ref server got %d requests, want 0", n)
	}
	t.Run("the SDK's own check fetches", func(t *testing.T) {
		// Why Kubedeck skips the SDK's check: the same schema makes it
		// fetch the URL.
		ch := testChart(t, "web", "")
		ch.Schema = []byte(`{"type": "object", "properties": {"image": {"$ref": "` + trap.URL + `/schema.json"}}}`)
		_ = chartutil.ValidateAgainstSchema(ch, map[string]any{"image": map[string]any{}})
		if hits.Load() == 0 {
			t.Error("the SDK's validation did not fetch the $ref: this test no longer shows why Kubedeck validates itself")
		}
	})
	t.Run("local references still work", func(t *testing.T) {
		ch := testChart(t, "web", "")
		ch.Schema = []byte(`{"$defs": {"tag": {"type": "string"}}, "properties": {"image": {"properties": {"tag": {"$ref": "#/$defs/tag"}}}}}`)
		vals := map[string]any{"image": map[string]any{"tag": 3.0}}
		var se *SchemaError
		if err := validateValues(ch, vals, ""); !errors.As(err, &se) || se.Violations[0].Path != "$.image.tag" {
			t.Errorf("validation through a local $ref: %v", err)
		}
	})
}

func TestJSONPath(t *testing.T) {
	tests := []struct {
		loc  []string
		want string
	}{
		{nil, "$"},
		{[]string{"image", "tag"}, "$.image.tag"},
		{[]string{"ports", "0", "name"}, "$.ports[0].name"},
		{[]string{"odd key", "x.y"}, `$["odd key"]["x.y"]`},
	}
	for _, tt := range tests {
		if got := jsonPath("$", tt.loc); got != tt.want {
			t.Errorf("jsonPath(%q) = %q, want %q", tt.loc, got, tt.want)
		}
	}
}
