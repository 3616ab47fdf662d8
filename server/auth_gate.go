package server

import (
	"context"
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

// serveAPI passes a request for an API route (pattern, as the API mux
// matched it) on to its handler once the request has an identity, and once
// the user's write or read budget allows it. Without an identity it answers
// 401 UNAUTHORIZED, the WebSocket upgrade included, and nothing else
// happens. It identifies the request once: the identity travels in the
// request's context, where the api wrapper hands it to the handler and
// s.identify finds it again without a second verification.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, pattern string) {
	if !publicAPI(pattern) {
		id, err := s.identify(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.limitWrites(r, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.limitReads(r, id); err != nil {
			s.writeError(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), identityKey{}, id))
	}
	s.apiMux.ServeHTTP(w, r)
}

// identityKey is the context key of the Identity serveAPI resolved.
type identityKey struct{}

// identityFrom is the identity serveAPI resolved for the request ctx
// belongs to; false on public routes and outside the API.
func identityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
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
// its pages none ("/", "/apps/deploy").
func isPage(p string) bool {
	return !strings.Contains(path.Base(p), ".")
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
