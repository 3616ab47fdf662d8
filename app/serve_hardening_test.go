//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHardeningFlags(t *testing.T) {
	c, err := parseConfig([]string{"--listen", "10.0.0.5:8080", "--allowed-hosts", "kubedeck.example.com, ops.example.com:8443",
		"--group-allowlist", "team-a,team-b", "--oidc-any-peer", "--oidc-username-prefix", "oidc:",
		"--ops-listen", ":9090", "--proxy-secret-file", "/run/secrets/proxy"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{"hosts": c.hosts(), "groups": splitList(c.groupAllowlist), "anyPeer": c.auth().OIDCAnyPeer,
		"prefix": c.auth().UsernamePrefix, "ops": c.opsListen, "secretFile": c.proxySecretFile}
	want := map[string]any{"hosts": []string{"kubedeck.example.com", "ops.example.com:8443", "10.0.0.5"},
		"groups": []string{"team-a", "team-b"}, "anyPeer": true, "prefix": "oidc:", "ops": ":9090", "secretFile": "/run/secrets/proxy"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("settings (-want +got):\n%s", diff)
	}
	if c, _ := parseConfig([]string{"--listen", ":8080"}, func(string) string { return "" }, io.Discard); len(c.hosts()) != 0 {
		t.Errorf("listening on every interface allowed hosts %v, want none", c.hosts())
	}
	if _, err := parseConfig([]string{"--listen", ":8080", "--ops-listen", ":8080"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("--ops-listen equal to --listen was accepted")
	}
}

// noCluster makes run find no cluster, so it serves without one.
func noCluster(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
}

// TestRunRefusesProxyModeWithoutProof starts the binary's run in proxy
// mode with no way to tell oauth2-proxy's requests from others': it refuses
// to start and says what to configure, and so it does with a trivial
// secret file.
func TestRunRefusesProxyModeWithoutProof(t *testing.T) {
	noCluster(t)
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("abc123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Secrets oauth2-proxy would send with other bytes than Kubedeck reads
	// (its secretSource sends the file as it is): a line end breaks every
	// request with a 502, and blanks are trimmed by HTTP.
	odd := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const good = "abc123-0123456789-abcdef"
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"no secret, no OIDC", nil, "--proxy-secret-file"},
		{"short secret", []string{"--proxy-secret-file", short}, "has a line end at its end"},
		{"secret ending in a newline", []string{"--proxy-secret-file", odd("newline", good+"\n")}, "has a line end at its end (byte 25)"},
		{"secret ending in CRLF", []string{"--proxy-secret-file", odd("crlf", good+"\r\n")}, "has a line end at its end"},
		{"secret with a line inside", []string{"--proxy-secret-file", odd("inside", good+"\n"+good)}, "has a line end inside it"},
		{"secret with a trailing blank", []string{"--proxy-secret-file", odd("blank", good+" ")}, "has a blank (byte 25)"},
		{"secret with a tab", []string{"--proxy-secret-file", odd("tab", "\t"+good)}, "has a blank (byte 1)"},
		{"secret with a control byte", []string{"--proxy-secret-file", odd("nul", good+"\x00")}, "not visible ASCII"},
		{"secret with UTF-8", []string{"--proxy-secret-file", odd("utf8", good+"é")}, "not visible ASCII"},
		{"empty secret file", []string{"--proxy-secret-file", empty}, "at least 16"},
		{"missing secret file", []string{"--proxy-secret-file", filepath.Join(dir, "nope")}, "--proxy-secret-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(append([]string{"--listen", "127.0.0.1:0", "--local-cluster", "never"}, tt.args...),
				func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err = run(ctx, cfg, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("run = %v, want an error containing %q", err, tt.err)
			}
			if strings.Contains(err.Error(), "abc123") {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

// TestRunOpsListener runs the binary's run with --ops-listen: /metrics
// answers there and no longer on --listen; the probes answer on both.
func TestRunOpsListener(t *testing.T) {
	noCluster(t)
	secret := filepath.Join(t.TempDir(), "proxy-secret")
	if err := os.WriteFile(secret, []byte("0123456789abcdef0123456789abcdef"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseConfig([]string{"--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--local-cluster", "never",
		"--proxy-secret-file", secret}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.NewJSONHandler(logs, nil))) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		if strings.Contains(logs.String(), "0123456789abcdef") {
			t.Errorf("the log holds the proxy secret:\n%s", logs)
		}
	}()
	base := waitForURL(t, logs, done)
	var ops string
	for line := range strings.SplitSeq(logs.String(), "\n") {
		var rec struct {
			Msg string `json:"msg"`
			Ops string `json:"ops_url"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "kubedeck listening" {
			ops = rec.Ops
		}
	}
	if ops == "" {
		t.Fatalf("the listening line names no ops_url:\n%s", logs)
	}
	tests := []struct {
		url    string
		status int
		body   string
	}{
		{base + "healthz", 200, "ok"},
		{base + "metrics", 404, ""},
		{ops + "metrics", 200, `kubedeck_http_requests_total{code="200",method="GET",route="GET /healthz"}`},
		{ops + "healthz", 200, "ok"},
		{ops + "readyz", 200, `"status":"ready"`},
	}
	for _, tt := range tests {
		resp, err := http.Get(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.body) {
			t.Errorf("GET %s: %d %.200q, want %d containing %q", tt.url, resp.StatusCode, b, tt.status, tt.body)
		}
	}
}
