package kube

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/client-go/rest"
)

// writeKubeconfig writes a kubeconfig for server at current context ctxName.
func writeKubeconfig(t *testing.T, path, server, ctxName string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	data := `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "` + server + `", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: secret-token}
contexts:
- name: ` + ctxName + `
  context: {cluster: c, user: u}
current-context: ` + ctxName + "\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	explicit := filepath.Join(dir, "explicit.yaml")
	writeKubeconfig(t, explicit, "https://explicit:6443", "ex")
	fromEnv := filepath.Join(dir, "env.yaml")
	writeKubeconfig(t, fromEnv, "https://env:6443", "envctx")
	home := filepath.Join(dir, "home")
	writeKubeconfig(t, filepath.Join(home, ".kube", "config"), "https://home:6443", "homectx")
	emptyHome := filepath.Join(dir, "nohome")
	missing := filepath.Join(dir, "missing.yaml")

	inCluster := func() (*rest.Config, error) { return &rest.Config{Host: "https://10.0.0.1:443"}, nil }
	notInCluster := func() (*rest.Config, error) { return nil, rest.ErrNotInCluster }
	tests := []struct {
		name       string
		explicit   string
		env        string
		home       string
		inCluster  func() (*rest.Config, error)
		wantHost   string
		wantSource string
		wantErr    error
	}{
		{name: "explicit wins", explicit: explicit, env: fromEnv, home: home, inCluster: inCluster,
			wantHost: "https://explicit:6443", wantSource: `kubeconfig ` + explicit + ` (context "ex")`},
		{name: "KUBECONFIG before home", env: fromEnv, home: home, inCluster: inCluster,
			wantHost: "https://env:6443", wantSource: `kubeconfig ` + fromEnv + ` (context "envctx")`},
		{name: "KUBECONFIG list skips missing files", env: missing + string(filepath.ListSeparator) + fromEnv, home: home, inCluster: inCluster,
			wantHost: "https://env:6443", wantSource: `kubeconfig ` + fromEnv + ` (context "envctx")`},
		{name: "home", home: home, inCluster: inCluster,
			wantHost: "https://home:6443", wantSource: `kubeconfig ` + filepath.Join(home, ".kube", "config") + ` (context "homectx")`},
		{name: "in-cluster", home: emptyHome, inCluster: inCluster,
			wantHost: "https://10.0.0.1:443", wantSource: "in-cluster service account"},
		{name: "KUBECONFIG naming only missing files falls through", env: missing, home: emptyHome, inCluster: inCluster,
			wantHost: "https://10.0.0.1:443", wantSource: "in-cluster service account"},
		{name: "nothing", home: emptyHome, inCluster: notInCluster, wantErr: ErrNoConfig},
		{name: "explicit missing is not ErrNoConfig", explicit: missing, home: home, inCluster: inCluster, wantErr: os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "KUBECONFIG" {
					return tt.env
				}
				return ""
			}
			cfg, source, err := loadConfig(tt.explicit, getenv, tt.home, tt.inCluster)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.wantErr != ErrNoConfig && errors.Is(err, ErrNoConfig) {
					t.Errorf("err = %v wraps ErrNoConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []any{cfg.Host, source, cfg.QPS, cfg.Burst, cfg.Timeout, cfg.UserAgent}
			want := []any{tt.wantHost, tt.wantSource, float32(DefaultQPS), DefaultBurst, DefaultTimeout, "kubedeck"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("host, source, QPS, burst, timeout, user agent (-want +got):\n%s", diff)
			}
			if strings.Contains(source, "secret-token") {
				t.Errorf("source %q shows the token", source)
			}
		})
	}
}
