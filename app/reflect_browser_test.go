//go:build !wasm

package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// browserPayloads are the payloads of reflectPayloads the browser test
// loads (each costs a page load).
var browserPayloads = []string{
	"meta refresh", "fake sign-in form", "base after the title", "event attributes", "newline and tab", "closing the select",
}

// injectionWatch runs in every document before its first byte is parsed
// and records each element that a payload could add, whenever it appears:
// while the prerendered page is parsed, and after the WASM has rendered.
const injectionWatch = `(() => {
	if (window.kdInjected) return;
	const found = window.kdInjected = [];
	const check = (el) => {
		const tag = el.localName;
		if (["base", "iframe", "object", "embed"].includes(tag)) found.push(tag);
		if (tag === "meta" && el.hasAttribute("http-equiv")) found.push("meta[http-equiv]");
		if (tag === "form" && el.hasAttribute("action")) found.push("form[action]");
		if (tag === "input" && el.getAttribute("name") === "password") found.push("input[name=password]");
		for (const a of el.getAttributeNames()) {
			if (a.startsWith("on") || ["autofocus", "formaction", "srcdoc"].includes(a)) found.push(tag + "[" + a + "]");
		}
	};
	const visit = (n) => {
		if (n.nodeType !== Node.ELEMENT_NODE) return;
		check(n);
		n.querySelectorAll("*").forEach(check);
	};
	new MutationObserver((records) => {
		for (const r of records) {
			if (r.type === "attributes") visit(r.target);
			else r.addedNodes.forEach(visit);
		}
	}).observe(document, {childList: true, subtree: true, attributes: true});
})()`

// pageReport is what the browser says of a page once the WASM runs.
type pageReport struct {
	Path     string   `json:"path"`
	Live     bool     `json:"live"`
	Injected []string `json:"injected"`
	Search   *string  `json:"search"` // the search box's text, on the pages that have one
}

// TestBrowserReflectsNoMarkup loads every page in Chromium with each
// payload in every query parameter and checks that no injected element or
// attribute ever appears in the DOM, that the page stays where it is, and
// that the object viewer still takes its search text from the URL.
func TestBrowserReflectsNoMarkup(t *testing.T) {
	t.Parallel() // no cluster: its own server and browser context
	chromium := needBrowser(t)
	srv := startServer(t, "", "reflect-1")
	ctx := newBrowser(t, chromium)
	within(t, ctx, 10*time.Second, "watch every new document", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: injectionWatch})
		return err
	}))
	for _, sp := range shellPages() {
		for _, name := range browserPayloads {
			payload := reflectPayloads[name]
			t.Run(strings.TrimPrefix(sp.path, "/")+"/"+name, func(t *testing.T) {
				q := url.Values{}
				for _, param := range reflectParams {
					q.Set(param, payload)
				}
				want := pageReport{Path: sp.path, Live: true, Injected: []string{}}
				switch sp.id {
				case pageObjects:
					text := searchText(payload)
					want.Search = &text
				case pageCharts:
					// The charts page's search box starts empty: it
					// takes nothing from the URL.
					empty := ""
					want.Search = &empty
				}
				got := loadAndReport(t, ctx, srv.origin, sp.path+"?"+q.Encode(), want)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("page with %q in every parameter (-want +got):\n%s", payload, diff)
				}
			})
		}
	}
}

// loadAndReport opens origin+ref and reports on the page once the report
// is want, or once it has had 30 seconds to become so (the WASM starts, and
// the page then reads the URL).
func loadAndReport(t *testing.T, ctx context.Context, origin, ref string, want pageReport) pageReport {
	t.Helper()
	u := origin + ref
	nctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(nctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	report := `({
		path: location.origin === ` + jsString(origin) + ` ? location.pathname : location.href,
		live: document.querySelector(".kd-app.kd-live") !== null,
		injected: window.kdInjected || ["(the watch did not run: the page was replaced)"],
		search: document.querySelector("#kd-search")?.value ?? null,
	})`
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := chromedp.Run(ctx, chromedp.Evaluate[pageReport](report))
		switch {
		case err == nil && (cmp.Equal(want, r) || time.Now().After(deadline)):
			return r
		case time.Now().After(deadline):
			t.Fatalf("report on %s: %v", u, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
