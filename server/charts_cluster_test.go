package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

// newChartsFixture is a server on the local cluster with Helm reaching a
// real chart repository that serves the "web" chart of kube/helm's tests.
func newChartsFixture(t *testing.T) *deployFixture {
	t.Helper()
	return newChartsFixtureWith(t, helm.Options{})
}

// newChartsFixtureWith is newChartsFixture with Helm's options other than
// its repositories and timeout.
func newChartsFixtureWith(t *testing.T, opts helm.Options) *deployFixture {
	t.Helper()
	return newChartsServer(t, proxyConfig(), time.Second, opts)
}

// install installs the web chart as release name in namespace as user
// through the API and waits for its operation.
func (f *deployFixture) install(t *testing.T, user, namespace, name string) shared.Operation {
	t.Helper()
	code, env := f.send(t, http.MethodPost, "/api/v1/charts", user,
		shared.ChartInstall{Name: name, Namespace: namespace, Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"})
	if code != http.StatusAccepted {
		t.Fatalf("install %s/%s as %s: %d %+v", namespace, name, user, code, env.Error)
	}
	var rep shared.OperationReply
	if err := json.Unmarshal(env.Data, &rep); err != nil {
		t.Fatal(err)
	}
	return f.waitOperation(t, user, rep.Operation.ID, 2*time.Minute)
}

// A user with rights in namespaces A and B installs a release in each
// through the API; a release in C belongs to another user. The list shows
// A's and B's (no error, C left out), the detail shows the values with
// the Secret's values masked and the objects' live state, and a bulk
// uninstall of all three removes A's and B's and refuses C's by name.
func TestChartsInstallListBulkUninstall(t *testing.T) {
	f := newChartsFixture(t)
	ctx := context.Background()
	nsA, nsB, nsC := f.namespace(t, "charts-a"), f.namespace(t, "charts-b"), f.namespace(t, "charts-c")
	f.bind(t, "helm-gina", "edit", nsA)
	f.bind(t, "helm-gina", "edit", nsB)
	f.bind(t, "helm-henry", "edit", nsC)

	for _, r := range []struct{ user, ns, name string }{{"helm-gina", nsA, "web-a"}, {"helm-gina", nsB, "web-b"}, {"helm-henry", nsC, "web-c"}} {
		if op := f.install(t, r.user, r.ns, r.name); op.Phase != shared.OperationSucceeded {
			t.Fatalf("install %s: %+v (error %+v)", r.name, op, op.Error)
		}
	}
	// The release and its objects are in the release's namespace.
	if _, err := f.admin.AppsV1().Deployments(nsA).Get(ctx, "web-a", metav1.GetOptions{}); err != nil {
		t.Fatalf("the Deployment of web-a: %v", err)
	}

	code, env := f.send(t, http.MethodGet, "/api/v1/charts", "helm-gina", nil)
	var list shared.ReleaseList
	if code != http.StatusOK || json.Unmarshal(env.Data, &list) != nil {
		t.Fatalf("list: %d %+v", code, env.Error)
	}
	var names []string
	for _, r := range list.Releases {
		if r.Namespace == nsA || r.Namespace == nsB || r.Namespace == nsC {
			names = append(names, r.Name+"@"+r.Status)
		}
	}
	if strings.Join(names, ",") != "web-a@deployed,web-b@deployed" || len(list.Errors) != 0 {
		t.Errorf("gina's releases %v, errors %v; want web-a and web-b deployed", names, list.Errors)
	}

	code, env = f.send(t, http.MethodGet, "/api/v1/charts/web-a?namespace="+nsA, "helm-gina", nil)
	var detail shared.ReleaseDetailReply
	if code != http.StatusOK || json.Unmarshal(env.Data, &detail) != nil {
		t.Fatalf("detail: %d %+v", code, env.Error)
	}
	if !strings.Contains(detail.Values, "greeting: hi") || strings.Contains(detail.Manifest, "s3cret") || len(detail.History) != 1 {
		t.Errorf("detail values %q, history %d; the manifest must not show the password", detail.Values, len(detail.History))
	}
	found := false
	for _, o := range detail.Objects {
		if o.Kind == "Deployment" && o.Name == "web-a" && o.Found {
			found = true
		}
	}
	if !found {
		t.Errorf("objects %+v, want the Deployment with its live state", detail.Objects)
	}

	body := shared.BulkUninstall{Releases: []shared.ReleaseRef{{Namespace: nsA, Name: "web-a"}, {Namespace: nsB, Name: "web-b"}, {Namespace: nsC, Name: "web-c"}}}
	code, env = f.send(t, http.MethodPost, "/api/v1/charts/uninstall", "helm-gina", body)
	var bulk shared.BulkUninstallResult
	if code != http.StatusOK || json.Unmarshal(env.Data, &bulk) != nil || len(bulk.Results) != 3 {
		t.Fatalf("bulk uninstall: %d %s %+v", code, env.Data, env.Error)
	}
	for i, r := range bulk.Results[:2] {
		if r.Operation == nil {
			t.Fatalf("result %d: %+v, want an operation", i, r)
		}
		if op := f.waitOperation(t, "helm-gina", r.Operation.ID, time.Minute); op.Phase != shared.OperationSucceeded {
			t.Errorf("uninstall %s: %+v", r.Name, op.Error)
		}
	}
	if r := bulk.Results[2]; r.Error == nil || r.Error.Code != shared.CodeForbidden || r.Operation != nil {
		t.Errorf("C's result %+v, want FORBIDDEN", r)
	}
	if _, err := f.admin.AppsV1().Deployments(nsA).Get(ctx, "web-a", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("web-a's Deployment after uninstall: %v", err)
	}
	if _, err := f.admin.AppsV1().Deployments(nsC).Get(ctx, "web-c", metav1.GetOptions{}); err != nil {
		t.Errorf("web-c's Deployment is gone: %v", err)
	}
}

// A chart reference that is not a configured repository's chart is
// refused before anything starts, and a second operation on a release
// that one is working on gets 409.
func TestChartsRefusals(t *testing.T) {
	f := newChartsFixture(t)
	ns := f.namespace(t, "charts-refuse")
	f.bind(t, "helm-ivan", "edit", ns)
	for _, ref := range []string{"../../etc/passwd", "file:///etc/passwd", "oci://registry/x", "other/web", "/srv/charts/web.tgz", "test/../web"} {
		code, env := f.send(t, http.MethodPost, "/api/v1/charts", "helm-ivan", shared.ChartInstall{Name: "x", Namespace: ns, Chart: ref, Version: "1.0.0"})
		if code != http.StatusBadRequest {
			t.Errorf("chart %q: %d %+v, want 400", ref, code, env.Error)
		}
	}
	// Values that break the chart's schema are refused at once, with the
	// path of each violation, and no operation starts.
	code, env := f.send(t, http.MethodPost, "/api/v1/charts", "helm-ivan", shared.ChartInstall{Name: "bad-values", Namespace: ns,
		Chart: "test/web", Version: "1.0.0", Values: "replicaCount: 9\nimage:\n  tag: \"\"\n"})
	if code != http.StatusBadRequest || env.Error == nil || env.Error.Details["field"] != "values" {
		t.Fatalf("schema violation: %d %+v, want 400 on the values", code, env.Error)
	}
	raw, _ := json.Marshal(env.Error.Details["violations"])
	if !strings.Contains(string(raw), `"$.replicaCount"`) || !strings.Contains(string(raw), `"$.image.tag"`) || len(env.Data) != 0 {
		t.Errorf("violations %s, want both paths and no operation", raw)
	}
	// An image that cannot be pulled keeps the install waiting (kwok's
	// fail-pull stage) until the fixture's 20 s timeout.
	first, env2 := f.send(t, http.MethodPost, "/api/v1/charts", "helm-ivan", shared.ChartInstall{Name: "busy", Namespace: ns,
		Chart: "test/web", Version: "1.0.0", Values: "image:\n  repository: registry.example.test/fail-pull\n"})
	if first != http.StatusAccepted {
		t.Fatalf("install: %d %+v", first, env2.Error)
	}
	code, env = f.send(t, http.MethodPost, "/api/v1/charts/busy/rollback?namespace="+ns, "helm-ivan", shared.ChartRollback{Revision: 0})
	if code != http.StatusConflict {
		t.Errorf("rollback while installing: %d %+v, want 409", code, env.Error)
	}
}
