package main

import (
	"net/url"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// signinPrompt covers the app when the server answered 401 UNAUTHORIZED:
// the session ended (oauth2-proxy's cookie expired) while the service worker
// still serves the shell. It cannot be dismissed: nothing behind it works
// until the user signs in again, and saying so once beats a toast per
// failed call.
type signinPrompt struct {
	app.Compo

	SignIn string
}

func newSigninPrompt() *signinPrompt { return &signinPrompt{} }

// URL sets where "Sign in again" goes (see signInURL).
func (p *signinPrompt) URL(u string) *signinPrompt { p.SignIn = u; return p }

// OnMount moves the focus to the link, the only thing left to do.
func (p *signinPrompt) OnMount(ctx app.Context) {
	ctx.Defer(func(ctx app.Context) {
		if link := app.Window().GetElementByID("kd-signin-link"); link.Truthy() {
			link.Call("focus")
		}
	})
}

// Render shows the prompt over the app.
func (p *signinPrompt) Render() app.UI {
	return app.Div().Class("kd-signin-backdrop").Body(
		app.Div().ID("kd-signin").Class("kd-signin").
			Attr("role", "alertdialog").Aria("modal", "true").
			Aria("labelledby", "kd-signin-title").Aria("describedby", "kd-signin-text").
			Body(
				app.H2().ID("kd-signin-title").Text("Your session has ended — sign in again"),
				app.P().ID("kd-signin-text").Text("Kubedeck no longer knows who you are: your sign-in expired "+
					"or was ended elsewhere. Nothing you see can be trusted to be current until you sign in; "+
					"you come back to this page afterwards."),
				// A real page load, not a route of the app: go-app would
				// otherwise route the click itself.
				app.A().ID("kd-signin-link").Class("kd-button kd-primary").Href(p.SignIn).
					Text("Sign in again").OnClick(leaveApp),
			),
	)
}

// oauth2-proxy's endpoints: the sign-in start, which sends the user to the
// identity provider and back to rd, and the sign-out.
const (
	oauthStartPath   = "/oauth2/start"
	oauthSignOutPath = "/oauth2/sign_out"
)

// signInURL is where "Sign in again" goes: oauth2-proxy's sign-in start,
// beside its sign-out URL when that is oauth2-proxy's (the server tells the
// sign-out URL in /me), else under the base path, with rd set to back (the
// page to return to). It must be a URL the service worker has not cached, so
// the request reaches the proxy: reloading the page would get the cached
// shell and the same 401 again.
func signInURL(base, signOut, back string) string {
	start := base + oauthStartPath
	if u, err := url.Parse(signOut); err == nil && strings.HasSuffix(u.Path, oauthSignOutPath) {
		u.Path = strings.TrimSuffix(u.Path, oauthSignOutPath) + oauthStartPath
		u.RawQuery, u.Fragment = "", ""
		start = u.String()
	}
	if back == "" {
		back = base + "/"
	}
	return start + "?rd=" + url.QueryEscape(back)
}
