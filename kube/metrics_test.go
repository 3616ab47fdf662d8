package kube

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		method, url    string
		verb, resource string
	}{
		{"GET", "/api/v1/namespaces", "list", "namespaces"},
		{"GET", "/api/v1/namespaces/team-a", "get", "namespaces"},
		{"PUT", "/api/v1/namespaces/team-a/finalize", "update", "namespaces/finalize"},
		{"GET", "/api/v1/namespaces/team-a/status", "get", "namespaces/status"},
		{"GET", "/api/v1/namespaces/team-a/pods", "list", "pods"},
		{"GET", "/api/v1/pods?limit=500", "list", "pods"},
		{"GET", "/api/v1/pods?watch=true&resourceVersion=10", "watch", "pods"},
		{"GET", "/api/v1/watch/namespaces/team-a/pods", "watch", "pods"},
		{"GET", "/api/v1/namespaces/team-a/pods/web-1", "get", "pods"},
		{"GET", "/api/v1/namespaces/team-a/pods/web-1/log", "get", "pods/log"},
		{"POST", "/api/v1/namespaces/team-a/pods/web-1/eviction", "create", "pods/eviction"},
		{"GET", "/apis/apps/v1/deployments", "list", "deployments"},
		{"PATCH", "/apis/apps/v1/namespaces/team-a/deployments/web", "patch", "deployments"},
		{"PUT", "/apis/apps/v1/namespaces/team-a/deployments/web/scale", "update", "deployments/scale"},
		{"DELETE", "/apis/apps/v1/namespaces/team-a/deployments/web", "delete", "deployments"},
		{"DELETE", "/apis/apps/v1/namespaces/team-a/deployments", "deletecollection", "deployments"},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "create", "selfsubjectaccessreviews"},
		{"GET", "/k8s/clusters/c-1/api/v1/nodes", "list", "nodes"},
		{"GET", "/apis/apps/v1", "get", "/apis"},
		{"GET", "/api", "get", "/api"},
		{"GET", "/version", "get", "/version"},
		{"GET", "/readyz", "get", "/readyz"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			verb, resource := classify(httptest.NewRequest(tt.method, tt.url, nil))
			if diff := cmp.Diff([2]string{tt.verb, tt.resource}, [2]string{verb, resource}); diff != "" {
				t.Errorf("classify (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCountingTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/namespaces/missing" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("{}"))
	}))
	defer srv.Close()
	m, err := newRequestMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: m.wrap(http.DefaultTransport)}
	for _, path := range []string{"/api/v1/namespaces", "/api/v1/namespaces", "/api/v1/namespaces/missing", "/api/v1/pods"} {
		resp, err := hc.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	srv.Close()
	if _, err := hc.Get(srv.URL + "/api/v1/namespaces"); err == nil {
		t.Fatal("a request to a closed server succeeded")
	}
	got := map[string]float64{
		"list namespaces": m.count("list", "namespaces"),
		"get namespaces":  m.count("get", "namespaces"),
		"list pods":       m.count("list", "pods"),
		"watch pods":      m.count("watch", "pods"),
	}
	want := map[string]float64{"list namespaces": 3, "get namespaces": 1, "list pods": 1, "watch pods": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if c := testCounter(t, m, "get", "namespaces", "404"); c != 1 {
		t.Errorf("get namespaces 404 = %v, want 1", c)
	}
	if c := testCounter(t, m, "list", "namespaces", "error"); c != 1 {
		t.Errorf("list namespaces error = %v, want 1", c)
	}
}

// testCounter reads one series of the API request counter.
func testCounter(t *testing.T, m *requestMetrics, verb, resource, code string) float64 {
	t.Helper()
	return testutil.ToFloat64(m.requests.WithLabelValues(verb, resource, code))
}
