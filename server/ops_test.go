package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("connection refused") }
	tests := []struct {
		name   string
		checks []Check
		status int
		want   Readiness
	}{
		{"all ready", []Check{{Name: "kubernetes", Check: ok}, {Name: "redis", Degraded: true, Check: ok}}, 200,
			Readiness{Status: "ready", Checks: []checkResult{{"kubernetes", "ready"}, {"redis", "ready"}}}},
		{"optional down", []Check{{Name: "kubernetes", Check: ok}, {Name: "redis", Degraded: true, Check: down}}, 200,
			Readiness{Status: "degraded", Checks: []checkResult{{"kubernetes", "ready"}, {"redis", "degraded"}}}},
		{"required down", []Check{{Name: "kubernetes", Check: down}, {Name: "redis", Degraded: true, Check: down}}, 503,
			Readiness{Status: "not ready", Checks: []checkResult{{"kubernetes", "failing"}, {"redis", "degraded"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{}, Deps{Checks: tt.checks})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			var got Readiness
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(checkResult{})); diff != "" {
				t.Errorf("readiness (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	s, err := New(Config{}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://localhost/api/v1/version", nil))
	}
	s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`kubedeck_http_requests_total{code="200",method="GET",route="GET /api/v1/version"} 3`,
		`kubedeck_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		`kubedeck_http_request_duration_seconds_bucket{route="GET /api/v1/version",le="0.005"}`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestGracefulShutdown cancels the server's context while a request is in
// flight: the request completes, new connections are refused, and the
// shutdown hooks (which close WebSockets) run.
func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	s, _ := newTestServer(t, Config{ShutdownTimeout: 5 * time.Second}, func(s *Server) {
		s.handle("GET /api/v1/slow", s.rawAPI(func(w http.ResponseWriter, r *http.Request, _ Identity) error {
			close(started)
			<-release
			s.writeData(w, 200, "done", "")
			return nil
		}))
	})
	hookRan := make(chan struct{})
	s.OnShutdown(func() { close(hookRan) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	url := "http://" + ln.Addr().String()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "/api/v1/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	select {
	case <-hookRan:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown hooks did not run")
	}
	// Draining: new connections are refused while the slow request runs.
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("a new connection was accepted during shutdown")
	}
	close(release)
	if body := <-got; !strings.Contains(body, `"data":"done"`) {
		t.Errorf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v", err)
	}
}
