//go:build !wasm

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/server"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// appHandlerConfig is what the go-app handler is built from.
type appHandlerConfig struct {
	basePath string // "" or "/v2", no trailing slash
	version  string
	web      server.WebInfo
	// testRoutes makes the WASM register the routes only tests use
	// (testRoutesEnv); production never sets it.
	testRoutes bool
}

// newAppHandler is the go-app handler that prerenders the pages and serves
// the PWA files (manifest, service worker, app.js, wasm_exec.js).
func newAppHandler(basePath, version string, wi server.WebInfo) http.Handler {
	h, err := buildAppHandler(appHandlerConfig{basePath: basePath, version: version, web: wi})
	if err != nil {
		// Only a go-app manifest that is not JSON, or a service worker
		// template Kubedeck's patch does not fit, gets here: a bug, not an
		// operator's mistake.
		panic(err)
	}
	return h
}

// buildAppHandler configures go-app for Kubedeck and wraps it so the
// manifest's scope is the base path (go-app always says "/").
func buildAppHandler(cfg appHandlerConfig) (http.Handler, error) {
	res := basePathResolver{base: cfg.basePath, assets: cfg.web.AssetPrefix(cfg.basePath)}
	worker, err := appWorkerJS()
	if err != nil {
		return nil, err
	}
	h := &app.Handler{
		Name:            "Kubedeck",
		ShortName:       "Kubedeck",
		Title:           "Kubedeck",
		Description:     "A Kubernetes dashboard for the people who run applications on a shared cluster.",
		Lang:            "en",
		Version:         cfg.version,
		Resources:       res,
		Styles:          []string{"/web/kubedeck.css"},
		BackgroundColor: "#0f172a",
		ThemeColor:      "#2563eb",
		LoadingLabel:    "Loading Kubedeck… {progress}%",
		Icon: app.Icon{
			Default:  "/web/icons/icon-192.png",
			Large:    "/web/icons/icon-512.png",
			Maskable: "/web/icons/icon-maskable.png",
			SVG:      "/web/icons/icon.svg",
		},
		// The service worker precaches these too, so every page of the shell
		// opens with the network cut, not only the start page.
		CacheableResources:    routeURLs(cfg.basePath),
		ServiceWorkerTemplate: worker, // keeps chart icons for offline use
		Env:                   map[string]string{},
	}
	if cfg.testRoutes {
		h.Env[testRoutesEnv] = "1"
	}
	if cfg.web.WasmSize > 0 {
		h.WasmContentLength = strconv.FormatInt(cfg.web.WasmSize, 10)
	}
	manifest, err := scopedManifest(h, cfg.basePath)
	if err != nil {
		return nil, err
	}
	return &appHandler{ui: h, manifest: manifest}, nil
}

// routeURLs are the URLs of the shell's pages under basePath.
func routeURLs(basePath string) []string {
	var out []string
	for _, p := range shellPages() {
		if p.path != "/" { // go-app caches the start page itself
			out = append(out, basePath+p.path)
		}
	}
	return out
}

// appHandler serves the manifest with the right scope and everything else
// through go-app.
type appHandler struct {
	ui       *app.Handler
	manifest []byte
}

func (a *appHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/manifest.webmanifest", "/manifest.json":
		w.Header().Set("Content-Type", "application/manifest+json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(a.manifest)
	default:
		a.ui.ServeHTTP(w, r)
	}
}

// scopedManifest takes go-app's manifest and sets its id and scope to the
// base path, so an app installed from /v2/ is not the one at /.
func scopedManifest(h *app.Handler, basePath string) ([]byte, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/manifest.webmanifest", nil))
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		return nil, fmt.Errorf("go-app manifest (status %d): %w", rec.Code, err)
	}
	m["scope"] = basePath + "/"
	m["id"] = basePath + "/"
	m["start_url"] = basePath + "/"
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// basePathResolver places go-app's files under the base path and the web/
// assets under their fingerprinted, immutable prefix. Any other path is left
// alone: the UI's own links already carry the base path (see layout.Base),
// and prefixing them here too would double it in the prerendered page.
type basePathResolver struct {
	base   string // "" or "/v2"
	assets string // base + "/assets/<fingerprint>"
}

// goappFile reports whether location is a file go-app's handler serves itself.
func goappFile(location string) bool {
	switch location {
	case "/app.js", "/app-worker.js", "/wasm_exec.js", "/manifest.webmanifest", "/app.css":
		return true
	}
	return false
}

// Resolve implements app.ResourceResolver.
func (r basePathResolver) Resolve(location string) string {
	switch {
	case strings.HasPrefix(location, "https://"), strings.HasPrefix(location, "http://"):
		return location
	case location == "" || location == "/":
		return r.base + "/"
	case location == "/web" || location == "web":
		return r.assets + "/web"
	case strings.HasPrefix(location, "/web/"), strings.HasPrefix(location, "web/"):
		return r.assets + "/web/" + strings.TrimPrefix(strings.TrimPrefix(location, "/"), "web/")
	case goappFile(location):
		return r.base + location
	default:
		return location
	}
}
