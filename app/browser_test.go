//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The viewport of the tests, but for the narrow-screen check.
const wideWidth, wideHeight = 1280, 800

// live is the layout once the WASM runs (the prerendered one lacks kd-live).
const live = chromedp.CSS(".kd-app.kd-live")

// TestBrowserSmoke runs the UI in headless Chromium against the real server,
// at the root and under a base path.
func TestBrowserSmoke(t *testing.T) {
	chromium := needBrowser(t)
	registerTestRoutes()
	for _, base := range []string{"", "/v2"} {
		t.Run("base="+base, func(t *testing.T) {
			t.Parallel() // each base has its own server and browser context
			smoke(t, chromium, base)
		})
	}
}

func smoke(t *testing.T, chromium, base string) {
	srv := startServer(t, base, "smoke-1")
	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	root := srv.origin + base + "/"

	// Cold load: nothing cached, the WASM is downloaded and compiled.
	start := time.Now()
	within(t, ctx, 60*time.Second, "cold load", chromedp.Navigate(root), chromedp.WaitVisible(live))
	cold := time.Since(start)
	within(t, ctx, 10*time.Second, "overview page, the user and the dev-mode banner",
		chromedp.WaitVisible(chromedp.CSS("#page-overview")),
		waitFor(`document.querySelector('.kd-user-name').textContent === "ada"`),
		chromedp.WaitVisible(chromedp.CSS(".kd-dev-banner")),
		waitFor(`document.querySelector('a.kd-logout').getAttribute('href') === `+jsString(signOutURL(base))),
	)

	// The service worker registers with the base path as its scope and
	// takes control of the page.
	scope := eval[string](t, ctx, `navigator.serviceWorker.ready.then(r => r.scope)`, chromedp.EvalAwaitPromise)
	if scope != root {
		t.Errorf("service worker scope %q, want %q", scope, root)
	}
	within(t, ctx, 15*time.Second, "service worker controls the page",
		waitFor(`navigator.serviceWorker.controller !== null`))

	// Before the other pages: they ask for what this server, which has no
	// cluster, answers 503, and the indicator shows the last call's outcome.
	checkServerVersion(t, ctx)
	checkManifest(t, ctx, srv.origin, base)
	checkNavigation(t, ctx, base)

	// Warm load: the service worker answers from its cache.
	start = time.Now()
	within(t, ctx, 30*time.Second, "warm load", chromedp.Navigate(root), chromedp.WaitVisible(live))
	warm := time.Since(start)
	t.Logf("base %q: layout visible %v after navigation cold, %v warm (service worker)", base, cold.Round(time.Millisecond), warm.Round(time.Millisecond))

	checkNarrowScreen(t, ctx, base)
	checkErrorBoundary(t, ctx, srv, base)
	if errs := withoutNoClusterReplies(console.take()); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}

	checkLogoutLeavesTheApp(t, ctx, base)
	srv = checkUpdateBanner(t, ctx, srv, base)
	checkOffline(t, ctx, srv, base)
}

// checkNarrowScreen: at 360 px nothing overflows sideways and the sidebar
// is a menu the header's button opens; following a link closes it.
func checkNarrowScreen(t *testing.T, ctx context.Context, base string) {
	within(t, ctx, 10*time.Second, "360 px wide",
		chromedp.EmulateViewport(360, 740),
		chromedp.WaitVisible(chromedp.CSS(".kd-menu-button")),
		chromedp.WaitNotVisible(chromedp.CSS("#kd-nav")),
	)
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the page is %d px wide at a 360 px viewport", w)
	}
	within(t, ctx, 10*time.Second, "open the menu and follow a link",
		click(chromedp.CSS(".kd-menu-button")),
		chromedp.WaitVisible(chromedp.CSS("#kd-nav")),
		chromedp.WaitVisible(chromedp.CSS(`.kd-menu-button[aria-expanded="true"]`)),
		click(chromedp.CSS(`a.kd-nav-link[href="`+base+`/apps/objects"]`)),
		chromedp.WaitVisible(chromedp.CSS("#page-objects")),
		chromedp.WaitNotVisible(chromedp.CSS("#kd-nav")),
		chromedp.EmulateViewport(wideWidth, wideHeight),
		chromedp.WaitVisible(chromedp.CSS("#kd-nav")),
	)
}

// checkUpdateBanner deploys a new version in place of the running one: the
// service worker fetches it, the banner offers to reload, and Reload shows
// the new version.
func checkUpdateBanner(t *testing.T, ctx context.Context, old *testServer, base string) *testServer {
	within(t, ctx, 30*time.Second, "back to the app", chromedp.Navigate(old.origin+base+"/"), chromedp.WaitVisible(live))
	old.stop()
	srv := startServerAt(t, strings.TrimPrefix(old.origin, "http://"), base, "smoke-2")
	// The new version is a cold load of the whole WASM, then the service
	// worker's update: on two busy cores that took over 60 s twice.
	within(t, ctx, 120*time.Second, "update banner after a new version is deployed",
		chromedp.Navigate(srv.origin+base+"/"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS(".kd-update-banner")),
		click(chromedp.CSS(".kd-update-banner button")),
	)
	waitAcrossLoads(t, ctx, "the new version after Reload",
		`document.querySelector('.kd-live .kd-version').textContent === "Kubedeck smoke-2"`)
	return srv
}

func checkManifest(t *testing.T, ctx context.Context, origin, base string) {
	href := eval[string](t, ctx, `document.querySelector('link[rel="manifest"]').getAttribute('href')`)
	if want := base + "/manifest.webmanifest"; href != want {
		t.Errorf("manifest link %q, want %q", href, want)
	}
	resp, err := http.Get(origin + href)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct {
		Name       string `json:"name"`
		Short      string `json:"short_name"`
		StartURL   string `json:"start_url"`
		Scope, ID  string
		Theme      string `json:"theme_color"`
		Background string `json:"background_color"`
		Display    string `json:"display"`
		Icons      []struct{ Src, Type, Sizes, Purpose string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("manifest is not JSON: %v", err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/manifest+json" {
		t.Errorf("manifest Content-Type %q", ct)
	}
	if m.Name != "Kubedeck" || m.Short != "Kubedeck" || m.StartURL != base+"/" || m.Scope != base+"/" ||
		m.Theme == "" || m.Background == "" || m.Display != "standalone" {
		t.Errorf("manifest fields: %+v", m)
	}
	kinds := map[string]bool{}
	for _, icon := range m.Icons {
		kinds[icon.Sizes+" "+icon.Type+" "+icon.Purpose] = true
		r, err := http.Get(origin + icon.Src)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != icon.Type {
			t.Errorf("icon %s: %s, Content-Type %q, want 200 and %q", icon.Src, r.Status, r.Header.Get("Content-Type"), icon.Type)
		}
	}
	for _, want := range []string{"192x192 image/png ", "512x512 image/png ", "512x512 image/png maskable", "any image/svg+xml "} {
		if !kinds[want] {
			t.Errorf("no icon %q in the manifest (have %v)", want, kinds)
		}
	}
}

// checkNavigation follows every link of the sidebar and checks that the page
// changes without a reload (a marker set on window survives).
func checkNavigation(t *testing.T, ctx context.Context, base string) {
	eval[chromedp.Void](t, ctx, `window.kubedeckMarker = "still here"`)
	pages := shellPages()
	for _, p := range append(pages[1:], pages[0]) {
		link := chromedp.CSS(`a.kd-nav-link[href="` + base + p.path + `"]`)
		within(t, ctx, 10*time.Second, "navigate to "+p.path,
			click(link),
			chromedp.WaitVisible(chromedp.CSS("#page-"+string(p.id))),
			chromedp.WaitVisible(chromedp.CSS(`a.kd-nav-current[href="`+base+p.path+`"]`)),
		)
		if path := eval[string](t, ctx, `location.pathname`); path != base+p.path {
			t.Errorf("location %q after following the link to %s", path, p.path)
		}
		if marker := eval[string](t, ctx, `String(window.kubedeckMarker)`); marker != "still here" {
			t.Fatalf("the page reloaded when navigating to %s", p.path)
		}
		if title := eval[string](t, ctx, `document.title`); title != p.title+" · Kubedeck" {
			t.Errorf("title %q on %s", title, p.path)
		}
	}
}

// checkServerVersion waits until the overview shows the server's version
// and the connection as connected.
func checkServerVersion(t *testing.T, ctx context.Context) {
	within(t, ctx, 15*time.Second, "server version and connection on the overview",
		waitFor(`document.querySelector('.kd-facts').textContent.includes('smoke-1') &&
			document.querySelector('.kd-conn').classList.contains('kd-conn-connected')`))
}

func checkErrorBoundary(t *testing.T, ctx context.Context, srv *testServer, base string) {
	within(t, ctx, 30*time.Second, "open the error boundary demo",
		chromedp.Navigate(srv.origin+base+testPanicPath), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#panic-demo")), chromedp.WaitVisible(chromedp.CSS("#click-counter")))
	for _, trigger := range []string{"#panic-handler", "#panic-render"} {
		within(t, ctx, 10*time.Second, "panic with "+trigger,
			click(chromedp.CSS(trigger)),
			chromedp.WaitVisible(chromedp.CSS(".kd-error-card")),
			chromedp.WaitNotPresent(chromedp.CSS("#panic-demo")),
		)
		// The sibling and the layout still work.
		before := eval[string](t, ctx, `document.querySelector('#sibling-count').textContent`)
		within(t, ctx, 10*time.Second, "sibling after the panic",
			click(chromedp.CSS("#sibling-count")),
			waitFor(`document.querySelector('#sibling-count').textContent !== `+jsString(before)),
			click(chromedp.CSS(".kd-theme-toggle")),
			chromedp.WaitVisible(chromedp.CSS(".kd-app[data-theme]")),
			click(chromedp.CSS(".kd-theme-toggle")),
			click(chromedp.CSS(".kd-theme-toggle")),
			chromedp.WaitNotPresent(chromedp.CSS(".kd-app[data-theme]")),
		)
		within(t, ctx, 10*time.Second, "retry after "+trigger,
			click(chromedp.CSS(".kd-error-card-retry")),
			chromedp.WaitVisible(chromedp.CSS("#panic-demo")),
			chromedp.WaitNotPresent(chromedp.CSS(".kd-error-card")),
		)
	}
	// Both panics reached the server's log.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(srv.logs.String(), `"component":"panic-demo"`) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the server logged %d of 2 client errors:\n%s",
				strings.Count(srv.logs.String(), `"component":"panic-demo"`), srv.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signOutURL is the logout link's default under base: oauth2-proxy's
// sign-out, coming back to base (not to "/", another application).
func signOutURL(base string) string {
	if base == "" {
		return "/oauth2/sign_out"
	}
	return base + "/oauth2/sign_out?rd=" + url.QueryEscape(base+"/")
}

// checkLogoutLeavesTheApp: the logout link is a real page load of
// oauth2-proxy's sign-out URL, not a route of the app.
func checkLogoutLeavesTheApp(t *testing.T, ctx context.Context, base string) {
	eval[chromedp.Void](t, ctx, `window.kubedeckMarker = "still here"`)
	within(t, ctx, 10*time.Second, "log out", click(chromedp.CSS("a.kd-logout")))
	waitAcrossLoads(t, ctx, "a new page at the sign-out URL",
		`location.pathname === `+jsString(base+"/oauth2/sign_out")+` && window.kubedeckMarker === undefined`)
}

// checkOffline stops the server and reloads: the shell still opens, from
// the service worker's cache, on the start page and on another route.
func checkOffline(t *testing.T, ctx context.Context, srv *testServer, base string) {
	within(t, ctx, 30*time.Second, "back to the app", chromedp.Navigate(srv.origin+base+"/"), chromedp.WaitVisible(live))
	srv.stop()
	for _, p := range []string{"/", "/apps/charts"} {
		within(t, ctx, 30*time.Second, "open "+p+" with the server down",
			chromedp.Navigate(srv.origin+base+p), chromedp.WaitVisible(live),
			chromedp.WaitVisible(chromedp.CSS("#page-"+map[string]string{"/": "overview", "/apps/charts": "charts"}[p])),
			// The indicator says the server cannot be reached.
			chromedp.WaitVisible(chromedp.CSS(".kd-conn-reconnecting")),
		)
	}
	within(t, ctx, 10*time.Second, "navigate with the server down",
		click(chromedp.CSS(`a.kd-nav-link[href="`+base+`/apps/deploy"]`)),
		chromedp.WaitVisible(chromedp.CSS("#page-deploy")))
}
