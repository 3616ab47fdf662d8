package helm

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/helmpath"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubedeck/kubedeck/kube"
)

// poison points HOME, the HELM_* variables, the XDG directories,
// KUBECONFIG and DOCKER_CONFIG at files and directories under root that
// name trapURL (a Kubernetes API server, a chart repository and a
// registry), with "default" as the namespace and ConfigMaps as Helm's
// storage. Whatever read them would reach the trap or put things where
// they do not belong.
func poison(t *testing.T, root, trapURL string) {
	t.Helper()
	write := func(rel, content string) string {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	kubeconfig := `apiVersion: v1
kind: Config
clusters: [{name: trap, cluster: {server: "` + trapURL + `"}}]
users: [{name: trap, user: {token: poisoned}}]
contexts: [{name: trap, context: {cluster: trap, user: trap, namespace: default}}]
current-context: trap
`
	repositories := `apiVersion: ""
repositories:
  - name: test
    url: ` + trapURL + `
    username: poisoned
    password: poisoned
`
	host := strings.TrimPrefix(trapURL, "http://")
	auths := `{"auths": {"` + host + `": {"auth": "cG9pc29uZWQ6cG9pc29uZWQ="}}}`
	for _, dir := range []string{"home", "cache", "config", "data", "plugins", "repository-cache", "xdg-cache", "xdg-config", "xdg-data"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("home/.kube/config", kubeconfig)
	write("home/.config/helm/repositories.yaml", repositories)
	write("home/.docker/config.json", auths)
	env := map[string]string{
		"HOME":                   filepath.Join(root, "home"),
		"KUBECONFIG":             write("kubeconfig", kubeconfig),
		"HELM_CACHE_HOME":        filepath.Join(root, "cache"),
		"HELM_CONFIG_HOME":       filepath.Join(root, "config"),
		"HELM_DATA_HOME":         filepath.Join(root, "data"),
		"HELM_PLUGINS":           filepath.Join(root, "plugins"),
		"HELM_REPOSITORY_CACHE":  filepath.Join(root, "repository-cache"),
		"HELM_REPOSITORY_CONFIG": write("config/repositories.yaml", repositories),
		"HELM_REGISTRY_CONFIG":   write("config/registry/config.json", auths),
		"DOCKER_CONFIG":          filepath.Dir(write("docker/config.json", auths)),
		"HELM_NAMESPACE":         "default",
		"HELM_DRIVER":            "configmap",
		"HELM_KUBEAPISERVER":     trapURL,
		"HELM_KUBETOKEN":         "poisoned",
		"HELM_KUBECONTEXT":       "trap",
		"XDG_CACHE_HOME":         filepath.Join(root, "xdg-cache"),
		"XDG_CONFIG_HOME":        filepath.Join(root, "xdg-config"),
		"XDG_DATA_HOME":          filepath.Join(root, "xdg-data"),
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// snapshot lists every file and directory under root with its size and
// modification time.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(path, root)] = fmt.Sprintf("%v %v %d", info.ModTime(), info.Mode(), info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNothingFromEnvironment runs every operation with the environment
// poisoned (not in parallel: it sets environment variables) and sees none
// of it used: the trap gets no request, nothing is written under the
// poisoned directories, the release lands in its namespace in Secrets.
func TestNothingFromEnvironment(t *testing.T) {
	admin := clusterAdmin(t)
	ns := teamNamespace(t, admin, "alice")
	var trapHits atomic.Int32
	trap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trapHits.Add(1)
		t.Errorf("the trap got %s %s", r.Method, r.URL)
		http.Error(w, "trapped", http.StatusTeapot)
	}))
	t.Cleanup(trap.Close)
	r := newChartRepo(t, testChart(t, "web", "1.0.0"), testChart(t, "web", "1.1.0"))
	root := t.TempDir()
	poison(t, root, trap.URL)
	// Control: what reads the environment the usual way would get the trap.
	loaded, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil || loaded.Host != trap.URL {
		t.Fatalf("the poisoned kubeconfig does not lead to the trap: %v, %v", loaded, err)
	}
	if got := helmpath.ConfigPath("repositories.yaml"); !strings.HasPrefix(got, root) {
		t.Fatalf("Helm's configuration path %s is not poisoned", got)
	}
	before := snapshot(t, root)
	// Let modification times tell a rewrite apart.
	time.Sleep(10 * time.Millisecond)

	c := clusterClient(t, r)
	alice := kube.User{Name: "alice"}
	ctx := t.Context()
	if _, err := c.Catalog(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Install(ctx, alice, InstallRequest{Namespace: ns, Name: "env", Chart: "test/web", Version: "1.0.0"}, nil); err != nil {
		t.Fatalf("install: %v", err)
	}
	webObjects(t, admin, ns, "env", 1, map[string]string{"greeting": "hello", "chartVersion": "1.0.0"})
	if got := releaseSecretNames(t, admin, ns, "env"); len(got) != 1 {
		t.Errorf("release Secrets: %v", got)
	}
	cms, err := admin.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil || len(cms.Items) != 0 {
		t.Errorf("releases kept in ConfigMaps as HELM_DRIVER says: %d, %v", len(cms.Items), err)
	}
	preview, err := c.Preview(ctx, alice, InstallRequest{Namespace: ns, Name: "env", Chart: "test/web", Version: "1.1.0", Values: "greeting: hey"}, true)
	if err != nil {
		t.Fatalf("preview of an upgrade: %v", err)
	}
	if p := preview.Release; p.ChartVersion != "1.1.0" || p.Revision != 2 || p.Stuck ||
		!strings.Contains(preview.Manifest, `greeting: "hey"`) || !strings.Contains(preview.Manifest, "<redacted: 20 bytes>") ||
		strings.Contains(preview.Manifest, "s3cret") || len(preview.Resources) != 4 {
		t.Errorf("preview of an upgrade: %+v", preview)
	}
	if got := releaseSecretNames(t, admin, ns, "env"); len(got) != 1 {
		t.Errorf("release Secrets after a preview: %v", got)
	}
	if _, err := c.Upgrade(ctx, alice, UpgradeRequest{Namespace: ns, Name: "env", Chart: "test/web", Version: "1.1.0"}, nil); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if _, err := c.List(ctx, alice, ns); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, alice, ns, "env", true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Rollback(ctx, alice, ns, "env", 0, nil); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if err := c.Uninstall(ctx, alice, ns, "env", false); err != nil {
		t.Fatalf("uninstall: %v", err)
	}

	if n := trapHits.Load(); n != 0 {
		t.Errorf("the trap got %d requests", n)
	}
	if diff := cmp.Diff(before, snapshot(t, root)); diff != "" {
		t.Errorf("files under the poisoned directories changed (-before +after):\n%s", diff)
	}
}
