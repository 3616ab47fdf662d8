package server

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDirectImports holds each package's direct imports (of its non-test
// files) to an allowlist, so imports flow one way (app → shared,
// server → kube → shared) and the WASM build links neither kube, server,
// client-go nor Helm: server asks kube for everything Kubernetes, and shared
// stays pure Go. The standard library is allowed everywhere; any other
// import must be listed, exactly or under a prefix ending in "/". Test
// files are not held to it (server's cluster tests build fixtures with
// client-go).
func TestDirectImports(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	const mod = "github.com/kubedeck/kubedeck/"
	tests := []struct {
		pkg     string
		wasm    bool // list the GOOS=js GOARCH=wasm build
		allowed []string
	}{
		{pkg: "server", allowed: []string{
			mod + "kube", mod + "kube/apps", mod + "kube/helm", mod + "kube/operations", mod + "kube/slots", mod + "shared", mod + "web",
			"github.com/coder/websocket",
			"github.com/coreos/go-oidc/v3/oidc",
			"github.com/prometheus/client_golang/",
			"golang.org/x/time/rate",
		}},
		{pkg: "shared", allowed: []string{
			mod + "shared/validation",
			"github.com/distribution/reference",
		}},
		{pkg: "shared/validation"},
		{pkg: "kube", allowed: []string{
			mod + "shared", mod + "kube/",
			"k8s.io/api/", "k8s.io/apimachinery/", "k8s.io/client-go/", "k8s.io/utils/ptr", "sigs.k8s.io/yaml",
			"github.com/prometheus/client_golang/", "github.com/prometheus/client_model/go",
			"github.com/tidwall/btree", // the list indexes' ordered trees
		}},
		{pkg: "app", wasm: true, allowed: []string{
			mod + "shared",
			"github.com/maxence-charriere/go-app/v10/pkg/app",
			"github.com/coder/websocket",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			imports := directImports(t, "../"+tt.pkg, tt.wasm)
			if len(imports) == 0 {
				t.Fatalf("go list found no imports of %s", tt.pkg)
			}
			for _, imp := range imports {
				if !allowedImport(imp, tt.allowed) {
					t.Errorf("%s imports %s, which is not on its allowlist", tt.pkg, imp)
				}
			}
		})
	}
}

// TestWASMLinksNoTemplate keeps text/template out of the WASM: its
// reflection (reflect.Value.MethodByName) makes the linker keep every
// exported method of every reachable type, a third of the UI's size. It came
// in once through invopop/validation's error messages.
func TestWASMLinksNoTemplate(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command("go", "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}} {{join .Imports " "}}{{end}}`, "../app")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps ../app: %v", err)
	}
	for line := range strings.Lines(string(out)) {
		pkg, imports, _ := strings.Cut(strings.TrimSpace(line), " ")
		for _, bad := range []string{"text/template", "html/template"} {
			if slices.Contains(strings.Fields(imports), bad) {
				t.Errorf("the WASM build links %s through %s", bad, pkg)
			}
		}
	}
}

// directImports are the packages dir's non-test files import, for the
// WASM build when wasm is set.
func directImports(t *testing.T, dir string, wasm bool) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, dir)
	cmd.Env = os.Environ()
	if wasm {
		cmd.Env = append(cmd.Env, "GOOS=js", "GOARCH=wasm")
	}
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", dir, err, stderr)
	}
	return strings.Fields(string(out))
}

// allowedImport says whether imp is in the standard library (its first
// element has no dot) or on the allowlist.
func allowedImport(imp string, allowed []string) bool {
	first, _, _ := strings.Cut(imp, "/")
	if !strings.Contains(first, ".") {
		return true
	}
	return slices.ContainsFunc(allowed, func(a string) bool {
		return imp == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a))
	})
}

func TestAllowedImport(t *testing.T) {
	allowed := []string{"k8s.io/api/", "github.com/kubedeck/kubedeck/shared"}
	tests := []struct {
		imp  string
		want bool
	}{
		{"net/http", true},
		{"github.com/kubedeck/kubedeck/shared", true},
		{"github.com/kubedeck/kubedeck/shared/x", false},
		{"k8s.io/api/core/v1", true},
		{"k8s.io/client-go/kubernetes", false},
		{"helm.sh/helm/v3/pkg/action", false},
	}
	for _, tt := range tests {
		t.Run(tt.imp, func(t *testing.T) {
			if got := allowedImport(tt.imp, allowed); got != tt.want {
				t.Errorf("allowedImport(%q) = %v, want %v", tt.imp, got, tt.want)
			}
		})
	}
}
