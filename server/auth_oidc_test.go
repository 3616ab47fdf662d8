package server

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kubedeck/kubedeck/kube"
)

// issuer is a real OIDC issuer for tests: discovery and JWKS over HTTP, and
// RS256 ID tokens signed with its key.
type issuer struct {
	url   string
	key   *rsa.PrivateKey
	other *rsa.PrivateKey // a key the issuer does not publish
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	srv := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	srv.SetIssuer(hs.URL)
	return &issuer{url: hs.URL, key: key, other: other}
}

// token signs claims (with iss, aud and exp filled in unless given).
func (is *issuer) token(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	full := map[string]any{"iss": is.url, "aud": "kubedeck", "exp": time.Now().Add(time.Hour).Unix(),
		"iat": time.Now().Unix()}
	for k, v := range claims {
		full[k] = v
	}
	raw, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	return oidctest.SignIDToken(key, "k1", oidc.RS256, string(raw))
}

func oidcConfig(is *issuer) Config {
	cfg := proxyConfig()
	cfg.Auth.OIDCIssuer, cfg.Auth.OIDCClientID = is.url, "kubedeck"
	return cfg
}

func TestOIDCIdentity(t *testing.T) {
	is := newIssuer(t)
	claims := map[string]any{"sub": "u-123", "email": "alice@example.com", "email_verified": true,
		"preferred_username": "alice", "groups": []string{"team-a", "data"}}
	anyPeer := func(c *Config) { c.Auth.OIDCAnyPeer = true }
	tests := []struct {
		name   string
		cfg    func(*Config) // changes to oidcConfig, or nil
		token  string
		peer   string
		status int
		want   Identity
	}{
		{"valid token from the trusted proxy", nil, is.token(t, is.key, claims), proxyPeer, 200, Identity{
			User:  kube.User{Name: "alice", Groups: []string{"team-a", "data"}},
			Email: "alice@example.com", PreferredUsername: "alice", Source: "oidc"}},
		{"valid token from a stranger", nil, is.token(t, is.key, claims), strangerPeer, 401, Identity{}},
		{"valid token from a stranger, any peer allowed", anyPeer, is.token(t, is.key, claims), strangerPeer, 200, Identity{
			User:  kube.User{Name: "alice", Groups: []string{"team-a", "data"}},
			Email: "alice@example.com", PreferredUsername: "alice", Source: "oidc"}},
		{"verified email when no preferred_username", nil,
			is.token(t, is.key, map[string]any{"sub": "u-9", "email": "bob@example.com", "email_verified": true}),
			proxyPeer, 200, Identity{User: kube.User{Name: "bob@example.com"}, Email: "bob@example.com", Source: "oidc"}},
		{"email_verified as a string", nil,
			is.token(t, is.key, map[string]any{"sub": "u-9", "email": "bob@example.com", "email_verified": "true"}),
			proxyPeer, 200, Identity{User: kube.User{Name: "bob@example.com"}, Email: "bob@example.com", Source: "oidc"}},
		{"unverified email is not a name", nil,
			is.token(t, is.key, map[string]any{"sub": "u-9", "email": "admin@example.com", "email_verified": false}),
			proxyPeer, 200, Identity{User: kube.User{Name: "u-9"}, Source: "oidc"}},
		{"email without email_verified is not a name", nil,
			is.token(t, is.key, map[string]any{"sub": "u-9", "email": "admin@example.com"}),
			proxyPeer, 200, Identity{User: kube.User{Name: "u-9"}, Source: "oidc"}},
		{"email claim named, unverified", func(c *Config) { c.Auth.UsernameClaim = "email" },
			is.token(t, is.key, map[string]any{"sub": "u-9", "email": "admin@example.com", "preferred_username": "x"}),
			proxyPeer, 401, Identity{}},
		{"email claim named, verified", func(c *Config) { c.Auth.UsernameClaim = "email" },
			is.token(t, is.key, claims), proxyPeer, 200, Identity{
				User:  kube.User{Name: "alice@example.com", Groups: []string{"team-a", "data"}},
				Email: "alice@example.com", PreferredUsername: "alice", Source: "oidc"}},
		{"sub claim named, with a prefix", func(c *Config) { c.Auth.UsernameClaim, c.Auth.UsernamePrefix = "sub", "oidc:" },
			is.token(t, is.key, claims), proxyPeer, 200, Identity{
				User:  kube.User{Name: "oidc:u-123", Groups: []string{"team-a", "data"}},
				Email: "alice@example.com", PreferredUsername: "alice", Source: "oidc"}},
		{"default claims with a prefix", func(c *Config) { c.Auth.UsernamePrefix = "oidc:" },
			is.token(t, is.key, claims), proxyPeer, 200, Identity{
				User:  kube.User{Name: "oidc:alice", Groups: []string{"team-a", "data"}},
				Email: "alice@example.com", PreferredUsername: "alice", Source: "oidc"}},
		{"expired", nil, is.token(t, is.key, map[string]any{"sub": "u-1", "exp": time.Now().Add(-time.Minute).Unix()}),
			proxyPeer, 401, Identity{}},
		{"wrong audience", nil, is.token(t, is.key, map[string]any{"sub": "u-1", "aud": "another-app"}), proxyPeer, 401, Identity{}},
		{"wrong issuer", nil, is.token(t, is.key, map[string]any{"sub": "u-1", "iss": "https://evil.example"}), proxyPeer, 401, Identity{}},
		{"wrong signature", nil, is.token(t, is.other, claims), proxyPeer, 401, Identity{}},
		{"not a JWT", nil, "not.a.jwt", proxyPeer, 401, Identity{}},
		// A bad token is a 401 even from a trusted proxy with headers: the
		// token decides when there is one.
		{"bad token beside trusted headers", nil, is.token(t, is.other, claims), proxyPeer, 401, Identity{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := oidcConfig(is)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			s := newAuthServer(t, cfg, nil)
			rec := do(s, "GET", "/api/v1/whoami", tt.peer, map[string]string{
				"Authorization": "Bearer " + tt.token, headerUser: "mallory"})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 200 {
				if diff := cmp.Diff(tt.want, whoami(t, rec), cmpopts.IgnoreFields(Identity{}, "Expires")); diff != "" {
					t.Errorf("identity (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestOIDCIssuerDownAtStart(t *testing.T) {
	// The issuer is discovered on first use, so a server whose issuer is
	// down still starts, refuses tokens (401) and keeps trusting its proxy.
	cfg := proxyConfig()
	cfg.Auth.OIDCIssuer, cfg.Auth.OIDCClientID = "http://127.0.0.1:1", "kubedeck"
	s := newAuthServer(t, cfg, nil)
	if rec := do(s, "GET", "/api/v1/whoami", strangerPeer, map[string]string{"Authorization": "Bearer x.y.z"}); rec.Code != 401 {
		t.Errorf("token while the issuer is down: %d, want 401", rec.Code)
	}
	if rec := do(s, "GET", "/api/v1/whoami", proxyPeer, map[string]string{headerUser: "alice"}); rec.Code != 200 {
		t.Errorf("trusted headers while the issuer is down: %d, want 200", rec.Code)
	}
}

// TestSecretsNeverLogged sends tokens, cookies and Impersonate headers with
// identity requests of every kind, valid and not, and greps the server's log
// (at debug level) for them.
func TestSecretsNeverLogged(t *testing.T) {
	is := newIssuer(t)
	var logs bytes.Buffer
	cfg := oidcConfig(is)
	cfg.WriteBurst, cfg.WritesPerMinute = 1, 1
	s := newAuthServer(t, cfg, &logs)
	s.handle("POST /api/v1/change", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
		id, err := s.identify(r)
		if err != nil {
			return err
		}
		s.audit(r, id, "delete", auditObject{"Deployment", "a", "web"}, nil)
		s.writeData(w, http.StatusOK, nil, "")
		return nil
	}))
	valid := is.token(t, is.key, map[string]any{"sub": "u-1", "preferred_username": "alice"})
	expired := is.token(t, is.key, map[string]any{"sub": "u-1", "exp": time.Now().Add(-time.Hour).Unix()})
	forged := is.token(t, is.other, map[string]any{"sub": "u-1"})
	secrets := []string{valid, expired, forged, "sessioncookie-s3cr3t", "garbage-token-s3cr3t", testProxySecret,
		"wrong-secret-s3cr3t-000"}
	requests := []struct {
		method, path, peer string
		headers            map[string]string
	}{
		{"GET", "/api/v1/whoami", strangerPeer, map[string]string{"Authorization": "Bearer " + valid}},
		{"GET", "/api/v1/whoami", strangerPeer, map[string]string{"Authorization": "Bearer " + expired}},
		{"GET", "/api/v1/whoami", strangerPeer, map[string]string{"Authorization": "Bearer " + forged}},
		{"GET", "/api/v1/whoami", strangerPeer, map[string]string{"Authorization": "Bearer garbage-token-s3cr3t"}},
		{"GET", "/apps/objects", strangerPeer, map[string]string{"Authorization": "Bearer " + expired,
			"Cookie": "_oauth2_proxy=sessioncookie-s3cr3t"}},
		{"GET", "/api/v1/whoami", proxyPeer, map[string]string{headerUser: "alice", "Impersonate-User": "admin",
			"Impersonate-Group": "system:masters", "Cookie": "_oauth2_proxy=sessioncookie-s3cr3t"}},
		{"GET", "/api/v1/whoami", strangerPeer, map[string]string{headerUser: "alice", "Impersonate-User": "admin"}},
		{"POST", "/api/v1/change", proxyPeer, map[string]string{"Authorization": "Bearer " + valid, "Impersonate-User": "admin"}},
		{"POST", "/api/v1/change", proxyPeer, map[string]string{"Authorization": "Bearer " + valid}}, // 429
		{"GET", "/api/v1/whoami", proxyPeer, map[string]string{headerUser: "alice", headerProxySecret: "wrong-secret-s3cr3t-000"}},
		{"GET", "/api/v1/nope?token=garbage-token-s3cr3t", strangerPeer, nil},
	}
	for _, rq := range requests {
		rec := do(s, rq.method, rq.path, rq.peer, rq.headers)
		if rq.headers["Impersonate-User"] != "" && rec.Code == 200 && rq.method == "GET" {
			if id := whoami(t, rec); id.User.Name != "alice" {
				t.Errorf("Impersonate-User from the client changed the identity to %q", id.User.Name)
			}
		}
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"audit"`) || !strings.Contains(out, "write rate limit reached") {
		t.Fatalf("the log lacks the lines this test means to check:\n%s", out)
	}
	for _, sec := range secrets {
		if strings.Contains(out, sec) {
			t.Errorf("the log holds a secret %.20q…", sec)
		}
	}
	if strings.Contains(strings.ToLower(out), "impersonate-") {
		t.Errorf("the log mentions an Impersonate- header:\n%s", out)
	}
}
