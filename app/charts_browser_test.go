//go:build !wasm

package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/server"
)

// byID is the CSS selector of the element with id, whatever characters
// the id holds (release and chart ids hold a '/').
func byID(id string) chromedp.CSS { return chromedp.CSS(`[id=` + jsString(id) + `]`) }

// jsToast is true when a toast of level holds text.
func jsToast(level, text string) string {
	return `[...document.querySelectorAll('.kd-toast-` + level + `')].some(t => t.textContent.includes(` + jsString(text) + `))`
}

// TestChartsBrowser installs a chart from the catalog in Chromium, against
// a real server on the local cluster reaching a real chart repository
// (kwok runs the release's Pods): the catalog is searched, the search
// survives a reload, a name Helm refuses and values the chart's schema
// refuses show their errors beside their fields, the install is followed
// to its end, and the release is listed, opened and uninstalled.
func TestChartsBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "charts-e2e")
	repo := helmtest.NewRepo(t, helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"})
	origin := serveWithRepo(t, c, repo.URL)

	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	card := `document.querySelector('[data-chart="test/web"]')`
	within(t, ctx, 90*time.Second, "open the charts page, then the catalog",
		chromedp.Navigate(origin+"/apps/charts"), chromedp.WaitVisible(live),
		waitFor(`document.querySelector('#page-charts .kd-state-empty, #kd-releases') !== null`),
		click(chromedp.CSS("#kd-view-catalog")),
		waitFor(`new URLSearchParams(location.search).get("view") === "catalog"`),
		waitFor(card+` !== null`))
	if got := eval[string](t, ctx, card+`.querySelector('.kd-catalog-latest').textContent`); got != "1.0.0" {
		t.Errorf("the web chart's latest version shows as %q", got)
	}

	checkCatalogSearch(t, ctx, card)

	within(t, ctx, 10*time.Second, "choose the web chart",
		click(byID("kd-choose-test/web")),
		chromedp.WaitVisible(chromedp.CSS("#kd-install")),
		waitFor(`new URLSearchParams(location.search).get("chart") === "test/web"`),
		waitFor(`document.getElementById("kd-install-version").value === "1.0.0"`))
	within(t, ctx, 10*time.Second, "a name Helm refuses shows its error",
		setField("kd-install-name", "Web"),
		waitFor(`document.getElementById("kd-install-name-error").textContent.includes("lower case")`),
		waitFor(`document.getElementById("kd-install-name").getAttribute("aria-invalid") === "true"`),
		setField("kd-install-name", "web-e2e"),
		waitFor(`document.getElementById("kd-install-name-error").textContent === ""`))
	if !eval[bool](t, ctx, `[...document.querySelectorAll('#kd-install-namespace option')].some(o => o.value === `+jsString(ns)+`)`) {
		t.Fatalf("the test's namespace %s is not offered", ns)
	}
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("kd-install-namespace");
		s.value = `+jsString(ns)+`; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)

	checkDefaultsAndPreview(t, ctx, ns)

	// Install is refused for the chart's schema: the error shows beside
	// the values, and the line it is about is marked.
	within(t, ctx, 90*time.Second, "values the schema refuses show their error beside their line",
		setField("kd-install-values", "greeting: hi\nreplicaCount: 9\n"),
		click(chromedp.CSS("#kd-install-submit")),
		waitFor(`(document.getElementById("kd-install-values-error") || {dataset: {}}).dataset.path === "$.replicaCount"`),
		waitFor(`[...document.querySelectorAll("#kd-install-values-gutter .kd-gutter-bad")].map(e => e.dataset.line).join() === "2"`),
		waitFor(`document.querySelector("#kd-install-values-problems li").textContent.includes("Line 2")`),
		chromedp.WaitVisible(chromedp.CSS("#kd-install-submit")))
	t.Logf("the values' error: %q", eval[string](t, ctx, `document.getElementById("kd-install-values-error").textContent`))
	// The marked line number sits beside its line of text.
	if d := eval[float64](t, ctx, `(() => { const g = document.querySelector("#kd-install-values-gutter .kd-gutter-bad"),
		ta = document.getElementById("kd-install-values");
		return Math.abs(g.getBoundingClientRect().top - (ta.getBoundingClientRect().top + 6 + 20)); })()`); d > 2 {
		t.Errorf("the marked line number is %.0f px off its line", d)
	}
	within(t, ctx, 10*time.Second, "the problem's button selects its line",
		click(chromedp.CSS("#kd-install-values-problems button")),
		waitFor(`(() => { const ta = document.getElementById("kd-install-values");
			return document.activeElement === ta && ta.value.slice(ta.selectionStart, ta.selectionEnd) === "replicaCount: 9"; })()`))

	within(t, ctx, 60*time.Second, "a reload keeps what was typed",
		setField("kd-install-values", "greeting: kept\n"),
		chromedp.Reload(), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#kd-install")),
		waitFor(`document.getElementById("kd-install-values").value === "greeting: kept\n"`),
		waitFor(`document.getElementById("kd-install-name").value === "web-e2e"`),
		waitFor(`document.getElementById("kd-install-namespace").value === `+jsString(ns)))

	start := time.Now()
	within(t, ctx, 10*time.Second, "Install with values that fit",
		setField("kd-install-values", "greeting: hi"),
		waitFor(`document.getElementById("kd-install-values-error").textContent === ""`),
		waitFor(`document.querySelectorAll("#kd-install-values-gutter .kd-gutter-bad, #kd-install-values-problems li").length === 0`),
		click(chromedp.CSS("#kd-install-submit")),
		chromedp.WaitVisible(chromedp.CSS("#kd-install-progress")))
	within(t, ctx, 150*time.Second, "the install succeeds, with a toast",
		waitFor(`(document.getElementById("kd-install-progress") || {dataset: {}}).dataset.phase === "succeeded"`),
		waitFor(jsToast("success", "Release "+ns+"/web-e2e installed.")))
	t.Logf("installed %v after Install: %q", time.Since(start).Round(time.Millisecond),
		eval[string](t, ctx, `document.getElementById("kd-install-progress").textContent`))

	key := ns + "/web-e2e"
	row := `document.querySelector('[data-release=` + jsString(key) + `]')`
	within(t, ctx, 30*time.Second, "the release is listed, deployed",
		click(chromedp.CSS("#kd-install-releases")),
		waitFor(`location.search === ""`),
		waitFor(row+` !== null && `+row+`.dataset.status === "deployed"`))
	within(t, ctx, 30*time.Second, "its drawer shows it",
		click(byID("kd-open-"+key)),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`(document.getElementById("kd-tabpanel") || {}).textContent?.includes("web 1.0.0")`))
	within(t, ctx, 20*time.Second, "Uninstall asks first, once the user's rights are known",
		waitFor(`!document.getElementById("kd-drawer-uninstall").disabled`),
		click(chromedp.CSS("#kd-drawer-uninstall")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")),
		waitFor(`document.getElementById("kd-confirm-list").textContent.includes("web-e2e")`))
	start = time.Now()
	within(t, ctx, 120*time.Second, "uninstall it",
		click(chromedp.CSS("#kd-confirm-delete")),
		waitFor(jsToast("success", "Release "+key+" uninstalled.")),
		waitFor(`document.getElementById("kd-drawer") === null`),
		waitFor(row+` === null`))
	t.Logf("the release left the list %v after the confirmation", time.Since(start).Round(time.Millisecond))
	// Chromium logs every refused request: the install refused for its
	// values (400), and the test chart's icon, whose host does not exist
	// here (404: the page shows the letter instead). Nothing else may be.
	var errs []string
	for _, e := range console.take() {
		if strings.Contains(e, "Failed to load resource: the server responded with a status of 400") ||
			strings.Contains(e, "Failed to load resource: the server responded with a status of 404") {
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// serveWithRepo serves Kubedeck in dev auth mode on c with the chart
// repository at url as "test", given to the Helm client as the flags give
// it.
func serveWithRepo(t *testing.T, c *objectsCluster, url string) string {
	t.Helper()
	cfg, err := parseConfig([]string{"--helm-repo", "test=" + url, "--helm-timeout", "2m"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	hopts, err := cfg.helmOptions()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := helm.New(c.client, hopts)
	if err != nil {
		t.Fatal(err)
	}
	return serveKubedeck(t, server.Config{Auth: server.AuthConfig{
		Mode: server.AuthDev, DevUser: kube.User{Name: objectsDevUser, Groups: []string{"developers"}},
	}}, server.Deps{Kube: c.client, Objects: c.objects, Access: c.access, Helm: hc,
		Operations: operations.NewMemory(operations.MemoryOptions{})})
}

// checkCatalogSearch searches the catalog as a user types: a search with
// no match says so, the query is in the URL and survives a reload.
func checkCatalogSearch(t *testing.T, ctx context.Context, card string) {
	t.Helper()
	within(t, ctx, 20*time.Second, "search for a chart that is not there",
		typeInto("kd-catalog-search", "zzz"),
		waitFor(`new URLSearchParams(location.search).get("q") === "zzz"`),
		waitFor(`document.querySelector('#kd-catalog .kd-state-empty') !== null && `+card+` === null`))
	within(t, ctx, 20*time.Second, "search for web",
		setField("kd-catalog-search", "web"),
		waitFor(`new URLSearchParams(location.search).get("q") === "web"`),
		waitFor(card+` !== null`))
	within(t, ctx, 60*time.Second, "a reload keeps the search",
		chromedp.Reload(), chromedp.WaitVisible(live),
		waitFor(`document.getElementById("kd-catalog-search").value === "web"`),
		waitFor(`document.getElementById("kd-view-catalog").getAttribute("aria-selected") === "true"`),
		waitFor(card+` !== null`))
}

// checkDefaultsAndPreview shows the chart's defaults, starts the values
// from them, then previews the install as a dry run: the objects it would
// make show, and nothing is made.
func checkDefaultsAndPreview(t *testing.T, ctx context.Context, ns string) {
	t.Helper()
	within(t, ctx, 30*time.Second, "the chart's defaults show",
		waitFor(`(document.getElementById("kd-install-defaults") || {dataset: {}}).dataset.status === "loaded"`),
		click(chromedp.CSS("#kd-install-defaults summary")),
		waitFor(`document.getElementById("kd-install-defaults-text").textContent.includes("replicaCount: 1")`),
		waitFor(`document.getElementById("kd-install-defaults").textContent.includes("values.yaml of web 1.0.0")`))
	within(t, ctx, 10*time.Second, "start from the defaults, which fill the empty box only",
		click(chromedp.CSS("#kd-install-defaults-use")),
		waitFor(`document.getElementById("kd-install-values").value.includes("greeting: hello")`),
		waitFor(`document.getElementById("kd-install-defaults-use").disabled`),
		waitFor(`document.querySelectorAll("#kd-install-values-gutter .kd-gutter-line").length === document.getElementById("kd-install-values").value.split("\n").length`))
	within(t, ctx, 60*time.Second, "Preview renders the install as a dry run",
		setField("kd-install-values", "greeting: hi\nreplicaCount: 2\n"),
		click(chromedp.CSS("#kd-install-dryrun")),
		waitFor(`(document.getElementById("kd-install-preview") || {dataset: {}}).dataset.status === "loaded"`),
		waitFor(`document.querySelector('#kd-install-preview-objects [data-object="Deployment/web-e2e"]') !== null`),
		waitFor(`document.getElementById("kd-install-preview-summary").textContent.includes("Nothing was changed")`))
	if m := eval[string](t, ctx, `document.querySelector("#kd-install-preview-manifest pre").textContent`); !strings.Contains(m, "replicas: 2") || strings.Contains(m, "s3cret") {
		t.Errorf("the preview's manifest does not show 2 replicas, or shows the Secret's value:\n%s", m)
	}
	// On a phone, the form, the editor and the preview fit the screen.
	within(t, ctx, 10*time.Second, "360 px wide", chromedp.EmulateViewport(360, 740),
		chromedp.WaitVisible(chromedp.CSS(".kd-menu-button")))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("the install form is %d px wide at a 360 px viewport", w)
	}
	within(t, ctx, 10*time.Second, "back to a wide screen", chromedp.EmulateViewport(wideWidth, wideHeight),
		chromedp.WaitVisible(chromedp.CSS("#kd-nav")))
	within(t, ctx, 10*time.Second, "a change hides the preview, which no longer says what Install does",
		setField("kd-install-values", "greeting: hi\n"),
		waitFor(`document.getElementById("kd-install-preview").dataset.status === undefined`))
	if _, err := clusterAdmin(t).AppsV1().Deployments(ns).Get(ctx, "web-e2e", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("after the preview, the Deployment web-e2e: %v, want none", err)
	}
}
