package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// replyError is the code and the parameter detail of an error reply.
type replyError struct {
	Status    int
	Code      shared.Code
	Parameter any
}

func errorOf(t *testing.T, rec *httptest.ResponseRecorder) replyError {
	t.Helper()
	got := replyError{Status: rec.Code}
	if env := decodeEnvelope(t, rec.Body); env.Error != nil {
		got.Code, got.Parameter = env.Error.Code, env.Error.Details["parameter"]
	}
	return got
}

// TestListHugePageDoesNotWedge asks for the page whose offset overflowed
// int and panicked with the index's lock held; afterwards an informer update
// and a list must still go through.
func TestListHugePageDoesNotWedge(t *testing.T) {
	f := newStubFixture(t, 30, 0)
	rec := f.send(http.MethodGet, "/api/v1/resources/pods?page=18446744073709553&limit=500")
	want := replyError{Status: http.StatusBadRequest, Code: shared.CodeValidation, Parameter: "page"}
	if diff := cmp.Diff(want, errorOf(t, rec)); diff != "" {
		t.Errorf("huge page (-want +got):\n%s", diff)
	}

	// An informer update takes the index's write lock; a list after it
	// waits for that lock.
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "after-the-huge-page", Namespace: "team-web"}}
	if _, err := f.fake.CoreV1().Pods("team-web").Create(context.Background(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- f.send(http.MethodGet, "/api/v1/resources/pods?q=after-the-huge-page") }()
	select {
	case rec := <-done:
		if rec.Code != http.StatusOK {
			t.Errorf("list after the huge page: status %d: %s", rec.Code, rec.Body)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a list after the huge page did not answer in 10 s: the index is wedged")
	}
}

// TestListPageAndLimitBounds sends page and limit values at and past their
// bounds: bad ones are 400 naming the parameter, a page past the end is an
// empty page.
func TestListPageAndLimitBounds(t *testing.T) {
	f := newStubFixture(t, 30, 0)
	bad := func(param string) replyError {
		return replyError{Status: http.StatusBadRequest, Code: shared.CodeValidation, Parameter: param}
	}
	ok := replyError{Status: http.StatusOK}
	tests := []struct {
		query string
		want  replyError
	}{
		{"page=18446744073709553&limit=500", bad("page")},
		{"page=9223372036854775807", bad("page")},
		{"page=99999999999999999999", bad("page")},
		{"page=1000001", bad("page")},
		{"page=0", bad("page")},
		{"page=-1", bad("page")},
		{"page=two", bad("page")},
		{"page=1e3", bad("page")},
		{"limit=0", bad("limit")},
		{"limit=-5", bad("limit")},
		{"limit=ten", bad("limit")},
		{"limit=99999999999999999999", bad("limit")},
		{"page=1000000&limit=500", ok},
		{"page=3&limit=100000", ok},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			rec := f.send(http.MethodGet, "/api/v1/resources/pods?"+tc.query)
			if diff := cmp.Diff(tc.want, errorOf(t, rec)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestObjectNamesAreValidated sends object paths and list namespaces that
// are not valid names for their kind: each is a 400 naming the parameter,
// never a 500 from deeper down.
func TestObjectNamesAreValidated(t *testing.T) {
	f := newStubFixture(t, 3, 0)
	bad := func(param string) replyError {
		return replyError{Status: http.StatusBadRequest, Code: shared.CodeValidation, Parameter: param}
	}
	ok := replyError{Status: http.StatusOK}
	tests := []struct {
		method, path string
		want         replyError
	}{
		{"DELETE", "/api/v1/resources/configmaps/team-web/%2e%2e", bad("name")},
		{"DELETE", "/api/v1/resources/configmaps/team-web/%2e", bad("name")},
		{"GET", "/api/v1/resources/configmaps/team-web/%2e%2e", bad("name")},
		{"GET", "/api/v1/resources/configmaps/team-web/%2E%2E", bad("name")},
		{"GET", "/api/v1/resources/configmaps/team-web/Settings", bad("name")},
		{"GET", "/api/v1/resources/configmaps/team-web/-settings", bad("name")},
		{"GET", "/api/v1/resources/configmaps/team-web/a%20b", bad("name")},
		{"GET", "/api/v1/resources/configmaps/team-web/" + strings.Repeat("a", 254), bad("name")},
		{"DELETE", "/api/v1/resources/services/team-web/1st", bad("name")},
		{"DELETE", "/api/v1/resources/services/team-web/a.b", bad("name")},
		{"GET", "/api/v1/resources/configmaps/%2e%2e/settings", bad("namespace")},
		{"DELETE", "/api/v1/resources/configmaps/Team-Web/settings", bad("namespace")},
		{"GET", "/api/v1/resources/configmaps/-/settings", bad("namespace")},
		{"GET", "/api/v1/resources/persistentvolumes/team-web/pv-1", bad("namespace")},
		{"GET", "/api/v1/resources/persistentvolumes/-/%2e%2e", bad("name")},
		{"GET", "/api/v1/resources/pods?namespace=%2e%2e", bad("namespace")},
		{"GET", "/api/v1/resources/pods?namespace=Team-Web", bad("namespace")},
		{"GET", "/api/v1/resources/configmaps/team-web/settings", ok},
		{"GET", "/api/v1/resources/persistentvolumes/-/pv-1", ok},
		{"GET", "/api/v1/resources/pods?namespace=team-web", ok},
		{"DELETE", "/api/v1/resources/configmaps/team-web/settings.v2", ok},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, errorOf(t, f.send(tc.method, tc.path))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzListQuery reads any list query with the parser the list handler uses
// and lists a real index with what it accepts: no panic, every refusal a
// VALIDATION_ERROR naming the parameter, every accepted query a page.
func FuzzListQuery(f *testing.F) {
	fx := newStubFixture(f, 200, 0)
	f.Add("pods", "", "", "", "", "18446744073709553", "500")
	f.Add("pods", "team-web", "app-1 node-2", "restarts", "desc", "2", "7")
	f.Add("configmaps", "all", "", "name", "asc", "1000000", "100000")
	f.Add("persistentvolumes", "team-web", "", "age", "", "-1", "0")
	f.Add("services", "..", "x", "nope", "up", "1e9", "9223372036854775807")
	f.Fuzz(func(t *testing.T, kind, namespace, q, sort, order, page, limit string) {
		k, ok := fx.objects.Kind(kind)
		if !ok {
			k, _ = fx.objects.Kind("pods")
		}
		v := url.Values{}
		for key, val := range map[string]string{"namespace": namespace, "q": q, "sort": sort, "order": order, "page": page, "limit": limit} {
			if val != "" {
				v.Set(key, val)
			}
		}
		query, ns, err := parseListQuery(v, k)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code != shared.CodeValidation || ae.details["parameter"] == nil {
				t.Fatalf("parseListQuery(%v): %v, want a VALIDATION_ERROR naming the parameter", v, err)
			}
			return
		}
		if ns != "" {
			query.Namespaces = []string{ns}
		}
		res, err := fx.objects.List(k, query)
		if err != nil {
			t.Fatalf("List(%+v): %v", query, err)
		}
		if len(res.Rows) > res.Limit || res.Limit < 1 || res.Limit > kube.MaxLimit || res.Page < 1 || res.Page > kube.MaxPage {
			t.Fatalf("List(%+v): page %d, limit %d, %d rows", query, res.Page, res.Limit, len(res.Rows))
		}
	})
}

// FuzzResourceRoutes sends any kind, namespace, name and query to the list,
// detail and delete routes of a server with a real cache: whatever comes
// in, the answer is never a 500.
func FuzzResourceRoutes(f *testing.F) {
	fx := newStubFixture(f, 20, 0)
	f.Add(true, "configmaps", "team-web", "..", "")
	f.Add(false, "configmaps", "team-web", ".", "")
	f.Add(false, "pods", "", "", "page=18446744073709553&limit=500")
	f.Add(false, "persistentvolumes", "-", "pv-1", "")
	f.Add(true, "services", "team-web", "a/b", "uid=x")
	f.Add(false, "pods", "team-web", "web-0001", "q=%zz")
	f.Fuzz(func(t *testing.T, del bool, kind, namespace, name, query string) {
		path := "/api/v1/resources/" + url.PathEscape(kind)
		if namespace != "" || name != "" {
			path += "/" + url.PathEscape(namespace) + "/" + url.PathEscape(name)
		}
		u, err := url.Parse(path)
		if err != nil {
			return
		}
		u.RawQuery = query
		method := http.MethodGet
		if del {
			method = http.MethodDelete
		}
		req := httptest.NewRequest(method, "/", nil)
		req.URL, req.RequestURI = u, u.RequestURI()
		req.RemoteAddr = proxyPeer
		req.Header.Set(headerUser, "carol")
		rec := httptest.NewRecorder()
		fx.s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d: %s", method, u, rec.Code, rec.Body)
		}
	})
}
