//go:build !wasm

package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestWasmImportBoundary keeps server-side code out of the browser build: the
// WASM must not link Kubernetes, Helm, Redis, or Kubedeck's server and kube
// packages (they would bloat it and could leak server logic).
func TestWasmImportBoundary(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := regexp.MustCompile(`^(k8s\.io/|helm\.sh/|github\.com/redis/|sigs\.k8s\.io/|github\.com/kubedeck/kubedeck/(server|kube)(/|$))`)
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list printed %d packages; expected the WASM's dependency list", len(deps))
	}
	for _, p := range deps {
		if forbidden.MatchString(p) {
			t.Errorf("the WASM build links %s", p)
		}
	}
}
