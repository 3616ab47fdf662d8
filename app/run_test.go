//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// TestRunWithoutKubeconfigStartsLocalCluster is `make run` on a machine with
// no kubeconfig: Kubedeck starts the local cluster, seeds the demo, becomes
// ready, lists the demo namespaces, and stops the cluster on shutdown.
func TestRunWithoutKubeconfigStartsLocalCluster(t *testing.T) {
	bins := localcluster.DefaultBinDir()
	if err := localcluster.CheckBinaries(bins); err != nil {
		t.Skip("local cluster binaries not built: run `make cluster-bin` (make test does)")
	}
	// A home without ~/.kube/config; the binaries stay where they were built.
	t.Setenv("KUBEDECK_CLUSTER_BIN", bins)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	cfg, err := parseConfig([]string{"--auth-mode", "dev", "--local-cluster", "auto", "--listen", "127.0.0.1:0"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, log) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("run did not return after cancel")
		}
		if !strings.Contains(logs.String(), "local cluster stopped") {
			t.Errorf("the local cluster was not stopped:\n%s", logs)
		}
	}()

	base := waitForURL(t, logs, done)
	if !strings.Contains(logs.String(), "starting a local cluster") {
		t.Errorf("the log does not say a local cluster was started:\n%s", logs)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(body), `"status":"ready"`) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready within 60 s: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	resp, err := http.Get(base + "api/v1/namespaces")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env shared.Envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.Success {
		t.Fatalf("namespaces: %v %+v", err, env.Error)
	}
	var nss []shared.Namespace
	if err := json.Unmarshal(env.Data, &nss); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, ns := range nss {
		have[ns.Name] = true
	}
	for _, want := range localcluster.DemoNamespaces() {
		if !have[want] {
			t.Errorf("namespace %s missing from %v", want, nss)
		}
	}
}

// waitForURL reads the server's address from its "kubedeck listening" log line.
//
// A run that returns first fails the test; its error is put back in done
// (which has room for it), so the caller's cleanup that waits for run's
// end does not wait forever.
func waitForURL(t *testing.T, logs *syncBuffer, done chan error) string {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		for line := range strings.SplitSeq(logs.String(), "\n") {
			var rec struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "kubedeck listening" {
				return rec.URL
			}
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("run returned before listening: %v\n%s", err, logs)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("no 'kubedeck listening' line within 120 s:\n%s", logs)
	return ""
}
