//go:build !wasm

package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/shared"
)

// TestChartsBulkUninstallBrowser selects releases in Chromium and
// uninstalls them together: select-all ticks every release shown, the
// confirmation closes with Escape or Cancel with nothing removed, and a
// release ticked from the keyboard and one ticked with the mouse are
// exactly what the confirmation lists and what leaves the cluster, each
// with its toast, while the third stays.
func TestChartsBulkUninstallBrowser(t *testing.T) {
	chromium := needBrowser(t)
	names := []string{"bulk-a", "bulk-b", "bulk-c"}
	f := newChartsFixture(t, "charts-bulk", names...)
	c, ns, origin, api, bg := f.c, f.ns, f.origin, f.api, f.bg

	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	row := func(name string) string {
		return `document.querySelector('[data-release=` + jsString(ns+"/"+name) + `]')`
	}
	box := func(name string) string { return `document.getElementById(` + jsString("kd-select-"+ns+"/"+name) + `)` }
	bulk := `document.getElementById("kd-uninstall-selected")`
	within(t, ctx, 90*time.Second, "the three releases are listed",
		chromedp.Navigate(origin+"/apps/charts"), chromedp.WaitVisible(live),
		waitFor(row("bulk-a")+` !== null && `+row("bulk-b")+` !== null && `+row("bulk-c")+` !== null`),
		waitFor(bulk+`.disabled`))
	// Other tests' releases may share the cluster: the namespace filter
	// leaves this test's alone, so select-all is about them only.
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("kd-charts-namespace");
		s.value = `+jsString(ns)+`; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	shownRows := `[...document.querySelectorAll('#kd-releases tr.kd-release')].map(r => r.dataset.release).sort().join(" ")`
	want := ns + "/bulk-a " + ns + "/bulk-b " + ns + "/bulk-c"
	within(t, ctx, 10*time.Second, "the filter shows the namespace's releases alone",
		waitFor(shownRows+` === `+jsString(want)))
	checkTableRows(t, ctx, "#kd-releases")

	checked := func(names ...string) string {
		var parts []string
		for _, n := range names {
			parts = append(parts, box(n)+`.checked`)
		}
		return strings.Join(parts, " && ")
	}
	none := `![...document.querySelectorAll('#kd-releases tbody input[type=checkbox]')].some(b => b.checked)`
	within(t, ctx, 10*time.Second, "select-all ticks every release shown, and unticks them",
		click(chromedp.CSS("#kd-select-all")),
		waitFor(checked(names...)+` && document.getElementById("kd-select-all").checked`),
		waitFor(`!`+bulk+`.disabled && `+bulk+`.textContent === "Uninstall selected (3)"`),
		click(chromedp.CSS("#kd-select-all")),
		waitFor(none+` && !document.getElementById("kd-select-all").checked`),
		waitFor(bulk+`.disabled && `+bulk+`.textContent === "Uninstall selected"`))

	dialogNames := `[...document.querySelectorAll('#kd-confirm-list .kd-confirm-name')].map(n => n.textContent).join(" ")`
	within(t, ctx, 10*time.Second, "select all and ask to uninstall",
		click(chromedp.CSS("#kd-select-all")),
		waitFor(`!`+bulk+`.disabled`),
		click(chromedp.CSS("#kd-uninstall-selected")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")))
	if got := eval[string](t, ctx, dialogNames); got != "bulk-a bulk-b bulk-c" {
		t.Errorf("after select-all, the confirmation lists %q", got)
	}
	within(t, ctx, 10*time.Second, "Escape closes the confirmation",
		waitFor(`document.activeElement?.id === "kd-confirm-cancel"`), // Enter would not uninstall
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS("#kd-confirm")))
	within(t, ctx, 10*time.Second, "Cancel closes it too",
		click(chromedp.CSS("#kd-uninstall-selected")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")),
		click(chromedp.CSS("#kd-confirm-cancel")),
		chromedp.WaitNotPresent(chromedp.CSS("#kd-confirm")),
		waitFor(checked(names...)), // the selection stays
		click(chromedp.CSS("#kd-select-all")),
		waitFor(none))
	time.Sleep(2 * time.Second) // an uninstall sent by mistake would have started
	if got := releasesIn(t, bg, api, ns); !slices.Equal(got, names) {
		t.Fatalf("after the confirmations were closed, the namespace holds %v, want %v", got, names)
	}

	// The Go side has taken the tick once the button counts it: only then
	// is the page laid out for the mouse.
	within(t, ctx, 10*time.Second, "tick bulk-a from the keyboard",
		typeInto("kd-select-"+ns+"/bulk-a", " "),
		waitFor(checked("bulk-a")),
		waitFor(bulk+`.textContent === "Uninstall selected (1)"`))
	within(t, ctx, 10*time.Second, "tick bulk-b with the mouse",
		click(byID("kd-select-"+ns+"/bulk-b")),
		waitFor(checked("bulk-a", "bulk-b")+` && !`+box("bulk-c")+`.checked`),
		waitFor(`!document.getElementById("kd-select-all").checked`),
		waitFor(bulk+`.textContent === "Uninstall selected (2)"`))
	within(t, ctx, 10*time.Second, "the confirmation lists exactly the two",
		click(chromedp.CSS("#kd-uninstall-selected")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")))
	title, list := eval[string](t, ctx, `document.getElementById("kd-confirm-title").textContent`),
		eval[string](t, ctx, `document.getElementById("kd-confirm-list").textContent`)
	if got := eval[string](t, ctx, dialogNames); got != "bulk-a bulk-b" || title != "Uninstall 2 releases?" ||
		strings.Count(list, "in namespace "+ns) != 2 {
		t.Fatalf("the confirmation of bulk-a and bulk-b says %q and lists %q", title, list)
	}
	start := time.Now()
	within(t, ctx, 150*time.Second, "both leave the list, each with its toast; the third stays",
		click(chromedp.CSS("#kd-confirm-delete")),
		waitFor(jsToast("success", "Release "+ns+"/bulk-a uninstalled.")),
		waitFor(jsToast("success", "Release "+ns+"/bulk-b uninstalled.")),
		waitFor(row("bulk-a")+` === null && `+row("bulk-b")+` === null`),
		waitFor(row("bulk-c")+` !== null && `+row("bulk-c")+`.dataset.status === "deployed"`))
	t.Logf("both uninstalled %v after the confirmation", time.Since(start).Round(time.Millisecond))
	if n := eval[int](t, ctx, `[...document.querySelectorAll('.kd-toast-success')].filter(t => t.textContent.includes("uninstalled")).length`); n != 2 {
		t.Errorf("%d success toasts of an uninstall, want 2", n)
	}
	if eval[bool](t, ctx, jsToast("error", "")) {
		t.Errorf("an error toast shows: %q", eval[string](t, ctx, `[...document.querySelectorAll('.kd-toast-error')].map(t => t.textContent).join(" | ")`))
	}

	// The cluster: Helm's Secrets of bulk-a and bulk-b are gone, bulk-c's
	// stay, and the API lists bulk-c alone.
	secrets, err := c.admin.CoreV1().Secrets(ns).List(bg, metav1.ListOptions{LabelSelector: "owner=helm"})
	if err != nil {
		t.Fatal(err)
	}
	var owners []string
	for _, s := range secrets.Items {
		if !slices.Contains(owners, s.Labels["name"]) {
			owners = append(owners, s.Labels["name"])
		}
	}
	slices.Sort(owners)
	if diff := cmp.Diff([]string{"bulk-c"}, owners); diff != "" {
		t.Errorf("the releases of Helm's Secrets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bulk-c"}, releasesIn(t, bg, api, ns)); diff != "" {
		t.Errorf("the releases the API lists (-want +got):\n%s", diff)
	}
	if errs := withoutIconMisses(console.take()); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// TestChartsRollbackBrowser rolls a release back from its drawer in
// Chromium: the History tab offers every revision but the current one,
// the rollback is followed to its end with toasts, and History then shows
// a third revision, deployed, at the first revision's chart version, as
// Helm has it.
func TestChartsRollbackBrowser(t *testing.T) {
	chromium := needBrowser(t)
	f := newChartsFixture(t, "charts-rollback", "roll")
	ns, origin, api, bg := f.ns, f.origin, f.api, f.bg
	var rep shared.OperationReply
	if err := api.do(bg, http.MethodPut, releasePath(shared.ReleaseRef{Namespace: ns, Name: "roll"}),
		shared.ChartInstall{Chart: "test/web", Version: "1.1.0", Values: "greeting: hi"}, &rep); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	waitOperation(t, bg, api, rep.Operation)

	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	key := ns + "/roll"
	row := `document.querySelector('[data-release=` + jsString(key) + `]')`
	revision := func(n string) string {
		return `document.querySelector('#kd-release-history tr[data-revision="` + n + `"]')`
	}
	cells := func(n string) string {
		return `[...` + revision(n) + `.querySelectorAll('td')].slice(0, 3).map(td => td.textContent).join(" ")`
	}
	within(t, ctx, 90*time.Second, "the release is listed at 1.1.0",
		chromedp.Navigate(origin+"/apps/charts"), chromedp.WaitVisible(live),
		waitFor(row+`?.textContent.includes("web 1.1.0")`))
	within(t, ctx, 30*time.Second, "History lists both revisions, revision 1 to roll back to",
		click(byID("kd-open-"+key)),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`document.getElementById("kd-tabpanel").textContent.includes("web 1.1.0")`),
		click(chromedp.CSS("#kd-tab-History")),
		waitFor(`document.getElementById("kd-tab-History").getAttribute("aria-selected") === "true"`),
		waitFor(revision("2")+` !== null && `+revision("1")+` !== null`),
		waitFor(`document.getElementById("kd-rollback-1") !== null`),
		// The buttons wait for the user's rights in the namespace.
		waitFor(`!document.getElementById("kd-rollback-1").disabled`))
	if got := eval[string](t, ctx, cells("2")); got != "2 deployed 1.1.0" {
		t.Errorf("revision 2 shows %q", got)
	}
	if eval[bool](t, ctx, `document.getElementById("kd-rollback-2") !== null`) {
		t.Error("the current revision offers a rollback")
	}

	start := time.Now()
	within(t, ctx, 150*time.Second, "roll back to revision 1: started, then done, each with a toast",
		click(chromedp.CSS("#kd-rollback-1")),
		waitFor(jsToast("info", "Rolling back release "+key+"…")),
		waitFor(jsToast("success", "Release "+key+" rolled back.")))
	t.Logf("rolled back %v after Roll back", time.Since(start).Round(time.Millisecond))
	within(t, ctx, 30*time.Second, "History shows revision 3, current and deployed, at chart 1.0.0",
		waitFor(revision("3")+` !== null`),
		waitFor(`document.getElementById("kd-tab-History").getAttribute("aria-selected") === "true"`),
		waitFor(`document.querySelector('#kd-release-history tbody tr')?.dataset.revision === "3"`),
		waitFor(`document.getElementById("kd-rollback-3") === null && document.getElementById("kd-rollback-2") !== null && document.getElementById("kd-rollback-1") !== null`),
		waitFor(`!document.getElementById("kd-rollback-1").disabled`))
	for n, want := range map[string]string{"3": "3 deployed 1.0.0", "2": "2 superseded 1.1.0", "1": "1 superseded 1.0.0"} {
		if got := eval[string](t, ctx, cells(n)); got != want {
			t.Errorf("revision %s shows %q, want %q", n, got, want)
		}
	}
	rowsFollow(t, ctx, "the list shows the release back at 1.0.0", row+`?.textContent.includes("web 1.0.0")`)

	det, err := apiGet[shared.ReleaseDetailReply](bg, api, releasePath(shared.ReleaseRef{Namespace: ns, Name: "roll"}))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{det.Release.Status, det.Release.ChartVersion}
	if diff := cmp.Diff([]string{shared.ReleaseDeployed, "1.0.0"}, got); diff != "" || det.Release.Revision != 3 {
		t.Errorf("the release after the rollback: revision %d (want 3), status and chart version (-want +got):\n%s", det.Release.Revision, diff)
	}
	if n := len(det.History); n != 3 || det.History[2].Revision != 3 || !strings.Contains(det.History[2].Description, "Rollback to 1") {
		t.Errorf("history %+v", det.History)
	}
	if errs := withoutIconMisses(console.take()); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
}

// chartsFixture is the ground of a charts test in Chromium: the local
// cluster, a namespace of the test's own, a real repository serving the
// web chart at 1.0.0 and 1.1.0, Kubedeck on both, and releases of the
// chart at 1.0.0 installed through the API.
type chartsFixture struct {
	c      *objectsCluster
	ns     string
	origin string // Kubedeck's
	api    *apiClient
	bg     context.Context // the test's calls to the API; ends with it
}

func newChartsFixture(t *testing.T, prefix string, releases ...string) *chartsFixture {
	t.Helper()
	c := newObjectsCluster(t)
	src := helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"}
	repo := helmtest.NewRepoOf(t)
	repo.Publish(t, helmtest.Load(t, src), helmtest.Load(t, helmtest.Chart{Dir: src.Dir, Version: "1.1.0"}))
	f := &chartsFixture{c: c, ns: c.namespaceFor(t, prefix), origin: serveWithRepo(t, c, repo.URL)}
	f.api = newAPIClient(f.origin + "/api/v1")
	bg, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	f.bg = bg
	installReleases(t, bg, f.api, f.ns, "1.0.0", releases...)
	return f
}

// installReleases installs the test repository's web chart at version as
// each named release of ns, through the API, and waits until all are
// installed.
func installReleases(t *testing.T, ctx context.Context, api *apiClient, ns, version string, names ...string) {
	t.Helper()
	var ops []shared.Operation
	for _, name := range names {
		var rep shared.OperationReply
		err := api.post(ctx, "/charts", shared.ChartInstall{Name: name, Namespace: ns, Chart: "test/web",
			Version: version, Values: "greeting: hi"}, &rep)
		if err != nil {
			t.Fatalf("install %s: %v", name, err)
		}
		ops = append(ops, rep.Operation)
	}
	for _, op := range ops {
		waitOperation(t, ctx, api, op)
	}
}

// releasesIn are the names of the releases the API lists in ns, sorted.
func releasesIn(t *testing.T, ctx context.Context, api *apiClient, ns string) []string {
	t.Helper()
	list, err := apiGet[shared.ReleaseList](ctx, api, "/charts?namespace="+url.QueryEscape(ns))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range list.Releases {
		if r.Namespace == ns {
			out = append(out, r.Name)
		}
	}
	slices.Sort(out)
	return out
}

// withoutIconMisses are the console errors but the 404 of the test chart's
// icon, whose host does not exist here (the page shows the letter).
func withoutIconMisses(errs []string) []string {
	return slices.DeleteFunc(errs, func(e string) bool {
		return strings.Contains(e, "Failed to load resource: the server responded with a status of 404")
	})
}
