package chart_test

import (
	"context"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/internal/chartpod"
	"github.com/kubedeck/kubedeck/internal/idptest"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// The doc's commands run from the repository's root: chart paths are read
// from the repository; the files the doc writes or names (values files,
// the proxy secret) live in a temporary directory.
const (
	repoRoot = "../.."
	docPath  = "docs/deploy.md"
)

// cannotRun are the commands of the doc that cannot run here, by their
// leading words, with why. Every other command runs through a shape.
var cannotRun = map[string]string{
	"make image": "builds a container image: needs a Docker daemon, and this machine has none",
}

// assumedNamespaces are the namespaces the doc speaks of as the reader's
// own: the test makes them before running the doc.
var assumedNamespaces = []string{"team-a"}

// TestDeployDocCommands runs every command of docs/deploy.md's sh blocks,
// in order, on the local cluster as its admin, and after each helm install
// or upgrade the commands its NOTES.txt prints. The values files are the
// doc's yaml blocks that name one (first line "# name.yaml"). Each
// namespace gets a random suffix, so the doc's names never meet another
// test's. A command neither a shape nor listed in cannotRun fails the test.
func TestDeployDocCommands(t *testing.T) {
	localcluster.Need(t, cluster)
	chartpod.NeedBinary(t)
	admin, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := &docRun{top: t, t: t, admin: admin, work: t.TempDir(), suffix: fmt.Sprintf("%06d", mathrand.IntN(1_000_000))}
	r.kubeconfig = filepath.Join(r.work, ".kubeconfig")
	if err := cluster.WriteKubeconfig(r.kubeconfig, localcluster.AdminUser); err != nil {
		t.Fatal(err)
	}
	doc := readDoc(t)
	for _, b := range doc {
		if name, ok := b.fileName(); ok {
			if err := os.WriteFile(filepath.Join(r.work, name), []byte(b.text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, ns := range assumedNamespaces {
		if err := r.createNamespace(invocation{args: []string{"kubectl", "create", "namespace", ns}}); err != nil {
			t.Fatal(err)
		}
	}

	usedCannotRun := map[string]bool{}
	var queue []command
	for _, b := range doc {
		if b.lang == "sh" {
			queue = append(queue, commandsOf(t, b.text, docPath, b.line)...)
		}
	}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if words, ok := matchCannotRun(c.words); ok {
			usedCannotRun[words] = true
			t.Logf("%s: not run here: %s: %s", c.where, c.text, cannotRun[words])
			continue
		}
		if !t.Run(c.where, func(t *testing.T) {
			r.t = t
			if err := r.dispatch(c); err != nil {
				t.Fatalf("%s\n%v", c.text, err)
			}
		}) {
			return // later commands build on this one
		}
		r.t = t
		queue = append(r.notes, queue...)
		r.notes = nil
	}
	for words := range cannotRun {
		if !usedCannotRun[words] {
			t.Errorf("cannotRun lists %q, which no command of the doc starts with: remove it", words)
		}
	}
}

// TestDeployDocValues renders the chart with each yaml block of the doc: each
// is a values file or a snippet of one, which the chart's schema accepts.
func TestDeployDocValues(t *testing.T) {
	for _, b := range readDoc(t) {
		if b.lang != "yaml" {
			continue
		}
		t.Run(fmt.Sprintf("%s:%d", docPath, b.line), func(t *testing.T) {
			var vals map[string]any
			if err := yaml.Unmarshal([]byte(b.text), &vals); err != nil {
				t.Fatal(err)
			}
			if _, err := helm.RenderChart(chartDir, vals, namespace); err != nil {
				t.Errorf("the chart refuses the block:\n%s\n%v", b.text, err)
			}
		})
	}
}

// TestNotesPortForward: without hosts NOTES.txt shows the port-forward to
// http://localhost:4180. A sign-in there completes with
// oauth2Proxy.cookieSecure=false. With true (the default) oauth2-proxy sends
// the provider back to an https callback, which plain http cannot answer:
// NOTES.txt warns of it.
func TestNotesPortForward(t *testing.T) {
	chartpod.NeedBinary(t)
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprintf("cookieSecure=%v", secure), func(t *testing.T) {
			vals := map[string]any{
				"oidc": map[string]any{
					"issuerURL":    "https://login.example.com/realms/main",
					"clientID":     idptest.ClientID,
					"clientSecret": map[string]any{"existingSecret": "kubedeck-oidc"},
				},
				"oauth2Proxy": map[string]any{"cookieSecure": secure},
			}
			files, err := helm.RenderChart(chartDir, vals, namespace)
			if err != nil {
				t.Fatal(err)
			}
			notes := files["kubedeck/templates/NOTES.txt"]
			if !strings.Contains(notes, "port-forward svc/kubedeck 4180:80") {
				t.Errorf("NOTES.txt shows no port-forward:\n%s", notes)
			}
			if warned := strings.Contains(notes, "WARNING: oauth2Proxy.cookieSecure is true"); warned != secure {
				t.Errorf("NOTES.txt warns of cookieSecure: %v, want %v:\n%s", warned, secure, notes)
			}
			secrets := map[string]map[string]string{"kubedeck-oidc": {"client-secret": idptest.ClientSecret}}
			h, err := signInLocally(t, vals, namespace, secrets)
			var urlErr *url.Error
			switch {
			case !secure && err != nil:
				t.Error(err)
			case !secure && h.Get("X-Forwarded-User") != alice.Username:
				t.Errorf("X-Forwarded-User %q, want %q", h.Get("X-Forwarded-User"), alice.Username)
			case secure && err == nil:
				t.Errorf("signed in over http with cookieSecure, as %q: the warning is wrong", h.Get("X-Forwarded-User"))
			case secure && (!errors.As(err, &urlErr) || !strings.HasPrefix(urlErr.URL, "https://localhost:")):
				t.Errorf("the sign-in failed, but not at an https callback as NOTES.txt says: %v", err)
			}
		})
	}
}

// matchCannotRun says which cannotRun entry words start with.
func matchCannotRun(words []string) (string, bool) {
	for w := range cannotRun {
		if startsWith(words, w) {
			return w, true
		}
	}
	return "", false
}

// docRun is the state of a run of the doc: the cluster, the namespaces
// made, the files written.
type docRun struct {
	top        *testing.T // cleanups go here: they outlive the command
	t          *testing.T // the command's
	admin      kubernetes.Interface
	kubeconfig string // the admin's
	work       string // the reader's directory
	suffix     string // of every namespace
	mapped     map[string]bool
	notes      []command // printed by the last install or upgrade
}

func (r *docRun) dispatch(c command) error {
	inv, err := parseInvocation(c)
	if err != nil {
		return err
	}
	for _, s := range shapes {
		if !startsWith(inv.args, s.words) {
			continue
		}
		for name := range inv.flags {
			if !slices.Contains(s.flags, name) {
				return fmt.Errorf("the test does not know what %s does here: teach the shape %q", name, s.words)
			}
		}
		if inv.out != "" && s.words != "printf" {
			return fmt.Errorf("only printf's output is redirected here")
		}
		return s.run(r, inv)
	}
	return fmt.Errorf("no shape runs this command: add one to shapes, or list it with the reason in cannotRun")
}

// namespace is the test's name for the doc's namespace ns, cleaned up when
// the test ends.
func (r *docRun) namespace(ns string) string {
	if ns == "" {
		r.t.Fatal("the command names no namespace (-n): the doc should")
	}
	if strings.HasSuffix(ns, "-"+r.suffix) {
		return ns
	}
	ns += "-" + r.suffix
	if r.mapped == nil {
		r.mapped = map[string]bool{}
	}
	if !r.mapped[ns] {
		r.mapped[ns] = true
		admin := r.admin
		r.top.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	}
	return ns
}
