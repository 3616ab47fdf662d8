//go:build !wasm

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/internal/chartpod"
	"github.com/kubedeck/kubedeck/internal/idptest"
	"github.com/kubedeck/kubedeck/kube/cache/redistest"
	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// deployedPod is Kubedeck as the chart deploys it, run here: the chart's
// pod (oauth2-proxy in front, Kubedeck behind it on loopback, each with the
// container's own arguments, environment and files) on the local cluster,
// with a real Redis, a chart repository and the test's OIDC provider.
// Kubedeck runs as a child process of this test binary, as the replicas
// test runs it, as the chart's ServiceAccount with the chart's ClusterRole
// (both applied from the rendering) and a token of that account.
type deployedPod struct {
	*chartpod.Pod
	provider *idptest.Provider
	repo     *helmtest.Repo
	redis    *redistest.Server
	logs     *syncBuffer
}

// deployedOptions are what a test chooses of the deployment.
type deployedOptions struct {
	base    string // the chart's basePath
	refresh string // oauth2Proxy.cookieRefresh
	users   []idptest.User
	// beforeProxy runs once Kubedeck has started, before oauth2-proxy
	// starts (to change what the proxy reads).
	beforeProxy func(*chartpod.Pod)
}

func startDeployed(t *testing.T, o deployedOptions) *deployedPod {
	t.Helper()
	localcluster.Need(t, cluster)
	chartpod.NeedBinary(t)
	ctx := context.Background()
	admin := clusterAdmin(t)

	provider := idptest.Start(t, o.users...)
	rdb := redistest.Start(t)
	repo := helmtest.NewRepo(t, helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"})
	releaseNS := "kd-deployed-" + strings.ToLower(rand.Text()[:6])
	if o.refresh == "" {
		o.refresh = "2m"
	}
	values := map[string]any{
		"basePath": o.base,
		"oidc": map[string]any{
			"issuerURL":        chartpod.PlaceholderIssuer,
			"clientID":         idptest.ClientID,
			"clientSecret":     map[string]any{"existingSecret": "kubedeck-oidc"},
			"backendLogoutURL": chartpod.PlaceholderLogout,
		},
		// Plain http on loopback, the documented value for it.
		"oauth2Proxy": map[string]any{"cookieSecure": false, "cookieRefresh": o.refresh},
		"redis":       map[string]any{"external": map[string]any{"url": rdb.URL()}},
		"helm": map[string]any{
			"repositories": []any{map[string]any{"name": "test", "url": repo.URL}},
			"timeout":      "2m",
		},
		"clusterConfig": map[string]any{"domain": "apps.test"},
	}
	pod := chartpod.Prepare(t, chartpod.Options{Values: values, Issuer: provider.Issuer(), LogoutURL: provider.LogoutURL(),
		Namespace:       releaseNS,
		ExistingSecrets: map[string]map[string]string{"kubedeck-oidc": {"client-secret": idptest.ClientSecret}}})

	// The release's namespace holds the wizard's settings, as the chart
	// makes them.
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: releaseNS}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteNamespace(t, releaseNS) })
	var settings corev1.ConfigMap
	if err := yaml.Unmarshal([]byte(pod.Objects["ConfigMap/"+chartpod.Release+"-cluster-config"]), &settings); err != nil {
		t.Fatal(err)
	}
	settings.Namespace = releaseNS
	if _, err := admin.CoreV1().ConfigMaps(releaseNS).Create(ctx, &settings, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	d := &deployedPod{Pod: pod, provider: provider, repo: repo, redis: rdb, logs: &syncBuffer{}}
	d.startKubedeck(t, serviceAccountKubeconfig(t, pod, releaseNS))
	if o.beforeProxy != nil {
		o.beforeProxy(pod)
	}
	pod.StartProxy(t)
	return d
}

// startKubedeck runs Kubedeck with the kubedeck container's arguments and
// environment (and none of this process's KUBEDECK_ variables), and waits
// until its operations port says it is ready.
func (d *deployedPod) startKubedeck(t *testing.T, kubeconfig string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], d.Kubedeck.Args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KUBEDECK_") && !strings.HasPrefix(kv, "KUBECONFIG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, replicaEnv+"=1", "KUBECONFIG="+kubeconfig)
	cmd.Env = append(cmd.Env, d.Kubedeck.Env...)
	cmd.Stdout, cmd.Stderr = d.logs, d.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("Kubedeck's log:\n%s", d.logs)
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get("http://" + d.OpsAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("Kubedeck exited at start:\n%s", d.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("Kubedeck is not ready on %s:\n%s", d.OpsAddr, d.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// serviceAccountKubeconfig applies the chart's ServiceAccount, ClusterRole
// and ClusterRoleBinding (as rendered for namespace ns) and writes a
// kubeconfig that reaches the cluster with a token of that account, as the
// pod's mounted token does.
func serviceAccountKubeconfig(t *testing.T, pod *chartpod.Pod, ns string) string {
	t.Helper()
	ctx := context.Background()
	admin := clusterAdmin(t)
	var sa corev1.ServiceAccount
	var role rbacv1.ClusterRole
	var binding rbacv1.ClusterRoleBinding
	for key, v := range map[string]any{"ServiceAccount/" + chartpod.Release: &sa,
		"ClusterRole/" + ns + "-" + chartpod.Release: &role, "ClusterRoleBinding/" + ns + "-" + chartpod.Release: &binding} {
		doc, ok := pod.Objects[key]
		if !ok {
			t.Fatalf("the chart rendered no %s", key)
		}
		if err := yaml.Unmarshal([]byte(doc), v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	sa.Namespace = ns
	if _, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, &sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, &role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.RbacV1().ClusterRoles().Delete(context.Background(), role.Name, metav1.DeleteOptions{})
	})
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, &binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.RbacV1().ClusterRoleBindings().Delete(context.Background(), binding.Name, metav1.DeleteOptions{})
	})
	tok, err := admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["local"] = &clientcmdapi.Cluster{Server: cluster.Server(), CertificateAuthorityData: cluster.AdminConfig().CAData}
	cfg.AuthInfos["kubedeck"] = &clientcmdapi.AuthInfo{Token: tok.Status.Token}
	cfg.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "kubedeck", Namespace: ns}
	cfg.CurrentContext = "local"
	path := filepath.Join(pod.Dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// namespaceWith makes a namespace for the test and binds roles in it:
// subject (User:name or Group:name) → ClusterRole.
func namespaceWith(t *testing.T, prefix string, bindings map[string]string) string {
	t.Helper()
	ctx := context.Background()
	admin := clusterAdmin(t)
	ns := prefix + "-" + strings.ToLower(rand.Text()[:6])
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteNamespace(t, ns) })
	i := 0
	for subject, role := range bindings {
		kind, name, ok := strings.Cut(subject, ":")
		if !ok {
			t.Fatalf("subject %q: want Kind:name", subject)
		}
		i++
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("binding-%d", i)},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{Kind: kind, APIGroup: rbacv1.GroupName, Name: name}},
		}
		if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return ns
}

// deleteNamespace deletes ns and waits (a minute at most) until it is
// gone, so the cluster's work of removing its objects is over before the
// next test (a browser test's live updates met that churn once).
func deleteNamespace(t *testing.T, ns string) {
	t.Helper()
	admin := clusterAdmin(t)
	ctx := context.Background()
	if err := admin.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("delete namespace %s: %v", ns, err)
		return
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if _, err := admin.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("namespace %s is still terminating after a minute", ns)
			return
		}
	}
}

// ensureClusterRole makes a ClusterRole with rules unless it exists.
func ensureClusterRole(t *testing.T, name string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	_, err := clusterAdmin(t).RbacV1().ClusterRoles().Create(context.Background(),
		&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// journey is one browser's visit through the deployed pod: it keeps the
// console's errors and the failed requests, and on failure saves a
// screenshot and the console log (their paths are in the test's log).
type journey struct {
	t        *testing.T
	ctx      context.Context
	d        *deployedPod
	console  *consoleErrors
	requests *requestLog
	started  time.Time
}

func newJourney(t *testing.T, chromium string, d *deployedPod) *journey {
	t.Helper()
	ctx := newBrowser(t, chromium)
	j := &journey{ctx: ctx, d: d, console: watchConsole(ctx), requests: watchRequests(t, ctx), started: time.Now()}
	j.use(t)
	return j
}

// use makes t the test the journey reports to from now on (a subtest of
// the one that started it), and saves the journey's screenshot and
// console log when t fails.
func (j *journey) use(t *testing.T) *journey {
	j.t = t
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		dir := filepath.Join(os.TempDir(), "kubedeck-journeys")
		_ = os.MkdirAll(dir, 0o755)
		base := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_", ",", "").Replace(t.Name())+"-"+time.Now().Format("150405"))
		sctx, cancel := context.WithTimeout(j.ctx, 10*time.Second)
		defer cancel()
		if shot, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil { // 100: PNG
			_ = os.WriteFile(base+".png", shot, 0o644)
		}
		log := fmt.Sprintf("page: %s\nconsole:\n%s\nfailed requests:\n%s\n", pageState(sctx),
			strings.Join(j.console.take(), "\n"), strings.Join(j.requests.failures(), "\n"))
		_ = os.WriteFile(base+".log", []byte(log), 0o644)
		t.Logf("the journey's screenshot and console log: %s.png, %s.log", base, base)
	})
	return j
}

// signIn goes to path signed out: the provider's page comes, the user signs
// in there, and the browser comes back to path, signed in as the name
// Kubernetes knows (want). It returns when the user pressed Sign in.
func (j *journey) signIn(path, user, want string) time.Time {
	j.t.Helper()
	within(j.t, j.ctx, 60*time.Second, "signed out, the provider asks who you are",
		chromedp.Navigate(j.d.URL()+path),
		chromedp.WaitVisible(chromedp.CSS("#idp-login")))
	start := time.Now()
	within(j.t, j.ctx, 10*time.Second, "sign in at the provider as "+user,
		chromedp.SendKeys(chromedp.CSS("#idp-username"), user),
		click(chromedp.CSS("#idp-submit")))
	waitAcrossLoads(j.t, j.ctx, "back in Kubedeck, signed in as "+want,
		`location.pathname === `+jsString(j.d.BasePath+strings.SplitN(path, "?", 2)[0])+
			` && document.querySelector('.kd-live .kd-user-name')?.textContent === `+jsString(want))
	j.t.Logf("sign-in: %v from the provider's form to Kubedeck's page, signed in", time.Since(start).Round(time.Millisecond))
	return start
}

// check fails the test for console errors and failed requests beyond
// those allowed: a failed request whose URL holds one of allowed, and for
// each such request one console line of its status (Chromium logs every
// failed load without its URL).
func (j *journey) check(allowed ...string) {
	j.t.Helper()
	excused := map[string]int{} // "status of 404" → how many
	var bad []string
	for _, f := range j.requests.failures() {
		status, url, _ := strings.Cut(f, " ")
		ok := false
		for _, a := range allowed {
			ok = ok || strings.Contains(url, a)
		}
		if ok {
			excused["status of "+status]++
		} else {
			bad = append(bad, f)
		}
	}
	for _, e := range j.console.take() {
		ok := false
		for k, n := range excused {
			if n > 0 && strings.Contains(e, "Failed to load resource: the server responded with a "+k) {
				excused[k], ok = n-1, true
				break
			}
		}
		if !ok {
			bad = append(bad, e)
		}
	}
	if len(bad) > 0 {
		j.t.Errorf("console errors and failed requests:\n%s", strings.Join(bad, "\n"))
	}
	j.t.Logf("this part of the journey took %v", time.Since(j.started).Round(time.Millisecond))
	j.started = time.Now()
}

// fetchJSON runs fetch in the page (with its cookies, through the proxy)
// and returns the status and body.
func (j *journey) fetchJSON(method, path, body string) (int, string) {
	j.t.Helper()
	js := `(async () => { const r = await fetch(` + jsString(j.d.BasePath+path) + `, {method: ` + jsString(method) +
		`, headers: {"Content-Type": "application/json", "Accept": "application/json"}` +
		map[bool]string{true: `, body: ` + jsString(body), false: ``}[body != ""] +
		`}); return [String(r.status), await r.text()]; })()`
	out := eval[[]string](j.t, j.ctx, js, chromedp.EvalAwaitPromise)
	var status int
	_, _ = fmt.Sscan(out[0], &status)
	return status, out[1]
}
