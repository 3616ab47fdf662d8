//go:build !wasm

package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/shared"
)

// iconOutage stands in front of Kubedeck and, once down, answers 503 to
// every chart icon, counting them: the icons are unreachable while the
// rest of Kubedeck still answers.
type iconOutage struct {
	forward *httputil.ReverseProxy
	down    atomic.Bool
	refused atomic.Int64
}

func (o *iconOutage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o.down.Load() && strings.HasSuffix(r.URL.Path, "/api/v1/catalog/icon") {
		o.refused.Add(1)
		http.Error(w, "icons are down", http.StatusServiceUnavailable)
		return
	}
	o.forward.ServeHTTP(w, r)
}

// TestChartIconsOfflineBrowser: a chart's icon seen once on the charts
// page still shows when Kubedeck cannot serve it any more, from the
// service worker's copy, after the worker asked the network first.
func TestChartIconsOfflineBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "charts-icons-offline")

	repo := helmtest.NewRepoOf(t)
	web := helmtest.Load(t, helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"})
	web.Metadata.Icon = "icons/web.svg"
	repo.Publish(t, web)
	repo.Set("icons/web.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48" viewBox="0 0 48 48">`+
		`<rect width="48" height="48" fill="#36c"/></svg>`))

	kubedeck, err := url.Parse(serveWithRepo(t, c, repo.URL))
	if err != nil {
		t.Fatal(err)
	}
	outage := &iconOutage{forward: httputil.NewSingleHostReverseProxy(kubedeck)}
	front := httptest.NewServer(outage)
	t.Cleanup(front.Close)
	origin := front.URL

	api := newAPIClient(origin + "/api/v1")
	bg, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var rep shared.OperationReply
	if err := api.post(bg, "/charts", shared.ChartInstall{Name: "shop", Namespace: ns, Chart: "test/web",
		Version: "1.0.0", Values: "greeting: hi"}, &rep); err != nil {
		t.Fatalf("install: %v", err)
	}
	waitOperation(t, bg, api, rep.Operation)

	ctx := newBrowser(t, chromium)
	row := `document.querySelector('[data-release=` + jsString(ns+"/shop") + `]')`
	iconShows := `(() => { const i = ` + row + `?.querySelector('img.kd-release-icon');
		return !!i && i.src.startsWith(` + jsString(origin+"/api/v1/catalog/icon?") + `) &&
			i.complete && i.naturalWidth > 0; })()`
	within(t, ctx, 90*time.Second, "the release shows with its chart's icon",
		chromedp.Navigate(origin+"/apps/charts"), chromedp.WaitVisible(live),
		waitFor(row+` !== null`), waitFor(iconShows))

	// The icon must come through the service worker: once it controls the
	// page (go-app's worker claims the page it installs from), load the
	// page again.
	within(t, ctx, 30*time.Second, "the service worker controls the page",
		waitFor(`navigator.serviceWorker.controller !== null`))
	within(t, ctx, 60*time.Second, "the page, under the service worker, shows the icon",
		chromedp.Reload(), chromedp.WaitVisible(live),
		waitFor(`navigator.serviceWorker.controller !== null`),
		waitFor(row+` !== null`), waitFor(iconShows))
	t.Logf("icons kept by the service worker: %d", eval[int](t, ctx,
		`caches.open(`+jsString(iconCacheName)+`).then(c => c.keys()).then(k => k.length)`, chromedp.EvalAwaitPromise))

	// Icons become unreachable. The browser's HTTP cache would still hold
	// the icon for the hour the server allows (max-age=3600): clearing it
	// is that hour gone by, so the worker's request reaches the network.
	outage.down.Store(true)
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
		t.Fatalf("clear the browser's cache: %v", err)
	}
	within(t, ctx, 60*time.Second, "the page loads again",
		chromedp.Reload(), chromedp.WaitVisible(live), waitFor(row+` !== null`))
	tctx, cancelWait := context.WithTimeout(ctx, 20*time.Second)
	defer cancelWait()
	if err := chromedp.Do(tctx, waitFor(iconShows)); err != nil {
		letter := eval[string](t, ctx, row+`.querySelector('span.kd-release-icon')?.textContent ?? ""`)
		t.Errorf("with the icons unreachable, the release shows no icon (letter %q): %v", letter, err)
	}
	if n := outage.refused.Load(); n == 0 {
		t.Error("no icon request reached Kubedeck once icons were down: the worker did not ask the network first")
	} else {
		t.Logf("%d icon requests refused with 503", n)
	}
}
