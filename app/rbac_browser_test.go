//go:build !wasm

package main

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/server"
	"github.com/kubedeck/kubedeck/web"
)

// serveKubedeck runs Kubedeck's server with cfg and deps (the UI and the
// web files added) on a free loopback port until the test ends, and
// returns its origin.
func serveKubedeck(t *testing.T, cfg server.Config, deps server.Deps) string {
	t.Helper()
	wi, err := server.InspectWeb(web.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Version = "rbac-1"
	ui, err := buildAppHandler(appHandlerConfig{basePath: cfg.BasePath, version: cfg.Version, web: wi})
	if err != nil {
		t.Fatal(err)
	}
	deps.Log = slog.New(slog.NewJSONHandler(&syncBuffer{}, nil))
	deps.UI, deps.Web = ui, web.FS
	srv, err := server.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("server: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// testProxySecret is the secret signInProxy injects, as oauth2-proxy does.
const testProxySecret = "browser-test-proxy-secret-1f2e"

// signInProxy stands where oauth2-proxy stands: in front of Kubedeck, on
// loopback (a trusted peer), adding X-Forwarded-User while the browser's
// session lasts. /oauth2/start signs in and sends the browser back to rd;
// /oauth2/sign_out ends the session.
type signInProxy struct {
	user    string
	forward *httputil.ReverseProxy

	mu       sync.Mutex
	session  bool
	signOuts int
}

func (p *signInProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case oauthStartPath:
		p.setSession(true)
		back := r.URL.Query().Get("rd")
		if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
			back = "/"
		}
		http.Redirect(w, r, back, http.StatusFound)
		return
	case oauthSignOutPath:
		func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.session = false
			p.signOuts++
		}()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>Signed out</title><p id="signed-out">Signed out</p>`))
		return
	}
	for _, h := range []string{"X-Forwarded-User", "X-Forwarded-Email", "X-Forwarded-Groups", "X-Forwarded-Preferred-Username"} {
		r.Header.Del(h)
	}
	func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.session {
			r.Header.Set("X-Forwarded-User", p.user)
		}
	}()
	// oauth2-proxy's injectRequestHeaders proves the request came through it.
	r.Header.Set("X-Kubedeck-Proxy-Secret", testProxySecret)
	p.forward.ServeHTTP(w, r)
}

func (p *signInProxy) setSession(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.session = on
}

func (p *signInProxy) signedOut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.signOuts
}

// startBehindProxy runs Kubedeck in proxy mode, without a cluster, behind a
// signInProxy whose session for user has begun, and returns the proxy and
// its origin (the one the browser uses).
func startBehindProxy(t *testing.T, user string) (*signInProxy, string) {
	t.Helper()
	backend := serveKubedeck(t, server.Config{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Auth:           server.AuthConfig{Mode: server.AuthProxy, ProxySecret: testProxySecret},
	}, server.Deps{})
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	p := &signInProxy{user: user, session: true, forward: httputil.NewSingleHostReverseProxy(target)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return p, "http://" + ln.Addr().String()
}

// waitShellCached waits until the service worker controls the page and has
// cached the shell.
func waitShellCached(t *testing.T, ctx context.Context) {
	t.Helper()
	within(t, ctx, 30*time.Second, "service worker with the shell cached",
		waitFor(`navigator.serviceWorker.controller !== null`))
	deadline := time.Now().Add(20 * time.Second)
	for !eval[bool](t, ctx, `caches.keys().then(ks => ks.some(k => k.startsWith("app-")))`, chromedp.EvalAwaitPromise) {
		if time.Now().After(deadline) {
			t.Fatal("go-app's shell cache did not appear")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRBACDeployButton runs Kubedeck as its shipped identity on the local
// cluster with a dev user who may only view one namespace: the deploy
// wizard offers that namespace (remembered from an earlier visit) marked as
// one the user may not deploy to, says why beside the field, and keeps Next
// disabled; once an edit RoleBinding exists, checking again clears the
// error and the wizard goes on.
func TestRBACDeployButton(t *testing.T) {
	localcluster.Need(t, cluster)
	chromium := needBrowser(t)
	ctx := context.Background()
	admin := clusterAdmin(t)
	client, objects := startServerCache(t, ctx)

	const user = "viewer-only"
	ns := "rbac-ui-" + strings.ToLower(rand.Text()[:6])
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	bind := func(role string) {
		t.Helper()
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: user + "-" + role, Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
		}
		if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	bind("view")

	origin := serveKubedeck(t, server.Config{
		Auth:           server.AuthConfig{Mode: server.AuthDev, DevUser: kube.User{Name: user}},
		PermissionsTTL: 200 * time.Millisecond,
	}, server.Deps{Kube: client, Objects: objects, Access: kube.NewAccess(client, kube.AccessOptions{TTL: 200 * time.Millisecond})})

	b := newBrowser(t, chromium)
	// The namespace was chosen on an earlier visit: the page remembers it.
	within(t, b, 30*time.Second, "open the origin", chromedp.Navigate(origin+"/healthz"))
	eval[chromedp.Void](t, b, `localStorage.setItem(`+jsString(namespaceStorageKey)+`, JSON.stringify(`+jsString(ns)+`))`)
	const nsError = `((document.querySelector('#deploy-namespace-error') || {}).textContent || "")`
	within(t, b, 60*time.Second, "open the deploy page",
		chromedp.Navigate(origin+"/apps/deploy"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#deploy-permissions")),
		waitFor(nsError+`.toLowerCase().includes("create") && `+nsError+`.includes(`+jsString(ns)+`)`),
		waitFor(`document.querySelector('#deploy-next').disabled`))

	shown := eval[string](t, b, nsError)
	if v := eval[string](t, b, `document.querySelector('#deploy-namespace').value`); v != ns {
		t.Errorf("the namespace chosen is %q, want the remembered %q", v, ns)
	}
	if !eval[bool](t, b, `document.querySelector('#deploy-namespace').getAttribute('aria-describedby').split(' ').includes('deploy-namespace-error')`) ||
		eval[string](t, b, `document.querySelector('#deploy-namespace').getAttribute('aria-invalid')`) != "true" {
		t.Error("the namespace field is not marked invalid with its reason")
	}
	if option := eval[string](t, b, `document.querySelector('#deploy-namespace option:checked').textContent`); !strings.Contains(option, "you may not deploy here") {
		t.Errorf("the namespace's option %q does not say the user may not deploy there", option)
	}
	list := eval[string](t, b, `document.querySelector('#deploy-permissions').textContent`)
	for _, want := range []string{"What you may do in " + ns, "Not allowed: create deployments", "pods"} {
		if !strings.Contains(list, want) {
			t.Errorf("the permissions list lacks %q:\n%s", want, list)
		}
	}
	t.Logf("refused: %q", shown)

	bind("edit")
	deadline := time.Now().Add(20 * time.Second)
	for eval[string](t, b, nsError) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("after the edit RoleBinding the namespace is still refused: %q", eval[string](t, b, nsError))
		}
		within(t, b, 10*time.Second, "check again",
			waitFor(`!document.querySelector('#deploy-recheck').disabled`),
			click(chromedp.CSS("#deploy-recheck")),
			waitFor(`!document.querySelector('#deploy-recheck').disabled`))
		time.Sleep(300 * time.Millisecond)
	}
	within(t, b, 10*time.Second, "fill in Basics: Next is enabled",
		typeInto("deploy-name", "web"),
		typeInto("deploy-image", "nginx:1.27"),
		waitFor(`!document.querySelector('#deploy-next').disabled`),
		waitFor(`!document.querySelector('#deploy-namespace option:checked').textContent.includes("you may not")`))
	if eval[bool](t, b, `document.querySelector('.kd-error-card, .kd-signin') !== null`) {
		t.Error("an error card or the sign-in prompt is showing")
	}
}

// TestSessionEndShowsSignInPrompt: when the session ends, the shell still
// opens from the service worker, the API answers 401, and the app shows one
// sign-in prompt (no toasts) whose link signs in again and comes back.
func TestSessionEndShowsSignInPrompt(t *testing.T) {
	chromium := needBrowser(t)
	proxy, origin := startBehindProxy(t, "ada")
	b := newBrowser(t, chromium)
	within(t, b, 60*time.Second, "signed in",
		chromedp.Navigate(origin+"/"), chromedp.WaitVisible(live),
		waitFor(`document.querySelector('.kd-user-name').textContent === "ada"`))
	waitShellCached(t, b)

	proxy.setSession(false) // the cookie expired
	within(t, b, 30*time.Second, "the shell opens and the API says 401",
		chromedp.Navigate(origin+"/apps/deploy"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS(`#kd-signin[role="alertdialog"]`)))
	// More calls fail the same way: still one prompt, and no toast.
	// The prompt covers the page: follow the link from script.
	eval[chromedp.Void](t, b, `document.querySelector('a.kd-nav-link[href="/"]').click()`)
	within(t, b, 10*time.Second, "navigate with the session ended", chromedp.WaitVisible(chromedp.CSS("#page-overview")))
	time.Sleep(500 * time.Millisecond)
	if n := eval[int](t, b, `document.querySelectorAll('.kd-signin').length`); n != 1 {
		t.Errorf("%d sign-in prompts, want 1", n)
	}
	if n := eval[int](t, b, `document.querySelectorAll('.kd-toast').length`); n != 0 {
		t.Errorf("%d toasts beside the prompt: %s", n, eval[string](t, b, `document.querySelector('.kd-toasts').textContent`))
	}
	if text := eval[string](t, b, `document.querySelector('#kd-signin').textContent`); !strings.Contains(text, "Your session has ended — sign in again") {
		t.Errorf("prompt text %q", text)
	}
	if href := eval[string](t, b, `document.querySelector('#kd-signin-link').getAttribute('href')`); href != "/oauth2/start?rd=%2Fapps%2Fdeploy" {
		t.Errorf("sign-in link %q, want oauth2-proxy's start coming back to /apps/deploy", href)
	}

	within(t, b, 10*time.Second, "sign in again", click(chromedp.CSS("#kd-signin-link")))
	waitAcrossLoads(t, b, "back on the deploy page, signed in",
		`location.pathname === "/apps/deploy" && document.querySelector('.kd-live .kd-user-name')?.textContent === "ada"`)
	if eval[bool](t, b, `document.querySelector('.kd-signin') !== null`) {
		t.Error("the prompt is still there after signing in")
	}
}

// TestLogoutClearsPersistedState: logout removes what the app keeps in the
// browser about the user (all but the theme, and any cache besides go-app's
// shell cache), then loads the sign-out URL.
func TestLogoutClearsPersistedState(t *testing.T) {
	chromium := needBrowser(t)
	proxy, origin := startBehindProxy(t, "ada")
	b := newBrowser(t, chromium)
	within(t, b, 60*time.Second, "signed in",
		chromedp.Navigate(origin+"/"), chromedp.WaitVisible(live),
		waitFor(`document.querySelector('.kd-user-name').textContent === "ada"`))
	waitShellCached(t, b)
	eval[bool](t, b, `(async () => {
		localStorage.setItem("kubedeck.theme", '"dark"');
		localStorage.setItem("kubedeck.namespace", '"team-a"');
		localStorage.setItem("kubedeck/objects", '{"kind":"pods"}');
		sessionStorage.setItem("kubedeck.draft", '"x"');
		const c = await caches.open("kubedeck-api-test");
		await c.put("/api/v1/namespaces", new Response("{}"));
		return true;
	})()`, chromedp.EvalAwaitPromise)

	within(t, b, 10*time.Second, "log out", click(chromedp.CSS("a.kd-logout")))
	waitAcrossLoads(t, b, "the sign-out page", `location.pathname === "/oauth2/sign_out" && document.getElementById("signed-out")`)
	if got := eval[string](t, b, `Object.keys(localStorage).sort().join(",")`); got != "kubedeck.theme" {
		t.Errorf("localStorage keys after logout: %q, want only kubedeck.theme", got)
	}
	if got := eval[string](t, b, `Object.keys(sessionStorage).join(",")`); got != "" {
		t.Errorf("sessionStorage keys after logout: %q", got)
	}
	caches := eval[string](t, b, `caches.keys().then(ks => ks.sort().join(","))`, chromedp.EvalAwaitPromise)
	if strings.Contains(caches, "kubedeck-api-test") || !strings.Contains(caches, "app-") {
		t.Errorf("caches after logout: %q, want go-app's shell cache only", caches)
	}
	if n := proxy.signedOut(); n != 1 {
		t.Errorf("the sign-out URL was loaded %d times, want 1", n)
	}
}
