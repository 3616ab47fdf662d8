//go:build !wasm

package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// iconCacheName is the Cache Storage cache where the service worker keeps
// the chart icons it saw, so that they show offline. It is not go-app's
// shell cache ("app-…"), so logout deletes it (see keptCache): the icons
// kept tell which charts a user looked at.
const iconCacheName = "kubedeck-icons"

// iconCacheSize bounds the icons kept; the oldest go first.
const iconCacheSize = 200

// workerPatch replaces one function of go-app's service worker template.
type workerPatch struct {
	name     string
	old, new string
}

// workerPatches are Kubedeck's changes to go-app's service worker. The old
// snippets are go-app v10.1.11's own, to the byte: a go-app upgrade that
// changes them makes appWorkerJS fail rather than serve a worker no one
// reviewed.
var workerPatches = []workerPatch{
	{
		name: "deletePreviousCaches",
		old: `async function deletePreviousCaches() {
  const keys = await caches.keys();
  await Promise.all(
    keys.map(async (key) => {
      if (key !== cacheName) {
`,
		// The icons outlive a new version of the app.
		new: `async function deletePreviousCaches() {
  const keys = await caches.keys();
  await Promise.all(
    keys.map(async (key) => {
      if (key !== cacheName && key !== iconCacheName) {
`,
	},
	{
		name: "fetchWithCache",
		old: `async function fetchWithCache(request) {
  const cachedResponse = await caches.match(request);
  if (cachedResponse) {
    return cachedResponse;
  }
  return await fetch(request);
}
`,
		new: `async function fetchWithCache(request) {
  if (isChartIcon(request)) {
    return await fetchIcon(request);
  }
  const cachedResponse = await caches.match(request);
  if (cachedResponse) {
    return cachedResponse;
  }
  return await fetch(request);
}

// Kubedeck: chart icons, network first, so a changed icon shows; the last
// good copy when the network fails, so an icon seen once shows offline.
const iconCacheName = ` + strconv.Quote(iconCacheName) + `;
const iconCacheSize = ` + strconv.Itoa(iconCacheSize) + `;

function isChartIcon(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin &&
    url.pathname.endsWith("/api/v1/catalog/icon");
}

async function fetchIcon(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    const kept = await caches.match(request, { cacheName: iconCacheName });
    if (kept) {
      return kept;
    }
    throw err;
  }
  if (!response.ok) {
    const kept = await caches.match(request, { cacheName: iconCacheName });
    return kept || response;
  }
  const type = (response.headers.get("Content-Type") || "").toLowerCase();
  if (type.startsWith("image/")) {
    await keepIcon(request, response.clone());
  }
  return response;
}

async function keepIcon(request, response) {
  try {
    const cache = await caches.open(iconCacheName);
    await cache.put(request, response);
    const keys = await cache.keys(); // oldest first
    const extra = Math.max(0, keys.length - iconCacheSize);
    await Promise.all(keys.slice(0, extra).map((key) => cache.delete(key)));
  } catch (err) {
    console.error("keeping icon", request.url, "failed:", err);
  }
}
`,
	},
}

// appWorkerJS is Kubedeck's service worker template: go-app's, patched.
func appWorkerJS() (string, error) { return patchWorker(app.DefaultAppWorkerJS) }

// patchWorker applies workerPatches to tmpl, failing when a snippet to
// replace is not there exactly once.
func patchWorker(tmpl string) (string, error) {
	for _, p := range workerPatches {
		if n := strings.Count(tmpl, p.old); n != 1 {
			return "", fmt.Errorf("go-app's service worker template holds %d copies of the %s Kubedeck patches, want 1: review the patch against this go-app", n, p.name)
		}
		tmpl = strings.Replace(tmpl, p.old, p.new, 1)
	}
	return tmpl, nil
}
