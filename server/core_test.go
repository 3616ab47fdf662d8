package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// newTestServer builds a Server with extra routes registered before the
// middleware wraps them, and a logger writing into the returned buffer.
func newTestServer(t testing.TB, cfg Config, extra func(s *Server)) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	if cfg.Auth.Mode == "" {
		cfg.Auth = AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "tester"}}
	}
	// httptest.NewRequest's requests name example.com.
	cfg.AllowedHosts = append(cfg.AllowedHosts, "example.com")
	deps := Deps{Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	s, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		extra(s)
	}
	return s, &logs
}

// decodeEnvelope reads a reply body as the API envelope, failing the test
// when it is not one.
func decodeEnvelope(t *testing.T, body io.Reader) shared.Envelope {
	t.Helper()
	var env shared.Envelope
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		t.Fatalf("reply is not an envelope: %v", err)
	}
	if env.Timestamp.IsZero() {
		t.Error("envelope has no timestamp")
	}
	return env
}

func TestErrorTableCoversEveryCode(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   shared.Code
		status int
		fault  bool
	}{
		{"validation", invalid("bad", nil), shared.CodeValidation, 400, false},
		{"kube invalid", fmt.Errorf("create: %w", kube.ErrInvalid), shared.CodeValidation, 400, false},
		{"unauthorized", kube.ErrUnauthorized, shared.CodeUnauthorized, 401, false},
		{"forbidden", fmt.Errorf("list pods: %w", kube.ErrForbidden), shared.CodeForbidden, 403, false},
		{"not found", kube.ErrNotFound, shared.CodeNotFound, 404, false},
		{"api not found", notFound("no such kind", nil), shared.CodeNotFound, 404, false},
		{"method", &apiError{code: shared.CodeMethod, message: "no"}, shared.CodeMethod, 405, false},
		{"conflict", kube.ErrConflict, shared.CodeConflict, 409, false},
		{"too large", &http.MaxBytesError{Limit: 10}, shared.CodeTooLarge, 413, false},
		{"rate limited", &apiError{code: shared.CodeRateLimited, message: "slow down"}, shared.CodeRateLimited, 429, false},
		{"unknown", errors.New("disk on fire"), shared.CodeInternal, 500, true},
		{"k8s unavailable", fmt.Errorf("list: %w", kube.ErrUnavailable), shared.CodeK8sAPI, 502, true},
		{"unavailable", &apiError{code: shared.CodeUnavailable, message: "later"}, shared.CodeUnavailable, 503, false},
	}
	seen := map[shared.Code]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae, fault := toAPIError(tt.err)
			if ae.code != tt.code || ae.code.HTTPStatus() != tt.status || fault != tt.fault {
				t.Errorf("toAPIError(%v) = %s %d fault=%v, want %s %d fault=%v",
					tt.err, ae.code, ae.code.HTTPStatus(), fault, tt.code, tt.status, tt.fault)
			}
			if ae.message == "" {
				t.Error("no message for people")
			}
		})
		seen[tt.code] = true
	}
	for _, c := range shared.Codes {
		if !seen[c] {
			t.Errorf("code %s is not covered by this table", c)
		}
	}
}

func TestInternalErrorCauseIsLoggedNotSent(t *testing.T) {
	s, logs := newTestServer(t, Config{}, func(s *Server) {
		s.handle("GET /api/v1/boom", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
			return errors.New("password=hunter2 leaked into an error")
		}))
	})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/boom", nil))
	if rec.Code != 500 {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "hunter2") {
		t.Error("the internal cause was sent to the client")
	}
	if !strings.Contains(logs.String(), "hunter2") {
		t.Error("the internal cause was not logged")
	}
	env := decodeEnvelope(t, rec.Body)
	if env.Success || env.Error == nil || env.Error.Code != shared.CodeInternal {
		t.Errorf("envelope = %+v", env)
	}
}

func TestSuccessEnvelope(t *testing.T) {
	s, _ := newTestServer(t, Config{Version: "v1.2.3"}, nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/version", nil))
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	env := decodeEnvelope(t, rec.Body)
	if !env.Success || env.Error != nil {
		t.Fatalf("envelope = %+v", env)
	}
	var data map[string]string
	if err := json.Unmarshal(env.Data, &data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"version": "v1.2.3"}, data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
}

func TestAPIMissesAnswerEnvelopes(t *testing.T) {
	s, _ := newTestServer(t, Config{}, nil)
	tests := []struct {
		name, method, path string
		status             int
		code               shared.Code
		allow              string
	}{
		{"unknown route", "GET", "/api/v1/nope", 404, shared.CodeNotFound, ""},
		{"unknown version", "DELETE", "/api/v9/x", 404, shared.CodeNotFound, ""},
		{"wrong method", "DELETE", "/api/v1/version", 405, shared.CodeMethod, "GET, HEAD"},
		{"post to get route", "POST", "/api/v1/version", 405, shared.CodeMethod, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			env := decodeEnvelope(t, rec.Body)
			if env.Error == nil || env.Error.Code != tt.code {
				t.Errorf("envelope error = %+v, want code %s", env.Error, tt.code)
			}
		})
	}
}

func TestMalformedJSONNamesTheProblem(t *testing.T) {
	type body struct {
		Name     string `json:"name"`
		Replicas int    `json:"replicas"`
	}
	s, _ := newTestServer(t, Config{BodyLimit: 64}, func(s *Server) {
		s.handle("POST /api/v1/echo", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
			var b body
			if err := decodeJSON(r, &b); err != nil {
				return err
			}
			s.writeData(w, 200, b, "")
			return nil
		}))
	})
	tests := []struct {
		name, body string
		status     int
		want       string // in the message
	}{
		{"ok", `{"name":"a","replicas":2}`, 200, ""},
		{"empty", ``, 400, "empty"},
		{"syntax", `{"name":}`, 400, "not valid JSON"},
		{"truncated", `{"name":"a"`, 400, "ends too early"},
		{"wrong type", `{"replicas":"three"}`, 400, `"replicas"`},
		{"unknown field", `{"nmae":"a"}`, 400, `unknown field "nmae"`},
		{"two values", `{"name":"a"} {"name":"b"}`, 400, "more than one"},
		{"too large", `{"name":"` + strings.Repeat("x", 100) + `"}`, 413, "larger than 64 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/echo", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			env := decodeEnvelope(t, rec.Body)
			if tt.status == 200 {
				return
			}
			if env.Error == nil || !strings.Contains(env.Error.Message, tt.want) {
				t.Errorf("error = %+v, want a message containing %q", env.Error, tt.want)
			}
		})
	}
}

func TestBodyLimitWithoutContentLength(t *testing.T) {
	s, _ := newTestServer(t, Config{BodyLimit: 16}, func(s *Server) {
		s.handle("POST /api/v1/sink", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
			var v map[string]string
			return decodeJSON(r, &v)
		}))
	})
	req := httptest.NewRequest("POST", "/api/v1/sink", io.MultiReader(strings.NewReader(`{"a":"`+strings.Repeat("b", 64)+`"}`)))
	req.ContentLength = -1 // chunked: only the reader can tell
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", rec.Code)
	}
	if env := decodeEnvelope(t, rec.Body); env.Error.Code != shared.CodeTooLarge {
		t.Errorf("code %s", env.Error.Code)
	}
}

func TestPanicRecovery(t *testing.T) {
	s, logs := newTestServer(t, Config{}, func(s *Server) {
		s.handle("GET /api/v1/panic", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
			panic("handler bug: nil pointer in the middle of a reply")
		}))
	})
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/panic", nil))
	if rec.Code != 500 {
		t.Fatalf("status %d, want 500", rec.Code)
	}
	env := decodeEnvelope(t, rec.Body)
	if env.Error.Code != shared.CodeInternal {
		t.Errorf("code %s", env.Error.Code)
	}
	if !strings.Contains(logs.String(), "handler bug: nil pointer in the middle of a reply") || !strings.Contains(logs.String(), "core_test.go") {
		t.Errorf("the panic and its stack were not logged:\n%s", logs)
	}
	// The server keeps answering.
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 {
		t.Errorf("healthz after a panic: %d", rec.Code)
	}
}

func TestSecurityHeadersOnEveryReply(t *testing.T) {
	s, _ := newTestServer(t, Config{}, nil)
	for _, path := range []string{"/healthz", "/api/v1/version", "/api/v1/nope", "/", "/web/missing"} {
		t.Run(path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			want := map[string]string{
				"Content-Security-Policy": "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "same-origin",
			}
			got := map[string]string{}
			for k := range want {
				got[k] = rec.Header().Get(k)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if rec.Header().Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}
}

func TestCrossOriginProtection(t *testing.T) {
	s, _ := newTestServer(t, Config{TrustedOrigins: []string{"https://dash.example.com"}, AllowedHosts: []string{"kubedeck.test"}}, func(s *Server) {
		s.handle("POST /api/v1/change", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
			s.writeData(w, 200, "changed", "")
			return nil
		}))
	})
	tests := []struct {
		name    string
		headers map[string]string
		status  int
	}{
		{"cross-site fetch", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"cross-origin without fetch metadata", map[string]string{"Origin": "https://evil.example"}, 403},
		{"same-origin fetch", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://kubedeck.test"}, 200},
		{"trusted proxy origin", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://dash.example.com"}, 200},
		{"non-browser client", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "http://kubedeck.test/api/v1/change", strings.NewReader(`{}`))
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			env := decodeEnvelope(t, rec.Body)
			if tt.status == 403 && env.Error.Code != shared.CodeForbidden {
				t.Errorf("code %s", env.Error.Code)
			}
		})
	}
}

func TestClientErrorReportsAreLoggedAndLimited(t *testing.T) {
	s, logs := newTestServer(t, Config{ClientErrorsPerMinute: 2}, nil)
	post := func(body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/client-errors", strings.NewReader(body))
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	report := `{"component":"resourceTable","route":"/apps/objects","message":"index out of range [3]"}`
	for i := range 2 {
		if rec := post(report); rec.Code != http.StatusAccepted {
			t.Fatalf("report %d: status %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := post(report)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("third report: status %d Retry-After %q, want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if !strings.Contains(logs.String(), "index out of range [3]") {
		t.Error("the report was not logged")
	}
	if rec := post(`{"component":""}`); rec.Code != 429 && rec.Code != 400 {
		t.Errorf("invalid report: status %d", rec.Code)
	}
}

func TestClientErrorValidation(t *testing.T) {
	s, _ := newTestServer(t, Config{}, nil)
	req := httptest.NewRequest("POST", "/api/v1/client-errors", strings.NewReader(`{"component":"x","message":""}`))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 400 {
		t.Fatalf("status %d, want 400", rec.Code)
	}
	if env := decodeEnvelope(t, rec.Body); !strings.Contains(env.Error.Message, "message") {
		t.Errorf("message %q does not name the field", env.Error.Message)
	}
}
