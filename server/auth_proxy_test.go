package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/http/httpguts"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// TestForwardedHeadersNeedTheProxySecret plays the requests a port-forward,
// a sidecar or a stranger can make: a trusted peer address alone no longer
// makes the forwarded headers believed; the secret oauth2-proxy injects
// does, and only with that peer.
func TestForwardedHeadersNeedTheProxySecret(t *testing.T) {
	loopback := Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		AllowedHosts: []string{"example.com"}, Auth: AuthConfig{ProxySecret: testProxySecret}}
	noSecret := proxyConfig()
	noSecret.Auth.ProxySecret = ""
	alice := Identity{User: kube.User{Name: "alice", Groups: []string{"team-a"}}, Source: AuthProxy}
	const (
		missing = "identity headers refused: the request carries no X-Kubedeck-Proxy-Secret header"
		wrong   = "identity headers refused: the X-Kubedeck-Proxy-Secret header does not match --proxy-secret-file"
		unset   = "identity headers refused: no --proxy-secret-file is set"
	)
	tests := []struct {
		name   string
		cfg    Config
		peer   string
		secret string // the header's value; "" sends none
		status int
		log    string // a line the log must hold
	}{
		{"trusted proxy with the secret", proxyConfig(), proxyPeer, testProxySecret, 200, ""},
		{"trusted proxy without the secret", proxyConfig(), proxyPeer, "", 401, missing},
		{"trusted proxy with a wrong secret", proxyConfig(), proxyPeer, "test-proxy-secret-7Hq2vXc8", 401, wrong},
		{"trusted proxy with a prefix of the secret", proxyConfig(), proxyPeer, testProxySecret[:16], 401, wrong},
		{"trusted proxy with the secret and a line end", proxyConfig(), proxyPeer, testProxySecret + "\n", 401, wrong},
		{"trusted proxy with the secret and a blank", proxyConfig(), proxyPeer, testProxySecret + " ", 401, wrong},
		{"stranger with the secret", proxyConfig(), strangerPeer, testProxySecret, 401, "identity headers from an untrusted peer ignored"},
		{"port-forward from loopback without the secret", loopback, "127.0.0.1:53000", "", 401, missing},
		{"loopback with the secret", loopback, "127.0.0.1:53000", testProxySecret, 200, ""},
		{"server without a secret believes no headers", noSecret, proxyPeer, testProxySecret, 401, unset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := newAuthServer(t, tt.cfg, &logs)
			rec := do(s, "GET", "/api/v1/whoami", tt.peer, map[string]string{
				headerUser: "alice", headerGroups: "team-a", headerProxySecret: tt.secret})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 200 {
				if diff := cmp.Diff(alice, whoami(t, rec)); diff != "" {
					t.Errorf("identity (-want +got):\n%s", diff)
				}
			} else if env := decodeEnvelope(t, rec.Body); env.Error == nil || env.Error.Code != shared.CodeUnauthorized {
				t.Errorf("envelope %+v, want UNAUTHORIZED", env)
			}
			if strings.Contains(logs.String(), "7Hq2vXc") || strings.Contains(logs.String(), testProxySecret) {
				t.Errorf("the log holds a proxy secret:\n%s", logs.String())
			}
			if tt.log != "" && !strings.Contains(logs.String(), tt.log) {
				t.Errorf("the log does not say %q:\n%s", tt.log, logs.String())
			}
		})
	}
}

// TestProxySecretNeverReachesHandlers checks the secret header is taken off
// the request before any handler could forward or log it.
func TestProxySecretNeverReachesHandlers(t *testing.T) {
	s := newAuthServer(t, proxyConfig(), nil)
	var seen []string
	s.handle("GET /api/v1/headers", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
		for k, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, testProxySecret) {
					seen = append(seen, k)
				}
			}
		}
		s.writeData(w, http.StatusOK, nil, "")
		return nil
	}))
	if rec := do(s, "GET", "/api/v1/headers", proxyPeer, map[string]string{headerUser: "alice"}); rec.Code != 200 {
		t.Fatalf("status %d; body %s", rec.Code, rec.Body)
	}
	if len(seen) > 0 {
		t.Errorf("the handler saw the proxy secret in %v", seen)
	}
}

// TestRepeatedIdentityHeadersRefused sends each identity header twice, from
// the trusted proxy with its secret: the request is refused, not resolved
// by whichever copy comes first.
func TestRepeatedIdentityHeadersRefused(t *testing.T) {
	tests := []struct {
		header string
		values []string
	}{
		{headerUser, []string{"alice", "admin"}},
		{headerEmail, []string{"alice@example.com", "admin@example.com"}},
		{headerPreferredUsername, []string{"alice", "admin"}},
		{headerGroups, []string{"team-a", "admins"}},
		{headerProxySecret, []string{testProxySecret, testProxySecret}},
		{"Authorization", []string{"Bearer a.b.c", "Bearer d.e.f"}},
	}
	s := newAuthServer(t, proxyConfig(), nil)
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v1/whoami", nil)
			req.RemoteAddr = proxyPeer
			req.Header.Set(headerUser, "alice")
			req.Header.Set(headerProxySecret, testProxySecret)
			req.Header[http.CanonicalHeaderKey(tt.header)] = tt.values
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401; body %s", rec.Code, rec.Body)
			}
			if env := decodeEnvelope(t, rec.Body); env.Error == nil || env.Error.Code != shared.CodeUnauthorized {
				t.Errorf("envelope %+v, want UNAUTHORIZED", env)
			}
		})
	}
}

// TestProxyModeNeedsProof checks the settings a proxy-mode server refuses
// to start with: no way to tell the proxy's requests from others', a
// trivial secret, trusted ranges wider than a /8 or a /32.
func TestProxyModeNeedsProof(t *testing.T) {
	prefixes := func(ss ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, s := range ss {
			out = append(out, netip.MustParsePrefix(s))
		}
		return out
	}
	oidc := AuthConfig{OIDCIssuer: "https://idp.example", OIDCClientID: "kubedeck"}
	tests := []struct {
		name string
		cfg  Config
		err  string // "" for none; else in the message
	}{
		{"secret", Config{Auth: AuthConfig{ProxySecret: testProxySecret}}, ""},
		{"OIDC only", Config{Auth: oidc}, ""},
		{"neither", Config{}, "--proxy-secret-file"},
		{"short secret", Config{Auth: AuthConfig{ProxySecret: "0123456789abcde"}}, "at least 16 bytes"},
		{"blank secret", Config{Auth: AuthConfig{ProxySecret: "                    "}}, "has a blank (byte 1)"},
		{"secret with a line end", Config{Auth: AuthConfig{ProxySecret: testProxySecret + "\n"}}, "has a line end at its end"},
		{"a /8", Config{Auth: oidc, TrustedProxies: prefixes("10.0.0.0/8", "fd00::/32")}, ""},
		{"wider than a /8", Config{Auth: oidc, TrustedProxies: prefixes("10.0.0.0/7")}, "wider than"},
		{"wider than a /32 in IPv6", Config{Auth: oidc, TrustedProxies: prefixes("fd00::/31")}, "wider than"},
		{"all of IPv4 mapped into IPv6", Config{Auth: oidc, TrustedProxies: prefixes("::ffff:0.0.0.0/96")}, "from anyone"},
		{"a /4 of IPv4 mapped into IPv6", Config{Auth: oidc, TrustedProxies: prefixes("::ffff:0.0.0.0/100")}, "wider than"},
		{"dev mode needs none", Config{Auth: AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "dev"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate("127.0.0.1:8080")
			if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), "0123456789abcde") {
				t.Errorf("the message quotes the secret: %v", err)
			}
		})
	}
}

// FuzzCheckProxySecret: a secret CheckProxySecret accepts is one an HTTP
// header carries unchanged (what oauth2-proxy sends is what Kubedeck
// compares), and nothing it is given makes it panic.
func FuzzCheckProxySecret(f *testing.F) {
	for _, s := range []string{testProxySecret, testProxySecret + "\n", " " + testProxySecret, "short", "", "é-0123456789abcdef"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if CheckProxySecret(b) != nil {
			return
		}
		if len(b) < minProxySecret {
			t.Fatalf("accepted %d bytes", len(b))
		}
		if v := strings.TrimSpace(string(b)); v != string(b) || !httpguts.ValidHeaderFieldValue(v) {
			t.Fatalf("accepted %q, which a header does not carry as it is", b)
		}
	})
}
