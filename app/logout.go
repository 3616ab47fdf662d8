package main

import (
	"strings"
	"sync"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What logout leaves behind, and why:
//
//   - localStorage and sessionStorage: every key but the theme. Kubedeck owns
//     its origin (oauth2-proxy fronts it on its own host), so every key there
//     is Kubedeck's or go-app's on its behalf: the last namespace, persisted
//     go-app states, go-app's device id. The theme is a choice about this
//     device, not about the user, and holds nothing about the cluster.
//   - Cache Storage: go-app's shell cache ("app-<version>") stays: it holds
//     the prerendered pages, scripts, styles and icons, built without any
//     user, and lets the next user open the app offline. Any other cache, such
//     as a cache of API replies, is deleted.
//   - Memory: the page is left with a full load, so nothing in it survives.

// shellCachePrefix names go-app's service worker cache ("app-" + version).
const shellCachePrefix = "app-"

// logoutCacheWait bounds how long logout waits for the browser to delete
// caches before it leaves anyway: leaving matters more.
const logoutCacheWait = 2 * time.Second

// keptOnLogout says whether a storage key outlives logout.
func keptOnLogout(key string) bool { return key == themeStorageKey }

// clearPersisted removes every key of store that logout does not keep and
// returns them.
func clearPersisted(store app.BrowserStorage) []string {
	var gone []string
	store.ForEach(func(k string) {
		if !keptOnLogout(k) {
			gone = append(gone, k)
		}
	})
	for _, k := range gone {
		store.Del(k)
	}
	return gone
}

// keptCache says whether a Cache Storage cache outlives logout.
func keptCache(name string) bool { return strings.HasPrefix(name, shellCachePrefix) }

// logOut is the logout link's click handler: it clears what the app keeps
// in the browser, then leaves for the link's URL (oauth2-proxy's sign-out)
// with a full page load. Without the WASM running, the link works as a
// plain link.
func logOut(ctx app.Context, e app.Event) {
	e.PreventDefault()
	e.StopImmediatePropagation() // go-app routes link clicks from a handler on window
	target := ctx.JSSrc().Get("href").String()
	clearPersisted(ctx.LocalStorage())
	clearPersisted(ctx.SessionStorage())
	var once sync.Once
	leave := func() {
		once.Do(func() { app.Window().Get("location").Call("assign", target) })
	}
	ctx.After(logoutCacheWait, func(app.Context) { leave() })
	deleteCaches(leave)
}

// deleteCaches deletes every Cache Storage cache logout does not keep, then
// calls done (not at all when the browser fails to; logOut has a deadline).
func deleteCaches(done func()) {
	caches := app.Window().Get("caches")
	if !app.IsClient || !caches.Truthy() {
		done()
		return
	}
	caches.Call("keys").Then(func(keys app.Value) {
		var doomed []string
		for i := range keys.Length() {
			if name := keys.Index(i).String(); !keptCache(name) {
				doomed = append(doomed, name)
			}
		}
		left := len(doomed)
		if left == 0 {
			done()
			return
		}
		for _, name := range doomed {
			caches.Call("delete", name).Then(func(app.Value) {
				if left--; left == 0 {
					done()
				}
			})
		}
	})
}
