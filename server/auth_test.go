package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// The peers of the identity tests: the proxy is trusted, the stranger not.
const (
	proxyPeer    = "10.1.2.3:41000"
	strangerPeer = "192.0.2.7:41000"
)

// testProxySecret is the secret the tests' oauth2-proxy injects.
const testProxySecret = "test-proxy-secret-7Hq2vXc9"

// proxyConfig is proxy mode trusting 10.1.0.0/16 with testProxySecret,
// answering for example.com (httptest.NewRequest's host).
func proxyConfig() Config {
	return Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")},
		AllowedHosts: []string{"example.com"}, Auth: AuthConfig{ProxySecret: testProxySecret}}
}

// newAuthServer builds a server in cfg's auth mode with a /whoami route
// answering the request's identity, and a UI so pages are gated. It
// answers for example.com, httptest.NewRequest's host, besides cfg's hosts.
func newAuthServer(t *testing.T, cfg Config, logs *bytes.Buffer) *Server {
	t.Helper()
	cfg.AllowedHosts = append(slices.Clone(cfg.AllowedHosts), "example.com")
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	deps := Deps{
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Web: fstest.MapFS{"app.wasm": {Data: []byte("\x00asm")}, "kubedeck.css": {Data: []byte("body{}")}},
		UI: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("go-app:" + r.URL.Path))
		}),
	}
	s, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	s.handle("GET /api/v1/whoami", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
		id, err := s.identify(r)
		if err != nil {
			return err
		}
		s.writeData(w, http.StatusOK, id, "")
		return nil
	}))
	return s
}

// do sends one request from peer with headers and returns the reply. Like
// oauth2-proxy, it adds the proxy secret header with testProxySecret unless
// headers names it (an empty value: no such header).
func do(s *Server, method, path, peer string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.RemoteAddr = peer
	if _, given := headers[headerProxySecret]; !given {
		req.Header.Set(headerProxySecret, testProxySecret)
	}
	for k, v := range headers {
		if k == headerProxySecret && v == "" {
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// whoami decodes the identity a /whoami reply carries.
func whoami(t *testing.T, rec *httptest.ResponseRecorder) Identity {
	t.Helper()
	env := decodeEnvelope(t, rec.Body)
	var id Identity
	if err := json.Unmarshal(env.Data, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestProxyIdentity(t *testing.T) {
	alice := map[string]string{
		headerUser: "alice", headerEmail: "alice@example.com", headerPreferredUsername: "Alice",
		headerGroups: "team-a, data ,team-a,,system:masters",
	}
	tests := []struct {
		name    string
		peer    string
		headers map[string]string
		status  int
		want    Identity
	}{
		{"trusted proxy", proxyPeer, alice, 200, Identity{
			User:  kube.User{Name: "alice", Groups: []string{"team-a", "data", "system:masters"}},
			Email: "alice@example.com", PreferredUsername: "Alice", Source: AuthProxy}},
		{"trusted proxy over IPv4-mapped IPv6", "[::ffff:10.1.9.9]:5000", alice, 200, Identity{
			User:  kube.User{Name: "alice", Groups: []string{"team-a", "data", "system:masters"}},
			Email: "alice@example.com", PreferredUsername: "Alice", Source: AuthProxy}},
		{"untrusted peer", strangerPeer, alice, 401, Identity{}},
		{"untrusted peer naming a trusted one in X-Forwarded-For", strangerPeer,
			map[string]string{headerUser: "alice", "X-Forwarded-For": "10.1.2.3", "X-Real-Ip": "10.1.2.3"}, 401, Identity{}},
		{"trusted proxy without a user", proxyPeer, map[string]string{headerEmail: "alice@example.com"}, 401, Identity{}},
		{"no headers at all", proxyPeer, nil, 401, Identity{}},
		{"malformed peer", "somewhere", alice, 401, Identity{}},
	}
	s := newAuthServer(t, proxyConfig(), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(s, "GET", "/api/v1/whoami", tt.peer, tt.headers)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				env := decodeEnvelope(t, rec.Body)
				if env.Error == nil || env.Error.Code != shared.CodeUnauthorized || len(env.Data) != 0 {
					t.Errorf("envelope = %+v, want UNAUTHORIZED and no data", env)
				}
				return
			}
			if diff := cmp.Diff(tt.want, whoami(t, rec)); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEveryAPIRouteNeedsIdentity(t *testing.T) {
	s := newAuthServer(t, proxyConfig(), nil)
	tests := []struct {
		method, path string
		status       int
	}{
		{"GET", "/api/v1/me", 401},
		{"GET", "/api/v1/me?namespace=a", 401},
		{"GET", "/api/v1/whoami", 401},
		{"POST", "/api/v1/client-errors", 400}, // public: reports are limited per address
		{"GET", "/api/v1/version", 200},        // public: the update check
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := do(s, tt.method, tt.path, strangerPeer, map[string]string{headerUser: "mallory"})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
		})
	}
	t.Run("websocket upgrade", func(t *testing.T) {
		s.handle("GET /api/v1/ws-probe", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
			t.Error("the upgrade reached its handler without an identity")
			return nil
		}))
		rec := do(s, "GET", "/api/v1/ws-probe", strangerPeer, map[string]string{
			"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
			"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", headerUser: "mallory",
		})
		if rec.Code != 401 {
			t.Fatalf("status %d, want 401", rec.Code)
		}
	})
}

func TestPagesWithoutIdentityAskToSignInAgain(t *testing.T) {
	cfg := proxyConfig()
	cfg.BasePath = "/v2"
	s := newAuthServer(t, cfg, nil)
	tests := []struct {
		name, path string
		signedIn   bool
		status     int
		body       string
	}{
		{"start page", "/v2/", false, 401, `href="/v2/oauth2/start?rd=%2Fv2%2F"`},
		{"deep page", "/v2/apps/objects", false, 401, "Your session has ended — sign in again"},
		{"sign-out link", "/v2/apps/deploy", false, 401, `href="/v2/oauth2/sign_out?rd=%2Fv2%2F"`},
		{"page signed in", "/v2/apps/objects", true, 200, "go-app:/apps/objects"},
		{"service worker", "/v2/app-worker.js", false, 200, "go-app:/app-worker.js"},
		{"app.js", "/v2/app.js", false, 200, "go-app:/app.js"},
		{"wasm_exec.js", "/v2/wasm_exec.js", false, 200, "go-app:/wasm_exec.js"},
		{"manifest", "/v2/manifest.webmanifest", false, 200, "go-app:/manifest.webmanifest"},
		{"app.css", "/v2/app.css", false, 200, "go-app:/app.css"},
		{"static asset", "/v2/web/kubedeck.css", false, 200, "body{}"},
		{"health", "/v2/healthz", false, 200, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h map[string]string
			if tt.signedIn {
				h = map[string]string{headerUser: "alice"}
			}
			rec := do(s, "GET", tt.path, proxyPeer, h)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("status %d body %q, want %d containing %q", rec.Code, rec.Body, tt.status, tt.body)
			}
		})
	}
}

func TestDevIdentity(t *testing.T) {
	s := newAuthServer(t, Config{Auth: AuthConfig{Mode: AuthDev, DevEmail: "dev@example.com",
		DevUser: kube.User{Name: "dev", Groups: []string{"developers"}}}}, nil)
	// Dev mode ignores forwarded headers: the fixed user is the only one.
	rec := do(s, "GET", "/api/v1/whoami", strangerPeer, map[string]string{headerUser: "mallory"})
	want := Identity{User: kube.User{Name: "dev", Groups: []string{"developers"}}, Email: "dev@example.com",
		PreferredUsername: "dev", Source: AuthDev}
	if diff := cmp.Diff(want, whoami(t, rec)); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
}

func TestAuthConfigValidation(t *testing.T) {
	dev := AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "dev"}}
	tests := []struct {
		name   string
		cfg    Config
		listen string
		err    string // "" for none; else in the message
	}{
		{"proxy with a secret", proxyConfig(), "0.0.0.0:8080", ""},
		{"proxy without proof", Config{}, "0.0.0.0:8080", "--proxy-secret-file"},
		{"dev on loopback", Config{Auth: dev}, "127.0.0.1:8080", ""},
		{"dev on IPv6 loopback", Config{Auth: dev}, "[::1]:8080", ""},
		{"dev on localhost", Config{Auth: dev}, "localhost:8080", ""},
		{"dev on every interface", Config{Auth: dev}, ":8080", "only listens on loopback"},
		{"dev on 0.0.0.0", Config{Auth: dev}, "0.0.0.0:8080", "only listens on loopback"},
		{"dev on a LAN address", Config{Auth: dev}, "10.0.0.5:8080", "only listens on loopback"},
		{"dev without user", Config{Auth: AuthConfig{Mode: AuthDev}}, "127.0.0.1:1", "needs a user"},
		{"unknown mode", Config{Auth: AuthConfig{Mode: "none"}}, "127.0.0.1:1", "auth mode must be"},
		{"trust everyone v4", Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}, "0.0.0.0:1", "from anyone"},
		{"trust everyone v6", Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("::/0")}}, "0.0.0.0:1", "from anyone"},
		{"issuer without client", Config{Auth: AuthConfig{OIDCIssuer: "https://idp"}}, "0.0.0.0:1", "both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate(tt.listen)
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("Validate(%q) = %v, want error containing %q", tt.listen, err, tt.err)
			}
			// New refuses the same settings, bar the address and the proof
			// (without which it believes no forwarded headers).
			if _, err := New(tt.cfg, Deps{}); (err == nil) != (tt.err == "" || strings.Contains(tt.err, "loopback") ||
				strings.Contains(tt.err, "--proxy-secret-file")) {
				t.Errorf("New = %v", err)
			}
		})
	}
}

// TestAPIRoutesMustBeGated checks that an API route cannot be registered
// with a handler that skips the identity check: the server refuses it when
// it is built.
func TestAPIRoutesMustBeGated(t *testing.T) {
	s := newAuthServer(t, proxyConfig(), nil)
	defer func() {
		if recover() == nil {
			t.Error("an ungated handler was registered for an API route")
		}
	}()
	s.handle("GET /api/v1/open", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
}

// A page naming an object with a dot in its name (logs of pod web.v2-1) is
// a page, which gets the sign-in page when the session ended; go-app's
// files are not.
func TestIsPage(t *testing.T) {
	for p, want := range map[string]bool{
		"/":                               true,
		"/apps/deploy":                    true,
		"/apps/logs/pods/team-a/web.v2-1": true,
		"/app.js":                         false,
		"/manifest.webmanifest":           false,
		"/web/kubedeck.css":               false,
	} {
		if got := isPage(p); got != want {
			t.Errorf("isPage(%q) = %v, want %v", p, got, want)
		}
	}
}
