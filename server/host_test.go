package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// TestHostNotAllowedIsRefused plays DNS rebinding: a page on evil.example
// whose name now resolves to Kubedeck's address sends requests with
// "Host: evil.example". They are refused before anything else runs (the
// dev user would otherwise be theirs), pages, API calls and WebSocket
// upgrades alike; the hosts people use pass, and the health probes
// (kubelet sends the pod's address) answer whatever the Host.
func TestHostNotAllowedIsRefused(t *testing.T) {
	dev := Config{Auth: AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "dev"}}}
	proxy := proxyConfig()
	proxy.AllowedHosts = []string{"kubedeck.example.com", "ops.example.com:8443"}
	upgrade := map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
		"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": "http://evil.example"}
	tests := []struct {
		name, mode, host, path string
		headers                map[string]string
		refused                bool
	}{
		{"dev: page from a rebinding domain", "dev", "evil.example", "/", nil, true},
		{"dev: rebinding domain with a port", "dev", "evil.example:8080", "/apps/objects", nil, true},
		{"dev: API from a rebinding domain", "dev", "evil.example:8080", "/api/v1/me", nil, true},
		{"dev: public API from a rebinding domain", "dev", "evil.example:8080", "/api/v1/version", nil, true},
		{"dev: WebSocket upgrade from a rebinding domain", "dev", "evil.example:8080", "/api/v1/ws", upgrade, true},
		{"dev: static file from a rebinding domain", "dev", "evil.example:8080", "/web/kubedeck.css", nil, true},
		{"dev: metrics from a rebinding domain", "dev", "evil.example:8080", "/metrics", nil, true},
		{"dev: a loopback name that is not localhost", "dev", "localhost.evil.example", "/api/v1/me", nil, true},
		{"dev: 127.0.0.1:8080", "dev", "127.0.0.1:8080", "/api/v1/me", nil, false},
		{"dev: localhost:8080", "dev", "localhost:8080", "/api/v1/me", nil, false},
		{"dev: LOCALHOST without a port", "dev", "LOCALHOST", "/api/v1/me", nil, false},
		{"dev: [::1]:8080", "dev", "[::1]:8080", "/api/v1/me", nil, false},
		{"dev: 127.0.0.2", "dev", "127.0.0.2:8080", "/", nil, false},
		{"dev: liveness probe by pod address", "dev", "10.244.1.7:8080", "/healthz", nil, false},
		{"dev: readiness probe by pod address", "dev", "10.244.1.7:8080", "/readyz", nil, false},
		{"proxy: the public host", "proxy", "kubedeck.example.com", "/api/v1/me", map[string]string{headerUser: "alice"}, false},
		{"proxy: the public host, any case, trailing dot", "proxy", "KubeDeck.Example.COM.:443", "/api/v1/me", map[string]string{headerUser: "alice"}, false},
		{"proxy: a host with its port", "proxy", "ops.example.com:8443", "/api/v1/me", map[string]string{headerUser: "alice"}, false},
		{"proxy: a host on another port", "proxy", "ops.example.com:9443", "/api/v1/me", map[string]string{headerUser: "alice"}, true},
		{"proxy: another host", "proxy", "evil.example", "/api/v1/me", map[string]string{headerUser: "alice"}, true},
		{"proxy: another host's page", "proxy", "evil.example", "/", map[string]string{headerUser: "alice"}, true},
		{"proxy: no Host at all", "proxy", "", "/api/v1/me", map[string]string{headerUser: "alice"}, true},
	}
	servers := map[string]*Server{"dev": newAuthServer(t, dev, nil), "proxy": newAuthServer(t, proxy, nil)}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.path, nil)
			req.Host = tt.host
			req.RemoteAddr = proxyPeer
			req.Header.Set(headerProxySecret, testProxySecret)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			servers[tt.mode].Handler().ServeHTTP(rec, req)
			if !tt.refused {
				if rec.Code == http.StatusBadRequest || rec.Code == http.StatusMisdirectedRequest {
					t.Fatalf("status %d, want the request to pass; body %s", rec.Code, rec.Body)
				}
				return
			}
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", rec.Code, rec.Body)
			}
			if strings.HasPrefix(tt.path, "/api/") {
				env := decodeEnvelope(t, rec.Body)
				if env.Error == nil || env.Error.Code != shared.CodeValidation || !strings.Contains(env.Error.Message, "host") {
					t.Errorf("envelope %+v, want VALIDATION_ERROR about the host", env)
				}
			} else if !strings.Contains(rec.Body.String(), "host") {
				t.Errorf("body %q does not say what is wrong", rec.Body)
			}
			if rec.Header().Get("Content-Security-Policy") == "" {
				t.Error("the refusal has no security headers")
			}
		})
	}
}

// TestHostCheckComesFirst checks a refused Host goes nowhere near the
// routes: not the WebSocket hub, not a handler.
func TestHostCheckComesFirst(t *testing.T) {
	s := newAuthServer(t, Config{Auth: AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "dev"}}}, nil)
	reached := false
	s.handle("POST /api/v1/probe", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error { reached = true; return nil }))
	req := httptest.NewRequest("POST", "/api/v1/probe", strings.NewReader("{}"))
	req.Host = "evil.example:8080"
	req.Header.Set("Origin", "http://evil.example:8080")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || reached {
		t.Errorf("status %d, handler reached %v; want 400 and not reached", rec.Code, reached)
	}
}
