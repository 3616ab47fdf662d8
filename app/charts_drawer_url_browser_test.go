//go:build !wasm

package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestChartsDrawerURLBrowser follows the release drawer through the URL in
// Chromium: the drawer and its tab are named in the address, so a reload
// (or the link, shared) opens them again; the upgrade form too, with what
// the user typed in it; Back to the release and Close take them out of
// the URL; a link to a release that is gone says so, and one with markup
// opens nothing.
func TestChartsDrawerURLBrowser(t *testing.T) {
	chromium := needBrowser(t)
	f := newChartsFixture(t, "charts-url", "kept")
	ns, origin := f.ns, f.origin

	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	key := ns + "/kept"
	query := func() url.Values {
		t.Helper()
		u, err := url.Parse(eval[string](t, ctx, `location.href`))
		if err != nil {
			t.Fatal(err)
		}
		return u.Query()
	}
	historyShown := waitFor(`document.getElementById("kd-tab-History")?.getAttribute("aria-selected") === "true" &&
		document.querySelector('#kd-release-history tr[data-revision="1"]') !== null`)

	within(t, ctx, 90*time.Second, "the drawer opens on History",
		chromedp.Navigate(origin+"/apps/charts"), chromedp.WaitVisible(live),
		click(byID("kd-open-"+key)),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		click(chromedp.CSS("#kd-tab-History")),
		historyShown)
	if q := query(); q.Get("release") != key || q.Get("tab") != "history" {
		t.Fatalf("the URL names %q, want release=%s&tab=history", q.Encode(), key)
	}
	within(t, ctx, 60*time.Second, "a reload opens the drawer on History again",
		chromedp.Reload(), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`document.getElementById("kd-drawer-title").textContent === `+jsString(key)),
		historyShown)

	values := "greeting: typed before the reload"
	within(t, ctx, 60*time.Second, "Upgrade opens the form; the user types values",
		waitFor(`!document.getElementById("kd-drawer-upgrade").disabled`),
		click(chromedp.CSS("#kd-drawer-upgrade")),
		waitFor(`document.getElementById("kd-upgrade-values")?.value.includes("greeting: hi")`),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("kd-upgrade-values").select()`),
		typeInto("kd-upgrade-values", values),
		waitFor(`document.getElementById("kd-upgrade-values").value === `+jsString(values)))
	if q := query(); q.Get("upgrade") != "1" || q.Get("release") != key {
		t.Fatalf("the URL of the upgrade form is %q", q.Encode())
	}
	within(t, ctx, 60*time.Second, "a reload reopens the upgrade form with the values typed",
		chromedp.Reload(), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#kd-upgrade")),
		waitFor(`document.getElementById("kd-upgrade-values").value === `+jsString(values)),
		waitFor(`document.getElementById("kd-upgrade-drawer-title").textContent === "Upgrade `+key+`"`))

	within(t, ctx, 30*time.Second, "Back to the release forgets the form: Upgrade starts again from the release's values",
		click(chromedp.CSS("#kd-upgrade-back")),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		historyShown)
	if q := query(); q.Has("upgrade") || q.Get("tab") != "history" {
		t.Errorf("back at the release, the URL is %q", q.Encode())
	}
	within(t, ctx, 60*time.Second, "after a reload, Upgrade shows the release's values",
		chromedp.Reload(), chromedp.WaitVisible(live), historyShown,
		waitFor(`!document.getElementById("kd-drawer-upgrade").disabled`),
		click(chromedp.CSS("#kd-drawer-upgrade")),
		waitFor(`document.getElementById("kd-upgrade-values")?.value.includes("greeting: hi")`),
		click(chromedp.CSS("#kd-upgrade-back")),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		click(chromedp.CSS("#kd-drawer-close")),
		chromedp.WaitNotPresent(chromedp.CSS("#kd-drawer")))
	if q := query(); len(q) != 0 {
		t.Errorf("with the drawer closed, the URL still says %q", q.Encode())
	}

	within(t, ctx, 60*time.Second, "a link to a release that is gone opens its drawer, saying so",
		chromedp.Navigate(origin+"/apps/charts?release="+url.QueryEscape(ns+"/ghost")+"&tab=values"),
		chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`document.querySelector("#kd-tabpanel .kd-state-failed")?.textContent.includes("ghost")`))
	within(t, ctx, 60*time.Second, "a link with markup in it opens no drawer",
		chromedp.Navigate(origin+`/apps/charts?release=`+url.QueryEscape(ns+`/"><img src=x onerror=window.kdHit=1>`)),
		chromedp.WaitVisible(live),
		waitFor(`document.querySelector('[data-release=`+jsString(key)+`]') !== null`))
	if eval[bool](t, ctx, `document.getElementById("kd-drawer") !== null || window.kdHit === 1`) {
		t.Error("a release name with markup opened a drawer or ran")
	}
	if errs := withoutIconMisses(console.take()); len(errs) > 0 {
		for _, e := range errs {
			// The gone release's 404 is the page's own request failing, as it should.
			if !strings.Contains(e, "404") {
				t.Errorf("console error: %s", e)
			}
		}
	}
}
