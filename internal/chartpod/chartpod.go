// Package chartpod runs Kubedeck's pod as the chart configures it, on this
// machine: the chart (deploy/chart/kubedeck) is rendered with the Helm SDK,
// and its two containers become two processes, oauth2-proxy (the binary
// the cluster tools build, at the chart's pinned version) and Kubedeck,
// with the containers' own arguments, environment and mounted files.
// Only what cannot be the same here changes: listen addresses (free
// loopback ports instead of the pod's), the paths files are mounted at
// (a directory of the test's), and the provider's URLs (the test's
// provider instead of the placeholder the chart is rendered with). So a
// chart change that breaks the sidecar fails a test.
package chartpod

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// Placeholders the chart is rendered with and that Prepare replaces.
const (
	// PlaceholderIssuer stands for the provider's issuer URL.
	PlaceholderIssuer = "https://issuer.invalid/oidc"
	// PlaceholderLogout stands for the provider's logout URL.
	PlaceholderLogout = "https://issuer.invalid/logout?id_token_hint={id_token}"
	// Namespace is the release's namespace in the rendering.
	Namespace = "kubedeck"
	// Release is the release's name.
	Release = "kubedeck"
)

// Options say how to run the pod.
type Options struct {
	// Values are the chart's values. The provider's issuer URL
	// (oidc.issuerURL) and logout URL (oidc.backendLogoutURL) should be the
	// placeholders, which are replaced by Issuer and LogoutURL.
	Values map[string]any
	// Issuer and LogoutURL are the test provider's.
	Issuer, LogoutURL string
	// ExistingSecrets are the Secrets the values name that the chart does
	// not make (name → key → value), such as the OIDC client's.
	ExistingSecrets map[string]map[string]string
	// ProxyHost is the host oauth2-proxy listens on (default 127.0.0.1).
	ProxyHost string
	// Namespace is the release's namespace (default Namespace).
	Namespace string
}

// Container is one container of the pod, as it runs here.
type Container struct {
	Args []string
	// Env is KEY=VALUE, the container's environment with secret
	// references resolved.
	Env []string
}

// Getenv is the value of the container's variable name ("" when unset).
func (c Container) Getenv(name string) string {
	for _, kv := range c.Env {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// Pod is the chart's pod, prepared to run here.
type Pod struct {
	// Dir holds the mounted files, each under Dir + its mount path.
	Dir string
	// Kubedeck and Proxy are the two containers, rewritten.
	Kubedeck, Proxy Container
	// KubedeckAddr and OpsAddr are Kubedeck's listen addresses; ProxyAddr
	// oauth2-proxy's.
	KubedeckAddr, OpsAddr, ProxyAddr string
	// Objects are the rendered objects (kind/name → YAML), for tests that
	// apply some of them to a cluster.
	Objects map[string]string
	// BasePath is the chart's basePath.
	BasePath string

	proxyLogs *logBuffer
}

// ChartDir is the chart's directory in this repository.
func ChartDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "deploy", "chart", "kubedeck")
}

// Prepare renders the chart with opts.Values and lays out the pod's files
// and rewritten containers. It starts nothing.
func Prepare(t testing.TB, opts Options) *Pod {
	t.Helper()
	ns := opts.Namespace
	if ns == "" {
		ns = Namespace
	}
	files, err := helm.RenderChart(ChartDir(), opts.Values, ns)
	if err != nil {
		t.Fatalf("render the chart: %v", err)
	}
	objects := map[string]string{}
	for name, text := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		for doc := range strings.SplitSeq(text, "\n---\n") {
			doc = strings.TrimPrefix(doc, "---\n")
			var meta struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if strings.TrimSpace(doc) == "" {
				continue
			}
			if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			objects[meta.Kind+"/"+meta.Metadata.Name] = doc
		}
	}
	var dep appsv1.Deployment
	decode(t, objects, "Deployment/"+Release, &dep) // release "kubedeck": the chart uses its name alone

	p := &Pod{Dir: t.TempDir(), Objects: objects, proxyLogs: &logBuffer{}}
	if b, ok := opts.Values["basePath"].(string); ok {
		p.BasePath = b
	}
	host := opts.ProxyHost
	if host == "" {
		host = "127.0.0.1"
	}
	p.KubedeckAddr, p.OpsAddr, p.ProxyAddr = "127.0.0.1:"+freePort(t), "127.0.0.1:"+freePort(t), host+":"+freePort(t)

	secret := func(name, key string) string {
		if v, ok := opts.ExistingSecrets[name][key]; ok {
			return v
		}
		var s corev1.Secret
		decode(t, objects, "Secret/"+name, &s)
		if v, ok := s.Data[key]; ok {
			return string(v)
		}
		if v, ok := s.StringData[key]; ok {
			return v
		}
		t.Fatalf("Secret %s has no key %s", name, key)
		return ""
	}
	configMap := func(name, key string) string {
		var cm corev1.ConfigMap
		decode(t, objects, "ConfigMap/"+name, &cm)
		v, ok := cm.Data[key]
		if !ok {
			t.Fatalf("ConfigMap %s has no key %s", name, key)
		}
		return v
	}

	// Mount paths become paths under Dir; the longest first, so that one
	// mount inside another is rewritten whole.
	var mounts []string
	for _, c := range dep.Spec.Template.Spec.Containers {
		for _, m := range c.VolumeMounts {
			mounts = append(mounts, m.MountPath)
		}
	}
	slices.SortFunc(mounts, func(a, b string) int { return len(b) - len(a) })
	pairs := []string{PlaceholderLogout, opts.LogoutURL, PlaceholderIssuer, opts.Issuer,
		"0.0.0.0:4180", p.ProxyAddr, "127.0.0.1:8080", p.KubedeckAddr}
	for _, m := range mounts {
		pairs = append(pairs, m, filepath.Join(p.Dir, m))
	}
	rewrite := strings.NewReplacer(pairs...).Replace

	volumes := map[string]corev1.Volume{}
	for _, v := range dep.Spec.Template.Spec.Volumes {
		volumes[v.Name] = v
	}
	for _, c := range dep.Spec.Template.Spec.Containers {
		for _, m := range c.VolumeMounts {
			v, ok := volumes[m.Name]
			if !ok {
				t.Fatalf("container %s mounts volume %s, which the pod lacks", c.Name, m.Name)
			}
			dir := filepath.Join(p.Dir, m.MountPath)
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			write := func(name, value string, mode int32) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(rewrite(value)), os.FileMode(mode)); err != nil {
					t.Fatal(err)
				}
			}
			switch {
			case v.Secret != nil:
				for _, it := range v.Secret.Items {
					write(it.Path, secret(v.Secret.SecretName, it.Key), 0o440)
				}
			case v.ConfigMap != nil:
				var cm corev1.ConfigMap
				decode(t, objects, "ConfigMap/"+v.ConfigMap.Name, &cm)
				for k := range cm.Data {
					write(k, configMap(v.ConfigMap.Name, k), 0o444)
				}
			default:
				t.Fatalf("volume %s: only Secrets and ConfigMaps are laid out here", v.Name)
			}
		}
	}

	for _, c := range dep.Spec.Template.Spec.Containers {
		out := Container{}
		for _, a := range c.Args {
			out.Args = append(out.Args, rewrite(a))
		}
		for _, e := range c.Env {
			value := e.Value
			if e.ValueFrom != nil {
				ref := e.ValueFrom.SecretKeyRef
				if ref == nil {
					t.Fatalf("container %s: env %s: only secret references are resolved here", c.Name, e.Name)
				}
				value = secret(ref.Name, ref.Key)
			}
			value = rewrite(value)
			if c.Name == "kubedeck" && e.Name == "KUBEDECK_OPS_LISTEN" {
				value = p.OpsAddr // ":9090" in the pod: every address of it
			}
			out.Env = append(out.Env, e.Name+"="+value)
		}
		switch c.Name {
		case "kubedeck":
			p.Kubedeck = out
		case "oauth2-proxy":
			p.Proxy = out
		default:
			t.Fatalf("the pod has a container %s this package does not know", c.Name)
		}
	}
	return p
}

// Binary is the oauth2-proxy built by `make cluster-bin` beside the
// cluster's binaries, or "" when it is not there.
func Binary() string {
	path := filepath.Join(localcluster.DefaultBinDir(), "oauth2-proxy")
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}

// NeedBinary skips the test, with how to get it, when oauth2-proxy is not
// built; it returns its path.
func NeedBinary(t testing.TB) string {
	t.Helper()
	bin := Binary()
	if bin == "" {
		t.Skip("oauth2-proxy is not built: run `make cluster-bin` (make test does), which builds it beside the cluster's binaries")
	}
	return bin
}

// StartProxy runs oauth2-proxy with the pod's arguments and environment
// until the test ends, and waits until it answers /ping. Its log is
// printed when the test fails.
func (p *Pod) StartProxy(t testing.TB) {
	t.Helper()
	StartOAuth2Proxy(t, p.Proxy.Args, append([]string{"HOME=" + p.Dir}, p.Proxy.Env...), p.ProxyAddr, p.proxyLogs)
}

// StartOAuth2Proxy runs the built oauth2-proxy with args and env (PATH is
// added) until the test ends, writing its log to logs, and waits until it
// answers /ping at addr. The log is printed when the test fails.
func StartOAuth2Proxy(t testing.TB, args, env []string, addr string, logs io.Writer) {
	t.Helper()
	bin := NeedBinary(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out := &logBuffer{}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(out, logs), io.MultiWriter(out, logs)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start oauth2-proxy: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("oauth2-proxy's log:\n%s", out)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("oauth2-proxy exited at start (%v):\n%s", err, out)
		default:
		}
		resp, err := http.Get("http://" + addr + "/ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("oauth2-proxy does not answer /ping at %s after 30 s:\n%s", addr, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL is the address browsers use: oauth2-proxy's, with the base path.
func (p *Pod) URL() string { return "http://" + p.ProxyAddr + p.BasePath }

// ProxyLog is what oauth2-proxy has written.
func (p *Pod) ProxyLog() string { return p.proxyLogs.String() }

// decode reads the rendered object key (Kind/name) into v.
func decode(t testing.TB, objects map[string]string, key string, v any) {
	t.Helper()
	doc, ok := objects[key]
	if !ok {
		keys := make([]string, 0, len(objects))
		for k := range objects {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Fatalf("the chart rendered no %s; it has %v", key, keys)
	}
	if err := yaml.Unmarshal([]byte(doc), v); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
}

// freePort is a loopback port free at the time of the call.
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// logBuffer is a log written by a process and read by the test.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Upstream stands where Kubedeck listens in the pod: it answers
// "upstream <path>" and keeps the headers of each request that reached it.
type Upstream struct {
	mu   sync.Mutex
	seen []http.Header
}

// StartUpstream serves an Upstream at addr until the test ends.
func StartUpstream(t testing.TB, addr string) *Upstream {
	t.Helper()
	u := &Upstream{}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.record(r.Header)
		_, _ = io.WriteString(w, "upstream "+r.URL.Path)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return u
}

func (u *Upstream) record(h http.Header) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.seen = append(u.seen, h.Clone())
}

// Last is the headers of the last request that reached u, or nil.
func (u *Upstream) Last() http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.seen) == 0 {
		return nil
	}
	return u.seen[len(u.seen)-1]
}
