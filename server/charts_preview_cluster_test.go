package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// The install form asks for a chart's defaults: its values.yaml as
// written, comments kept.
func TestChartDefaultsRoute(t *testing.T) {
	f := newChartsFixture(t)
	want, err := os.ReadFile("../kube/helm/testdata/charts/web/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, env := f.send(t, http.MethodGet, "/api/v1/catalog/values?chart=test/web&version=1.0.0", "helm-olga", nil)
	var d shared.ChartDefaults
	if code != http.StatusOK || json.Unmarshal(env.Data, &d) != nil {
		t.Fatalf("defaults: %d %+v", code, env.Error)
	}
	if d.Values != string(want) || d.Version != "1.0.0" || !d.Schema {
		t.Errorf("defaults %+v, want the chart's values.yaml and its schema", d)
	}
	for _, tt := range []struct {
		query string
		code  int
	}{
		{"chart=test/web&version=9.9.9", http.StatusNotFound},
		{"chart=test/nope", http.StatusNotFound},
		{"chart=../../etc/passwd", http.StatusBadRequest},
		{"chart=file:///etc/passwd", http.StatusBadRequest},
		{"chart=test/web&chart=test/job", http.StatusBadRequest},
		{"chart=test/web&version=1.0.0&version=1.1.0", http.StatusBadRequest},
		{"", http.StatusBadRequest},
	} {
		if code, env := f.send(t, http.MethodGet, "/api/v1/catalog/values?"+tt.query, "helm-olga", nil); code != tt.code {
			t.Errorf("?%s: %d %+v, want %d", tt.query, code, env.Error, tt.code)
		}
	}
}

// A preview renders the install as the user, as a dry run: the objects
// it would make, its notes and manifest (the Secret masked), and nothing
// in the cluster. What the install would refuse, the preview refuses the
// same way, values errors with their lines; an upgrade's preview leaves
// the release at its revision.
func TestChartsPreview(t *testing.T) {
	f := newChartsFixture(t)
	ctx := context.Background()
	ns, other := f.namespace(t, "charts-preview"), f.namespace(t, "charts-preview-x")
	f.bind(t, "helm-pia", "edit", ns)

	preview := shared.ChartPreview{ChartInstall: shared.ChartInstall{Name: "web-p", Namespace: ns, Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"}}
	code, env := f.send(t, http.MethodPost, "/api/v1/charts/preview", "helm-pia", preview)
	var d shared.ReleaseDetail
	if code != http.StatusOK || json.Unmarshal(env.Data, &d) != nil {
		t.Fatalf("preview: %d %+v", code, env.Error)
	}
	kinds := map[string]bool{}
	for _, r := range d.Resources {
		kinds[r.Kind+"/"+r.Name] = r.Namespace == ns
	}
	if !kinds["Deployment/web-p"] || !kinds["Service/web-p"] || !kinds["Secret/web-p-secret"] {
		t.Errorf("previewed objects %v, want the Deployment, Service and Secret in %s", kinds, ns)
	}
	if strings.Contains(d.Manifest, "s3cret") || !strings.Contains(d.Manifest, "kind: Deployment") || d.Notes == "" ||
		!strings.Contains(d.ComputedValues, "greeting: hi") {
		t.Errorf("preview manifest/notes/values: %q / %q / %q", d.Manifest, d.Notes, d.ComputedValues)
	}
	if _, err := f.admin.AppsV1().Deployments(ns).Get(ctx, "web-p", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the preview made a Deployment: %v", err)
	}
	secrets, err := f.admin.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil || len(secrets.Items) != 0 {
		t.Errorf("the preview left release Secrets: %v %v", secrets, err)
	}

	// Values errors point to their lines.
	bad := preview
	bad.Values = "greeting: hi\nreplicaCount: 9\nimage:\n  repository: r\n  tag: \"\"\n"
	code, env = f.send(t, http.MethodPost, "/api/v1/charts/preview", "helm-pia", bad)
	if code != http.StatusBadRequest || env.Error == nil || env.Error.Details["field"] != "values" || env.Error.Details["line"] == nil {
		t.Fatalf("preview of values against the schema: %d %+v", code, env.Error)
	}
	raw, _ := json.Marshal(env.Error.Details["violations"])
	for _, want := range []string{`"line":2,"message":"maximum: got 9, want 5","path":"$.replicaCount"`, `"line":5,"message":"minLength: got 0, want 1","path":"$.image.tag"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("violations %s, want %s", raw, want)
		}
	}
	code, env = f.send(t, http.MethodPost, "/api/v1/charts", "helm-pia", bad.ChartInstall)
	if code != http.StatusBadRequest || env.Error == nil || env.Error.Details["line"] != float64(2) {
		t.Errorf("install of values against the schema: %d %+v, want 400 on line 2", code, env.Error)
	}
	bad.Values = "greeting: hi\nimage:\n\ttag: 1\n"
	code, env = f.send(t, http.MethodPost, "/api/v1/charts/preview", "helm-pia", bad)
	if code != http.StatusBadRequest || env.Error == nil || env.Error.Details["line"] != float64(3) {
		t.Errorf("preview of values that are not YAML: %d %+v, want 400 on line 3", code, env.Error)
	}
	// The same refusal when installing.
	code, env = f.send(t, http.MethodPost, "/api/v1/charts", "helm-pia", bad.ChartInstall)
	if code != http.StatusBadRequest || env.Error == nil || env.Error.Details["line"] != float64(3) {
		t.Errorf("install of values that are not YAML: %d %+v, want 400 on line 3", code, env.Error)
	}

	// Where the user may not create, the dry run is refused as the install would be.
	elsewhere := preview
	elsewhere.Namespace = other
	if code, env := f.send(t, http.MethodPost, "/api/v1/charts/preview", "helm-pia", elsewhere); code != http.StatusForbidden {
		t.Errorf("preview in a namespace without rights: %d %+v, want 403", code, env.Error)
	}
	for _, body := range []any{
		shared.ChartPreview{ChartInstall: shared.ChartInstall{Name: "x", Namespace: ns, Chart: "../etc/passwd", Version: "1"}},
		shared.ChartPreview{ChartInstall: shared.ChartInstall{Name: "X_", Namespace: ns, Chart: "test/web", Version: "1.0.0"}},
		map[string]any{"name": "x", "namespace": ns, "chart": "test/web", "version": "1.0.0", "unknown": 1},
	} {
		if code, env := f.send(t, http.MethodPost, "/api/v1/charts/preview", "helm-pia", body); code != http.StatusBadRequest {
			t.Errorf("preview %+v: %d %+v, want 400", body, code, env.Error)
		}
	}

	// An upgrade's preview: the next revision, and the release unchanged.
	if op := f.install(t, "helm-pia", ns, "web-u"); op.Phase != shared.OperationSucceeded {
		t.Fatalf("install: %+v", op.Error)
	}
	up := shared.ChartPreview{ChartInstall: shared.ChartInstall{Name: "web-u", Namespace: ns, Chart: "test/web", Version: "1.0.0", Values: "replicaCount: 2\n"}, Upgrade: true}
	code, env = f.send(t, http.MethodPost, "/api/v1/charts/preview", "helm-pia", up)
	if code != http.StatusOK || json.Unmarshal(env.Data, &d) != nil || d.Release.Revision != 2 || !strings.Contains(d.Manifest, "replicas: 2") {
		t.Fatalf("upgrade preview: %d %+v, revision %d", code, env.Error, d.Release.Revision)
	}
	code, env = f.send(t, http.MethodGet, "/api/v1/charts/web-u?namespace="+ns, "helm-pia", nil)
	var cur shared.ReleaseDetailReply
	if code != http.StatusOK || json.Unmarshal(env.Data, &cur) != nil || cur.Release.Revision != 1 || len(cur.History) != 1 {
		t.Errorf("after an upgrade's preview: %d revision %d, history %d; want revision 1 alone", code, cur.Release.Revision, len(cur.History))
	}
	up.Name = "web-none"
	if code, env := f.send(t, http.MethodPost, "/api/v1/charts/preview", "helm-pia", up); code != http.StatusNotFound {
		t.Errorf("upgrade preview of no release: %d %+v, want 404", code, env.Error)
	}
}
