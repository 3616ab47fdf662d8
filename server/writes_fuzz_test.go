package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// The writes' fuzz targets, with the local cluster behind them: what gets
// past decoding reaches kube/apps and kube/helm as it would in use.

// fuzzConfig is the proxy's configuration without the per-user write
// budget, which a fuzzer would spend in a second (it is not what is
// fuzzed).
func fuzzConfig() Config {
	cfg := proxyConfig()
	cfg.WritesPerMinute, cfg.WriteBurst, cfg.ReadsPerMinute, cfg.ReadBurst = 1<<20, 1<<16, 1<<20, 1<<16
	return cfg
}

// rawAs sends method path?query with a raw body from the trusted proxy as
// user; "NS" in the query and body stands for namespace. A path that is
// not a URL sends nothing (ok false).
func (f *deployFixture) rawAs(method, path, query, body, user, namespace string) (rec *httptest.ResponseRecorder, ok bool) {
	u, err := url.Parse(path)
	if err != nil {
		return nil, false
	}
	u.RawQuery = strings.ReplaceAll(query, "NS", namespace)
	req := httptest.NewRequest(method, "/", bytes.NewReader([]byte(strings.ReplaceAll(body, "NS", namespace))))
	req.URL, req.RequestURI = u, u.RequestURI()
	req.RemoteAddr = proxyPeer
	req.Header.Set(headerProxySecret, testProxySecret)
	req.Header.Set(headerUser, user)
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	return rec, true
}

// FuzzDeploymentRoutes sends any method, name, query and body to the
// wizard's routes as a user who may edit one namespace: whatever comes in,
// never a 500, and every answer is an envelope (or the mux's redirect of
// a path holding "..").
func FuzzDeploymentRoutes(f *testing.F) {
	fx := newDeployFixture(f, fuzzConfig())
	ns := fx.namespace(f, "fuzz-routes")
	fx.bind(f, "fuzz-fay", "edit", ns)
	f.Add(uint8(0), "", "namespace=NS", `{"name":"web"}`)
	f.Add(uint8(0), "", "namespace=other", `{"name":"web","namespace":"NS"}`)
	f.Add(uint8(1), "", "", `{"name":"web","namespace":"NS","image":"nginx:1","port":80,"replicas":1,"exposure":"public"}`)
	f.Add(uint8(1), "", "", `{"name":"web","namespace":"NS","image":"nginx:1","port":80,"replicas":-1,"volumes":[{"type":"pvc","claim":"../x","mountPath":"/d"}]}`)
	f.Add(uint8(2), "web", "namespace=..", "")
	f.Add(uint8(3), "..", "namespace=NS", "")
	f.Add(uint8(4), "%2e%2e", "namespace=NS&namespace=b", "")
	f.Add(uint8(5), "config", "", "")
	f.Fuzz(func(t *testing.T, route uint8, name, query, body string) {
		method, path := http.MethodPost, "/api/v1/deployments"
		switch route % 6 {
		case 1:
			path += "/validate"
		case 2:
			method, path = http.MethodGet, path+"/"+url.PathEscape(name)
		case 3:
			method, path = http.MethodDelete, path+"/"+url.PathEscape(name)
		case 4:
			method = http.MethodGet
		case 5:
			method, path = http.MethodGet, path+"/config"
		}
		rec, ok := fx.rawAs(method, path, query, body, "fuzz-fay", ns)
		if !ok || (rec.Code >= 300 && rec.Code < 400) { // the mux cleans "..": a redirect
			return
		}
		var env shared.Envelope
		if rec.Code >= 500 || json.Unmarshal(rec.Body.Bytes(), &env) != nil {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
	})
}

// FuzzAppCheck checks any spec in a namespace the user may edit, through
// kube/apps and the API server's dry run: never a 500; the server's field
// errors are exactly the browser's (shared's Validate, the same code);
// a valid spec gets a verdict for every object and the YAML of each; and
// nothing is created.
func FuzzAppCheck(f *testing.F) {
	fx := newDeployFixture(f, fuzzConfig())
	ns := fx.namespace(f, "fuzz-check")
	fx.bind(f, "fuzz-finn", "edit", ns)
	f.Add("web", "nginx:1.27", 8080, 2, "public", "250m", "512Mi", "MODE", "prod")
	f.Add("Web", "nginx:1.27", 0, 0, "private", "", "", "", "")
	f.Add("web", "reg:5000/a/b@sha256:"+strings.Repeat("ab", 32), 65535, 1, "internal", "1e3", "1Ei", "A", "")
	f.Add("w", "x", 70000, 1000000, "none", "-1", "0.5", "1BAD", "v")
	f.Add("a-very-long-name-of-sixty-three-characters-aaaaaaaaaaaaaaaaaaaa", "nginx", 80, 1, "public", "", "", "", "")
	f.Fuzz(func(t *testing.T, name, image string, port, replicas int, exposure, cpu, memory, envName, envValue string) {
		spec := shared.DeploymentSpec{Name: name, Namespace: ns, Image: image, Port: port, Replicas: replicas,
			Exposure: shared.Exposure(exposure), CPURequest: cpu, MemoryLimit: memory}
		if envName != "" {
			spec.Env = []shared.EnvVar{{Name: envName, Value: envValue}}
		}
		body, _ := json.Marshal(spec)
		// JSON carries text as UTF-8: what the server gets is the spec as
		// the body holds it.
		spec = shared.DeploymentSpec{}
		if err := json.Unmarshal(body, &spec); err != nil {
			t.Fatal(err)
		}
		name = spec.Name
		rec, _ := fx.rawAs(http.MethodPost, "/api/v1/deployments/validate", "", string(body), "fuzz-finn", ns)
		var env shared.Envelope
		var v shared.DeploymentValidation
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &env) != nil || json.Unmarshal(env.Data, &v) != nil {
			t.Fatalf("validate %s: %d %s", body, rec.Code, rec.Body)
		}
		local := spec.ValidateFor(fx.s.apps.Config().DeploymentConfig)
		if local != nil {
			want, _ := json.Marshal(local)
			if v.Valid || string(v.Errors) != string(want) {
				t.Fatalf("spec %s: the server says %s (valid %v), the browser %s", body, v.Errors, v.Valid, want)
			}
			return
		}
		if v.Valid {
			if len(v.Verdicts) < 2 || !strings.Contains(v.YAML, "name: "+name) {
				t.Fatalf("valid spec %s: verdicts %+v, YAML %q; want one per object", body, v.Verdicts, v.YAML)
			}
			for _, d := range v.Verdicts {
				if d.Name == "" && d.Check == "" {
					t.Fatalf("verdict %+v names nothing", d)
				}
			}
		}
		if _, err := fx.admin.AppsV1().Deployments(ns).Get(context.Background(), name, metav1.GetOptions{}); err == nil {
			t.Fatalf("a check of %s created the Deployment", body)
		}
	})
}

// FuzzChartInstallBody sends any install, upgrade or preview body to the
// Helm routes as a user who may only view the namespace: never a 500,
// every answer an envelope, and no operation ever started (every write is
// refused before it starts).
func FuzzChartInstallBody(f *testing.F) {
	fx := newChartsServer(f, fuzzConfig(), time.Second, helm.Options{})
	ns := fx.namespace(f, "fuzz-charts")
	fx.bind(f, "fuzz-vic", "view", ns)
	reg := fx.s.deps.Operations.(*operations.Memory)
	f.Add(uint8(0), "", `{"name":"web","namespace":"NS","chart":"test/web","version":"1.0.0"}`)
	f.Add(uint8(0), "namespace=other", `{"name":"web","namespace":"NS","chart":"test/web","version":"1.0.0"}`)
	f.Add(uint8(1), "namespace=NS", `{"chart":"test/web","version":"1.0.0","values":"replicaCount: -1"}`)
	f.Add(uint8(2), "", `{"name":"web","namespace":"NS","chart":"test/web","version":"1.0.0","values":"a: [","upgrade":true}`)
	f.Add(uint8(0), "", `{"name":"../x","namespace":"NS","chart":"file:///etc/passwd","version":"1"}`)
	f.Add(uint8(1), "namespace=NS&namespace=NS", `{"name":"web","chart":"test/web","version":"`+strings.Repeat("9", 200)+`"}`)
	f.Fuzz(func(t *testing.T, route uint8, query, body string) {
		method, path := http.MethodPost, "/api/v1/charts"
		switch route % 3 {
		case 1:
			method, path = http.MethodPut, path+"/web"
		case 2:
			path += "/preview"
		}
		rec, ok := fx.rawAs(method, path, query, body, "fuzz-vic", ns)
		if !ok {
			return
		}
		var env shared.Envelope
		if rec.Code >= 500 || json.Unmarshal(rec.Body.Bytes(), &env) != nil {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusAccepted || reg.Len() != 0 {
			t.Fatalf("%s %s?%s %q as a viewer: %d, %d operations; want none started", method, path, query, body, rec.Code, reg.Len())
		}
	})
}

// FuzzWorkloadRoutes sends any kind, namespace, name and body to the scale
// and restart routes as a user who may edit one namespace, where a
// Deployment runs: never a 500, every answer an envelope, and an operation
// only for a Deployment or StatefulSet and, for a scale, replicas in
// bounds.
func FuzzWorkloadRoutes(f *testing.F) {
	fx := newDeployFixture(f, fuzzConfig())
	ns := fx.namespace(f, "fuzz-workloads")
	fx.bind(f, "fuzz-wes", "edit", ns)
	if _, err := fx.admin.AppsV1().Deployments(ns).Create(context.Background(), testDeployment(ns, "web", "registry.example/web:1", 1, 0), metav1.CreateOptions{}); err != nil {
		f.Fatal(err)
	}
	f.Add(false, "deployments", "NS", "web", `{"replicas":2}`)
	f.Add(false, "deployments", "NS", "web", `{"replicas":-1}`)
	f.Add(false, "deployments", "NS", "web", `{"replicas":1e99}`)
	f.Add(false, "deployments", "NS", "web", `{}`)
	f.Add(true, "statefulsets", "NS", "web", ``)
	f.Add(true, "pods", "NS", "..", ``)
	f.Add(false, "deployments", "-", "web", `{"replicas":1}`)
	f.Fuzz(func(t *testing.T, restart bool, kind, namespace, name, body string) {
		namespace = strings.ReplaceAll(namespace, "NS", ns)
		path := "/api/v1/resources/" + url.PathEscape(kind) + "/" + url.PathEscape(namespace) + "/" + url.PathEscape(name) + "/scale"
		if restart {
			path = strings.TrimSuffix(path, "scale") + "restart"
		}
		rec, ok := fx.rawAs(http.MethodPost, path, "", body, "fuzz-wes", ns)
		if !ok || (rec.Code >= 300 && rec.Code < 400) {
			return
		}
		var env shared.Envelope
		if rec.Code >= 500 || json.Unmarshal(rec.Body.Bytes(), &env) != nil {
			t.Fatalf("POST %s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusAccepted {
			return
		}
		var req shared.ScaleRequest
		if (kind != "deployments" && kind != "statefulsets") ||
			(!restart && (json.Unmarshal([]byte(body), &req) != nil || req.Replicas == nil || *req.Replicas < 0 || *req.Replicas > 1000)) {
			t.Fatalf("POST %s %q started an operation", path, body)
		}
	})
}

// The logs route family: any kind, namespace, name and query answers an
// envelope below 500, and a read answers only for a kind logs are read for
// with options within bounds.
func FuzzLogRoutes(f *testing.F) {
	fx := newDeployFixture(f, fuzzConfig())
	ns := fx.namespace(f, "fuzz-logs")
	fx.bind(f, "fuzz-lou", "view", ns)
	f.Add("pods", "NS", "web", "tailLines=5")
	f.Add("deployments", "NS", "web", "container=main&previous=true")
	f.Add("pods", "NS", "..", "tailLines=-1")
	f.Add("secrets", "NS", "web", "")
	f.Add("pods", "-", "web", "sinceSeconds=99999999999999999999")
	f.Add("pods", "NS", "%2e%2e", "container=../../etc")
	f.Fuzz(func(t *testing.T, kind, namespace, name, query string) {
		namespace = strings.ReplaceAll(namespace, "NS", ns)
		path := "/api/v1/resources/" + url.PathEscape(kind) + "/" + url.PathEscape(namespace) + "/" + url.PathEscape(name) + "/logs"
		rec, ok := fx.rawAs(http.MethodGet, path, query, "", "fuzz-lou", ns)
		if !ok || (rec.Code >= 300 && rec.Code < 400) {
			return
		}
		var env shared.Envelope
		if rec.Code >= 500 || json.Unmarshal(rec.Body.Bytes(), &env) != nil {
			t.Fatalf("GET %s?%s: %d %s", path, query, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK {
			return
		}
		v, _ := url.ParseQuery(query)
		if _, errs := shared.LogQueryOf(kind, namespace, name, v); errs != nil {
			t.Fatalf("GET %s?%s answered though the query is wrong: %v", path, query, errs)
		}
	})
}
