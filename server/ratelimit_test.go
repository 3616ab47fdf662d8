package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// changeRoute registers POST /api/v1/change, which audits a change and
// succeeds, or fails with FORBIDDEN when ?deny=1.
func changeRoute(s *Server) {
	s.handle("POST /api/v1/change", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
		id, err := s.identify(r)
		if err != nil {
			return err
		}
		var result error
		if r.URL.Query().Get("deny") == "1" {
			result = fmt.Errorf("delete: %w", kube.ErrForbidden)
		}
		s.audit(r, id, "delete", auditObject{Kind: "Deployment", Namespace: "a", Name: "web"}, result)
		if result != nil {
			return result
		}
		s.writeData(w, http.StatusOK, nil, "")
		return nil
	}))
}

func TestWriteRateLimitPerUser(t *testing.T) {
	cfg := proxyConfig()
	cfg.WritesPerMinute, cfg.WriteBurst = 1, 2
	s := newAuthServer(t, cfg, nil)
	changeRoute(s)
	as := func(user string) map[string]string { return map[string]string{headerUser: user} }
	for i := range 2 {
		if rec := do(s, "POST", "/api/v1/change", proxyPeer, as("alice")); rec.Code != 200 {
			t.Fatalf("write %d: status %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := do(s, "POST", "/api/v1/change", proxyPeer, as("alice"))
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("third write: status %d, want 429", rec.Code)
	}
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After %q, want 1..60 seconds", rec.Header().Get("Retry-After"))
	}
	if env := decodeEnvelope(t, rec.Body); env.Error == nil || env.Error.Code != shared.CodeRateLimited {
		t.Errorf("envelope %+v, want RATE_LIMITED", env)
	}
	// Reads are not limited, and another user has a bucket of their own.
	if rec := do(s, "GET", "/api/v1/whoami", proxyPeer, as("alice")); rec.Code != 200 {
		t.Errorf("read after the limit: %d", rec.Code)
	}
	if rec := do(s, "POST", "/api/v1/change", proxyPeer, as("bob")); rec.Code != 200 {
		t.Errorf("another user's write: %d", rec.Code)
	}
	// Groups do not make a new bucket.
	if rec := do(s, "POST", "/api/v1/change", proxyPeer, map[string]string{headerUser: "alice", headerGroups: "x"}); rec.Code != 429 {
		t.Errorf("same user, other groups: %d, want 429", rec.Code)
	}
}

// TestReadRateLimitPerUser checks each user has a budget of reads: past it,
// 429 RATE_LIMITED with Retry-After, while others are still served and
// writes draw on their own budget.
func TestReadRateLimitPerUser(t *testing.T) {
	cfg := proxyConfig()
	cfg.ReadsPerMinute, cfg.ReadBurst = 1, 3
	s := newAuthServer(t, cfg, nil)
	changeRoute(s)
	as := func(user string) map[string]string { return map[string]string{headerUser: user} }
	var got []int
	for range 5 {
		got = append(got, do(s, "GET", "/api/v1/whoami", proxyPeer, as("alice")).Code)
	}
	if diff := cmp.Diff([]int{200, 200, 200, 429, 429}, got); diff != "" {
		t.Errorf("statuses of alice's reads (-want +got):\n%s", diff)
	}
	rec := do(s, "GET", "/api/v1/whoami", proxyPeer, as("alice"))
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After %q, want 1..60 seconds", rec.Header().Get("Retry-After"))
	}
	if env := decodeEnvelope(t, rec.Body); env.Error == nil || env.Error.Code != shared.CodeRateLimited {
		t.Errorf("envelope %+v, want RATE_LIMITED", env)
	}
	if rec := do(s, "GET", "/api/v1/whoami", proxyPeer, as("bob")); rec.Code != 200 {
		t.Errorf("another user's read: %d", rec.Code)
	}
	if rec := do(s, "POST", "/api/v1/change", proxyPeer, as("alice")); rec.Code != 200 {
		t.Errorf("a write after the read limit: %d", rec.Code)
	}
}

func TestCrossSitePostRejected(t *testing.T) {
	s := newAuthServer(t, proxyConfig(), nil)
	changeRoute(s)
	h := map[string]string{headerUser: "alice", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	rec := do(s, "POST", "/api/v1/change", proxyPeer, h)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST with a valid identity: %d, want 403", rec.Code)
	}
	h["Sec-Fetch-Site"], h["Origin"] = "same-origin", "http://example.com"
	if rec := do(s, "POST", "/api/v1/change", proxyPeer, h); rec.Code != 200 {
		t.Errorf("same-origin POST: %d", rec.Code)
	}
}

func TestWebSocketOriginPolicy(t *testing.T) {
	cfg := Config{Auth: AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "dev"}},
		TrustedOrigins: []string{"https://dash.example.com", "http://[::1]:9000"}}
	s := newAuthServer(t, cfg, nil)
	s.handle("GET /api/v1/ws-origin", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
		c, err := websocket.Accept(w, r, s.wsAcceptOptions())
		if err != nil {
			return nil // Accept has answered 403
		}
		return c.Close(websocket.StatusNormalClosure, "")
	}))
	if s.wsAcceptOptions().InsecureSkipVerify {
		t.Fatal("InsecureSkipVerify is set")
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	self := hs.URL // http://127.0.0.1:port
	tests := []struct {
		origin string
		ok     bool
	}{
		{self, true},
		{"https://dash.example.com", true},
		{"http://[::1]:9000", true},
		{"https://evil.example", false},
		{"http://dash.example.com", false}, // the scheme counts
		{"https://dash.example.com.evil.example", false},
		{"http://[::2]:9000", false},
		{"null", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			c, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(hs.URL, "http")+"/api/v1/ws-origin",
				&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {tt.origin}}})
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				c.Close(websocket.StatusNormalClosure, "")
				return
			}
			if err == nil {
				c.Close(websocket.StatusNormalClosure, "")
				t.Fatal("a foreign origin was accepted")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Errorf("reply %v, want 403", resp)
			}
		})
	}
}

func TestAuditLine(t *testing.T) {
	var logs bytes.Buffer
	s := newAuthServer(t, proxyConfig(), &logs)
	changeRoute(s)
	h := map[string]string{headerUser: "alice", headerGroups: "team-a,data", "X-Request-Id": "req-42"}
	do(s, "POST", "/api/v1/change", proxyPeer, h)
	do(s, "POST", "/api/v1/change?deny=1", proxyPeer, h)
	type object struct{ Kind, Namespace, Name string }
	type line struct {
		Msg       string   `json:"msg"`
		Time      string   `json:"time"`
		RequestID string   `json:"request_id"`
		User      string   `json:"user"`
		Groups    []string `json:"groups"`
		Source    string   `json:"source"`
		Verb      string   `json:"verb"`
		Object    object   `json:"object"`
		Result    string   `json:"result"`
	}
	var got []line
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		if v.Msg == "audit" {
			if v.Time == "" {
				t.Error("audit line without time")
			}
			v.Time = ""
			got = append(got, v)
		}
	}
	base := line{Msg: "audit", RequestID: "req-42", User: "alice", Groups: []string{"team-a", "data"},
		Source: proxyPeer, Verb: "delete", Object: object{"Deployment", "a", "web"}}
	ok, denied := base, base
	ok.Result, denied.Result = "ok", "FORBIDDEN"
	if diff := cmp.Diff([]line{ok, denied}, got); diff != "" {
		t.Errorf("audit lines (-want +got):\n%s", diff)
	}
}
