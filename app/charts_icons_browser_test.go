//go:build !wasm

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/shared"
)

// TestChartsIconsLiveUpgradeBrowser runs the charts page in Chromium
// against a real repository whose chart's SVG icon holds a script: the
// icon shows, from Kubedeck's origin, in the list and the catalog, and
// its script never runs, not even with the icon opened on its own; a
// chart whose "icon" is an HTML page gets its letter. A release
// uninstalled behind the page's back leaves the list without a reload,
// and the drawer upgrades a release to the chart's next version.
func TestChartsIconsLiveUpgradeBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "charts-icons")

	// What the icon's script would reach, had it run.
	var hits atomic.Int64
	trap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(trap.Close)
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48">` +
		`<rect width="48" height="48" fill="#36c"/><script>document.title = "pwned"; fetch("` + trap.URL + `/svg");` +
		`new Image().src = "` + trap.URL + `/img";</script></svg>`

	repo := helmtest.NewRepoOf(t)
	src := helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"}
	v1, v11 := helmtest.Load(t, src), helmtest.Load(t, helmtest.Chart{Dir: src.Dir, Version: "1.1.0"})
	page := helmtest.Load(t, helmtest.Chart{Dir: src.Dir, Version: "1.0.0"})
	page.Metadata.Name = "page"
	v1.Metadata.Icon, v11.Metadata.Icon, page.Metadata.Icon = "icons/web.svg", "icons/web.svg", "icons/page.html"
	repo.Publish(t, v1, v11, page)
	repo.Set("icons/web.svg", []byte(svg))
	repo.Set("icons/page.html", []byte(`<!doctype html><html><body><script>fetch("`+trap.URL+`/html")</script>Hello</body></html>`))

	origin := serveWithRepo(t, c, repo.URL)

	// Two releases, installed through the API.
	api := newAPIClient(origin + "/api/v1")
	bg, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	for _, name := range []string{"icon-a", "icon-b"} {
		var rep shared.OperationReply
		err := api.post(bg, "/charts", shared.ChartInstall{Name: name, Namespace: ns, Chart: "test/web",
			Version: "1.0.0", Values: "greeting: hi"}, &rep)
		if err != nil {
			t.Fatalf("install %s: %v", name, err)
		}
		waitOperation(t, bg, api, rep.Operation)
	}

	ctx := newBrowser(t, chromium)
	iconBase := origin + "/api/v1/catalog/icon?"
	row := func(name string) string {
		return `document.querySelector('[data-release=` + jsString(ns+"/"+name) + `]')`
	}
	loadedImg := func(el string) string {
		return `(() => { const i = ` + el + `?.querySelector('img.kd-release-icon');
			return !!i && i.src.startsWith(` + jsString(iconBase) + `) && i.complete && i.naturalWidth > 0; })()`
	}
	within(t, ctx, 90*time.Second, "the releases show, each with the chart's icon loaded from Kubedeck",
		chromedp.Navigate(origin+"/apps/charts"), chromedp.WaitVisible(live),
		waitFor(row("icon-a")+` !== null && `+row("icon-b")+` !== null`),
		waitFor(loadedImg(row("icon-a"))), waitFor(loadedImg(row("icon-b"))))
	t.Logf("the icon's address: %s", eval[string](t, ctx, row("icon-a")+`.querySelector('img').src`))

	webCard, pageCard := `document.querySelector('[data-chart="test/web"]')`, `document.querySelector('[data-chart="test/page"]')`
	within(t, ctx, 60*time.Second, "the catalog shows the icon, and the letter for a page given as an icon",
		click(chromedp.CSS("#kd-view-catalog")),
		waitFor(webCard+` !== null && `+pageCard+` !== null`),
		waitFor(loadedImg(webCard)),
		waitFor(pageCard+`.querySelector('img') === null && `+pageCard+`.querySelector('span.kd-release-icon').textContent === "P"`))
	icon := eval[string](t, ctx, webCard+`.querySelector('img').src`)
	within(t, ctx, 30*time.Second, "open the icon on its own",
		chromedp.Navigate(icon), waitFor(`document.readyState === "complete"`))
	time.Sleep(time.Second)
	if title := eval[string](t, ctx, `document.title`); title == "pwned" {
		t.Error("the icon's script ran: it set the title")
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the icon's script ran: %d requests reached the trap", n)
	}
	within(t, ctx, 60*time.Second, "back to the releases",
		chromedp.Navigate(origin+"/apps/charts"), chromedp.WaitVisible(live), waitFor(row("icon-a")+` !== null`))

	checkUpgrade(t, ctx, ns, row("icon-a"))
	checkLiveUninstall(t, ctx, bg, api, ns, row("icon-b"))
}

// checkLiveUninstall uninstalls a release through the API while the page
// shows it: it leaves the list within seconds, without a reload.
func checkLiveUninstall(t *testing.T, ctx, bg context.Context, api *apiClient, ns, row string) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `window.kdNoReload = true`)
	time.Sleep(2 * time.Second) // the subscriptions settle
	var res shared.BulkUninstallResult
	if err := api.post(bg, "/charts/uninstall", shared.BulkUninstall{Releases: []shared.ReleaseRef{{Namespace: ns, Name: "icon-b"}}}, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 1 || res.Results[0].Operation == nil {
		t.Fatalf("uninstall: %+v", res)
	}
	waitOperation(t, bg, api, *res.Results[0].Operation)
	start := time.Now()
	within(t, ctx, 5*time.Second, "the list, read again, counts one release less", waitFor(releaseCountIs("1 release")))
	t.Logf("the list changed %v after the uninstall ended", time.Since(start).Round(time.Millisecond))
	rowsFollow(t, ctx, "the release uninstalled elsewhere leaves the table", row+` === null`)
	if !eval[bool](t, ctx, `window.kdNoReload === true`) {
		t.Error("the page was reloaded")
	}
}

// checkUpgrade upgrades a release from its drawer to the chart's 1.1.0.
func checkUpgrade(t *testing.T, ctx context.Context, ns, row string) {
	t.Helper()
	key := ns + "/icon-a"
	within(t, ctx, 30*time.Second, "the drawer's Upgrade opens the form on the chart's versions and the release's values",
		click(byID("kd-open-"+key)),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`!document.getElementById("kd-drawer-upgrade").disabled`),
		click(chromedp.CSS("#kd-drawer-upgrade")),
		chromedp.WaitVisible(chromedp.CSS("#kd-upgrade")),
		waitFor(`[...document.querySelectorAll('#kd-upgrade-version option')].some(o => o.value === "1.1.0")`),
		waitFor(`document.getElementById("kd-upgrade-values").value.includes("greeting: hi")`))
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("kd-upgrade-version");
		s.value = "1.1.0"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	within(t, ctx, 60*time.Second, "the running version is marked, and Preview renders the upgrade as a dry run",
		waitFor(`document.querySelector('#kd-upgrade-version option[value="1.0.0"]').textContent.includes("running now")`),
		waitFor(`(document.getElementById("kd-upgrade-defaults") || {dataset: {}}).dataset.status === "loaded"`),
		click(chromedp.CSS("#kd-upgrade-dryrun")),
		waitFor(`(document.getElementById("kd-upgrade-preview") || {dataset: {}}).dataset.status === "loaded"`),
		waitFor(`document.getElementById("kd-upgrade-preview-summary").textContent.includes("the upgrade would make revision 2 of `+ns+`/icon-a")`))
	start := time.Now()
	within(t, ctx, 150*time.Second, "the upgrade succeeds, with a toast",
		click(chromedp.CSS("#kd-upgrade-submit")),
		chromedp.WaitVisible(chromedp.CSS("#kd-upgrade-progress")),
		waitFor(`(document.getElementById("kd-upgrade-progress") || {dataset: {}}).dataset.phase === "succeeded"`),
		waitFor(jsToast("success", "Release "+key+" upgraded.")))
	t.Logf("upgraded %v after Upgrade", time.Since(start).Round(time.Millisecond))
	within(t, ctx, 30*time.Second, "the list shows the new version",
		click(chromedp.CSS("#kd-upgrade-another")),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`(document.getElementById("kd-tabpanel") || {}).textContent?.includes("web 1.1.0")`),
		click(chromedp.CSS("#kd-drawer-close")))
	rowsFollow(t, ctx, "the table shows the new version", row+`?.textContent.includes("web 1.1.0")`)
}

// waitOperation waits for op to end, and fails unless it succeeded.
func waitOperation(t *testing.T, ctx context.Context, api *apiClient, op shared.Operation) {
	t.Helper()
	for !op.Done() {
		select {
		case <-ctx.Done():
			t.Fatalf("operation %s did not end: %+v", op.ID, op)
		case <-time.After(500 * time.Millisecond):
		}
		rep, err := apiGet[shared.OperationReply](ctx, api, "/operations/"+url.PathEscape(op.ID))
		if err != nil {
			t.Fatal(err)
		}
		op = rep.Operation
	}
	if op.Phase != shared.OperationSucceeded {
		t.Fatalf("operation %s: %s %+v", op.ID, op.Phase, op.Error)
	}
}

// releaseCountIs is true when the releases' count says text.
func releaseCountIs(text string) string {
	return `document.querySelector('.kd-release-count')?.textContent === ` + jsString(text)
}

// rowsFollow waits for the releases' rows to show a change of the list,
// failing without stopping the test. (It caught the table keeping its first
// rows: go-app updates a component already on the page only through its
// exported fields.)
func rowsFollow(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, waitFor(expr)); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}
