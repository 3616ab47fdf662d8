//go:build !wasm

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/server"
)

func TestBasePathResolver(t *testing.T) {
	r := basePathResolver{base: "/v2", assets: "/v2/assets/abc"}
	tests := map[string]string{
		"/":                         "/v2/",
		"":                          "/v2/",
		"/web":                      "/v2/assets/abc/web",
		"/web/kubedeck.css":         "/v2/assets/abc/web/kubedeck.css",
		"web/icons/icon.svg":        "/v2/assets/abc/web/icons/icon.svg",
		"/app.js":                   "/v2/app.js",
		"/app-worker.js":            "/v2/app-worker.js",
		"/wasm_exec.js":             "/v2/wasm_exec.js",
		"/manifest.webmanifest":     "/v2/manifest.webmanifest",
		"/app.css":                  "/v2/app.css",
		"/v2/apps/deploy":           "/v2/apps/deploy", // the UI's links carry the base already
		"https://example.com/x.png": "https://example.com/x.png",
	}
	for in, want := range tests {
		if got := r.Resolve(in); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", in, got, want)
		}
	}
}

// get asks the handler for path and returns the body.
func get(t *testing.T, h http.Handler, path string) (string, *http.Response) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return string(b), res
}

func TestAppHandlerUnderABasePath(t *testing.T) {
	registerRoutes()
	for _, base := range []string{"", "/v2"} {
		t.Run("base="+base, func(t *testing.T) {
			wi := server.WebInfo{Fingerprint: "fp1", WasmSize: 1234}
			h := newAppHandler(base, "v7", wi)
			assets := base + "/assets/fp1"

			// The server strips the base path before the handler sees a request.
			body, res := get(t, h, "/manifest.webmanifest")
			if ct := res.Header.Get("Content-Type"); ct != "application/manifest+json" {
				t.Errorf("manifest Content-Type %q", ct)
			}
			var m struct {
				Scope, ID  string
				StartURL   string `json:"start_url"`
				ShortName  string `json:"short_name"`
				ThemeColor string `json:"theme_color"`
				Icons      []struct{ Src, Purpose, Sizes string }
			}
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				t.Fatal(err)
			}
			var icons []string
			for _, i := range m.Icons {
				icons = append(icons, i.Src+" "+i.Sizes+" "+i.Purpose)
			}
			want := []string{
				assets + "/web/icons/icon-maskable.png 512x512 maskable",
				assets + "/web/icons/icon.svg any ",
				assets + "/web/icons/icon-512.png 512x512 ",
				assets + "/web/icons/icon-192.png 192x192 ",
			}
			if diff := cmp.Diff(want, icons); diff != "" {
				t.Errorf("icons (-want +got):\n%s", diff)
			}
			if m.Scope != base+"/" || m.ID != base+"/" || m.StartURL != base+"/" || m.ShortName != "Kubedeck" {
				t.Errorf("manifest %+v", m)
			}

			js, _ := get(t, h, "/app.js")
			for _, s := range []string{`"` + assets + `/web/app.wasm"`, `"` + base + `/app-worker.js"`,
				`"GOAPP_ROOT_PREFIX":"` + base + `/"`, `"GOAPP_VERSION":"v7"`, `goappWasmContentLength = "1234"`} {
				if !strings.Contains(js, s) {
					t.Errorf("app.js lacks %s", s)
				}
			}
			worker, _ := get(t, h, "/app-worker.js")
			for _, s := range []string{`"` + base + `/"`, `"` + base + `/apps/charts"`, `"` + assets + `/web/kubedeck.css"`} {
				if !strings.Contains(worker, s) {
					t.Errorf("the service worker does not cache %s", s)
				}
			}

			page, res := get(t, h, "/apps/deploy")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("page: %s", res.Status)
			}
			for _, s := range []string{
				`href="` + base + `/manifest.webmanifest"`, `src="` + base + `/app.js"`, `src="` + base + `/wasm_exec.js"`,
				`href="` + assets + `/web/kubedeck.css"`, `href="` + base + `/apps/charts"`,
				`<title>Deploy · Kubedeck</title>`, `id="page-deploy"`,
			} {
				if !strings.Contains(page, s) {
					t.Errorf("prerendered page lacks %s", s)
				}
			}
			if base != "" && strings.Contains(page, base+base) {
				t.Errorf("base path doubled in the page")
			}
			if strings.Contains(page, "style=") {
				t.Errorf("inline style in the page: the CSP (style-src 'self') refuses it")
			}
		})
	}
}
