//go:build !wasm

package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/server"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// TestServiceWorkerIsGoAppsPatched: Kubedeck's worker is go-app's, with
// the icons code in place of fetchWithCache and nothing else changed.
func TestServiceWorkerIsGoAppsPatched(t *testing.T) {
	js, err := appWorkerJS()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`const iconCacheName = "kubedeck-icons";`,
		`const iconCacheSize = 200;`,
		`url.pathname.endsWith("/api/v1/catalog/icon")`,
		`if (isChartIcon(request)) {`,
		`if (key !== cacheName && key !== iconCacheName) {`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("the worker lacks %q", want)
		}
	}
	// Undoing the patches gives go-app's template back, to the byte.
	undone := js
	for _, p := range workerPatches {
		if strings.Contains(js, p.old) {
			t.Errorf("go-app's %s is still in the worker", p.name)
		}
		undone = strings.Replace(undone, p.new, p.old, 1)
	}
	if diff := cmp.Diff(app.DefaultAppWorkerJS, undone); diff != "" {
		t.Errorf("the worker, patches undone, is not go-app's (-want +got):\n%s", diff)
	}
}

// TestServiceWorkerPatchFailsLoudly: a go-app whose template no longer
// holds a function the patch replaces makes the handler fail to build.
func TestServiceWorkerPatchFailsLoudly(t *testing.T) {
	tests := []struct {
		name    string
		tmpl    string
		wantErr string // "" for none
	}{
		{name: "go-app's template", tmpl: app.DefaultAppWorkerJS},
		{
			name:    "fetchWithCache changed",
			tmpl:    strings.Replace(app.DefaultAppWorkerJS, "return await fetch(request);", "return fetch(request);", 1),
			wantErr: "fetchWithCache",
		},
		{
			name:    "deletePreviousCaches changed",
			tmpl:    strings.Replace(app.DefaultAppWorkerJS, "if (key !== cacheName) {", "if (key != cacheName) {", 1),
			wantErr: "deletePreviousCaches",
		},
		{name: "empty", tmpl: "", wantErr: "deletePreviousCaches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := patchWorker(tc.tmpl)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("patchWorker: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("patchWorker: error %v, want one naming %s", err, tc.wantErr)
			}
		})
	}
}

// TestServiceWorkerServed: the app handler serves the patched worker, with
// go-app's placeholders filled in, at the root and under a base path.
func TestServiceWorkerServed(t *testing.T) {
	registerRoutes()
	for _, base := range []string{"", "/v2"} {
		t.Run("base="+base, func(t *testing.T) {
			h, err := buildAppHandler(appHandlerConfig{basePath: base, version: "v7", web: server.WebInfo{Fingerprint: "fp1"}})
			if err != nil {
				t.Fatal(err)
			}
			body, res := get(t, h, "/app-worker.js")
			if res.StatusCode != 200 {
				t.Fatalf("/app-worker.js: %s", res.Status)
			}
			for _, want := range []string{
				`const cacheName = "app-" + "v7";`,
				`"` + base + `/apps/charts"`, // go-app's precache list
				`async function fetchIcon(request) {`,
				`const iconCacheName = "kubedeck-icons";`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("/app-worker.js lacks %q", want)
				}
			}
		})
	}
}

// TestLogoutDeletesTheIcons: the icons cache is not go-app's shell, so it
// goes at logout; it tells which charts the user looked at.
func TestLogoutDeletesTheIcons(t *testing.T) {
	if keptCache(iconCacheName) {
		t.Errorf("logout keeps the %q cache", iconCacheName)
	}
}
