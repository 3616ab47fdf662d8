package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/kube/operations"
)

// A chart's icon is served from Kubedeck's origin to a signed-in user, as
// an image that can never act as a page (an SVG opened on its own runs no
// script: the CSP sandboxes it), and only for a repository's chart named
// once.
func TestCatalogIconRoute(t *testing.T) {
	f := newClusterFixture(t, proxyConfig(), time.Second)
	repo := helmtest.NewRepoOf(t)
	ch := helmtest.Load(t, helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"})
	ch.Metadata.Icon = "icons/web.svg"
	repo.Publish(t, ch)
	svg := `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`
	repo.Set("icons/web.svg", []byte(svg))
	hc, err := helm.New(f.client, helm.Options{Repositories: []helm.Repository{{Name: "test", URL: repo.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := proxyConfig()
	cfg.AllowedHosts = append(cfg.AllowedHosts, "example.com")
	s, err := New(cfg, Deps{Log: slog.New(slog.DiscardHandler), Kube: f.client, Objects: f.s.deps.Objects,
		Access: f.s.deps.Access, Operations: operations.NewMemory(operations.MemoryOptions{}), Helm: hc})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, user string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.RemoteAddr = proxyPeer
		if user != "" {
			req.Header.Set(headerProxySecret, testProxySecret)
			req.Header.Set(headerUser, user)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}

	rec := get("/api/v1/catalog/icon?repo=test&chart=web", "helm-icons")
	if rec.Code != http.StatusOK || rec.Body.String() != svg {
		t.Fatalf("icon: %d %q", rec.Code, rec.Body)
	}
	for header, want := range map[string]string{
		"Content-Type":            "image/svg+xml",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
	} {
		if got := rec.Header().Get(header); got != want {
			t.Errorf("%s: %q, want %q", header, got, want)
		}
	}
	for _, tt := range []struct {
		path, user string
		code       int
	}{
		{"/api/v1/catalog/icon?repo=test&chart=web", "", http.StatusUnauthorized},
		{"/api/v1/catalog/icon?repo=test&repo=other&chart=web", "helm-icons", http.StatusBadRequest},
		{"/api/v1/catalog/icon?chart=web", "helm-icons", http.StatusBadRequest},
		{"/api/v1/catalog/icon?repo=test&chart=" + strings.Repeat("a", 300), "helm-icons", http.StatusBadRequest},
		{"/api/v1/catalog/icon?repo=test&chart=nope", "helm-icons", http.StatusNotFound},
		{"/api/v1/catalog/icon?repo=..%2F..&chart=web", "helm-icons", http.StatusNotFound},
	} {
		if rec := get(tt.path, tt.user); rec.Code != tt.code || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s as %q: %d %s, want %d with an envelope", tt.path, tt.user, rec.Code, rec.Header().Get("Content-Type"), tt.code)
		}
	}
}
