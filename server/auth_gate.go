package server

import (
	"html"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// publicAPI says whether an API route answers without an identity: the build's
// version (the UI polls it, signed in or not, to offer an update) and UI
// error reports (limited per address). Every other API route needs one.
func publicAPI(pattern string) bool {
	switch pattern {
	case "GET /api/v1/version", "POST /api/v1/client-errors":
		return true
	}
	return false
}

// gate is what every API request passes before its handler: on a route
// that needs an identity (all but publicAPI), the identity, then the
// user's write or read budget. Without an identity it answers 401
// UNAUTHORIZED, the WebSocket upgrade included, and nothing else happens.
// On a public route it returns the zero Identity.
func (s *Server) gate(r *http.Request) (Identity, error) {
	if publicAPI(r.Pattern) {
		return Identity{}, nil
	}
	id, err := s.identify(r)
	if err != nil {
		return Identity{}, err
	}
	if err := s.limitRequests(r, id); err != nil {
		return Identity{}, err
	}
	return id, nil
}

// requireSession answers a UI page request without an identity with a
// "sign in again" page (401), before the go-app handler. It lets through the
// files the offline shell is built from (go-app's app.js, service worker,
// manifest, wasm_exec.js, app.css; /web and /assets have routes of their
// own): they hold no data, and a service worker that cannot fetch them
// breaks. The pages hold no data either; the API is what refuses. This page
// is there so a user whose session ended is told so rather than shown an
// app whose every call fails.
func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isPage(r.URL.Path) || !s.uiBuilt() {
			next.ServeHTTP(w, r)
			return
		}
		if _, err := s.identify(r); err != nil {
			s.log.Debug("page without identity", "request_id", requestID(r), "path", r.URL.Path, "err", err)
			s.sessionEnded(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// uiBuilt says whether there is an app to show; without it the pages
// answer that the UI was not built, which needs no sign-in.
func (s *Server) uiBuilt() bool { return s.static.has("app.wasm") && s.deps.UI != nil }

// isPage says whether p names a UI page rather than a file: go-app's files
// all have an extension (app.js, app-worker.js, manifest.webmanifest, …),
// its pages none ("/", "/apps/deploy"), except where a page's path names
// an object, whose name may hold dots: everything under /apps/ is a page.
func isPage(p string) bool {
	return strings.HasPrefix(p, "/apps/") || !strings.Contains(path.Base(p), ".")
}

// sessionEnded writes the 401 page that sends the user to sign in again,
// then back to the page they asked for.
func (s *Server) sessionEnded(w http.ResponseWriter, r *http.Request) {
	back := s.cfg.BasePath + r.URL.Path
	signIn := s.auth.cfg.SignInURL
	sep := "?"
	if strings.Contains(signIn, "?") {
		sep = "&"
	}
	signIn += sep + "rd=" + url.QueryEscape(back)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(strings.NewReplacer(
		"{{signIn}}", html.EscapeString(signIn),
		"{{signOut}}", html.EscapeString(s.auth.cfg.SignOutURL),
	).Replace(sessionEndedPage)))
}

const sessionEndedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kubedeck: sign in again</title></head>
<body><main>
<h1>Your session has ended — sign in again</h1>
<p>Kubedeck could not tell who you are: your sign-in has expired, or this page was
reached without going through the sign-in proxy.</p>
<p><a href="{{signIn}}">Sign in again</a> · <a href="{{signOut}}">Sign out</a></p>
</main></body></html>
`
