package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube"
)

// TestReadyzTellsNoErrorText checks /readyz names each dependency's state
// and nothing of why: the addresses and messages of the failures go to the
// log, where operators read them.
func TestReadyzTellsNoErrorText(t *testing.T) {
	var logs bytes.Buffer
	s, err := New(Config{}, Deps{Log: slog.New(slog.NewJSONHandler(&logs, nil)), Checks: []Check{
		{Name: "kubernetes", Check: func(context.Context) error {
			return errors.New(`Get "https://10.96.0.1:443/readyz": dial tcp 10.96.0.1:443: connection refused`)
		}},
		{Name: "redis", Degraded: true, Check: func(context.Context) error {
			return errors.New("dial tcp 10.0.0.5:6379: i/o timeout")
		}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	body := rec.Body.String()
	for _, secret := range []string{"10.96.0.1", "10.0.0.5", "refused", "timeout", "dial"} {
		if strings.Contains(body, secret) {
			t.Errorf("/readyz tells %q: %s", secret, body)
		}
	}
	for _, want := range []string{`"name":"kubernetes","state":"failing"`, `"name":"redis","state":"degraded"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/readyz lacks %s: %s", want, body)
		}
	}
	for _, want := range []string{"10.96.0.1:443: connection refused", "10.0.0.5:6379: i/o timeout"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestMetricsOnTheOpsListener checks that with SeparateOps /metrics leaves
// the main handler for the operations handler, which also answers the
// health probes, whatever the Host.
func TestMetricsOnTheOpsListener(t *testing.T) {
	get := func(h http.Handler, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.Host = "10.244.1.7:9090" // what Prometheus and kubelet send
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const metric = "kubedeck_http_requests_total"
	t.Run("separate", func(t *testing.T) {
		s, err := New(Config{SeparateOps: true, AllowedHosts: []string{"10.244.1.7"},
			Auth: AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "dev"}}}, Deps{})
		if err != nil {
			t.Fatal(err)
		}
		if rec := get(s.Handler(), "/metrics"); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), metric) {
			t.Errorf("main /metrics: status %d, want 404 without metrics; body %.200s", rec.Code, rec.Body)
		}
		s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://localhost/api/v1/version", nil))
		rec := get(s.OpsHandler(), "/metrics")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), metric+`{code="200",method="GET",route="GET /api/v1/version"} 1`) {
			t.Errorf("ops /metrics: status %d, want 200 counting the main listener's requests; body %.2000s", rec.Code, rec.Body)
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			if rec := get(s.OpsHandler(), path); rec.Code != 200 {
				t.Errorf("ops %s: status %d, want 200", path, rec.Code)
			}
		}
		if rec := get(s.OpsHandler(), "/api/v1/version"); rec.Code != http.StatusNotFound {
			t.Errorf("ops /api/v1/version: status %d, want 404 (the ops listener serves no API)", rec.Code)
		}
	})
	t.Run("together", func(t *testing.T) {
		s, err := New(Config{AllowedHosts: []string{"10.244.1.7"}, Auth: AuthConfig{Mode: AuthDev, DevUser: kube.User{Name: "dev"}}}, Deps{})
		if err != nil {
			t.Fatal(err)
		}
		if rec := get(s.Handler(), "/metrics"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Errorf("main /metrics without SeparateOps: status %d, want 200", rec.Code)
		}
	})
}

// TestServerTimeouts plays clients that hold a connection without finishing
// their request, or without sending another: the server drops them.
func TestServerTimeouts(t *testing.T) {
	s, _ := newTestServer(t, Config{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 400 * time.Millisecond,
		IdleTimeout: 300 * time.Millisecond, ShutdownTimeout: time.Second}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-served
	})
	tests := []struct {
		name, send string
	}{
		{"headers never finished", "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"},
		{"body never finished", "POST /api/v1/client-errors HTTP/1.1\r\nHost: localhost\r\n" +
			"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"message\":"},
		{"idle after a request", "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.send); err != nil {
				t.Fatal(err)
			}
			// The server closes the connection (after any reply) well
			// before this deadline; without the timeouts it waits for ever.
			_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			_, err = io.Copy(io.Discard, bufio.NewReader(conn))
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept the connection open for 3 s")
			}
		})
	}
}
