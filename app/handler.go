//go:build !wasm

package main

import (
	"github.com/kubedeck/kubedeck/server"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// newAppHandler is the go-app handler that prerenders the pages and serves
// the PWA files (manifest, service worker, wasm_exec.js).
func newAppHandler(basePath, version string, wi server.WebInfo) *app.Handler {
	h := &app.Handler{
		Name:            "Kubedeck",
		ShortName:       "Kubedeck",
		Title:           "Kubedeck",
		Description:     "A Kubernetes dashboard for the people who run applications on a shared cluster.",
		Version:         version,
		Resources:       app.PrefixedLocation(wi.AssetPrefix(basePath)),
		Styles:          []string{"/web/kubedeck.css"},
		BackgroundColor: "#0f172a",
		ThemeColor:      "#2563eb",
	}
	if wi.WasmSize > 0 {
		h.WasmContentLength = itoa(wi.WasmSize)
	}
	return h
}
