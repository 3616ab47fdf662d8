package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// appHeader is the bar at the top: the product name, the menu button of
// narrow screens, the connection indicator, the Install and theme buttons,
// and the user with the logout link.
type appHeader struct {
	app.Compo

	Base        string
	UserName    string
	UserHint    string
	SignOut     string
	Conn        connState
	ThemeChoice theme
	CanInstall  bool
	MenuOpen    bool

	onToggleTheme func(app.Context)
	onToggleNav   func(app.Context)
	onInstall     func(app.Context)
}

func newAppHeader() *appHeader { return &appHeader{} }

// BasePath sets the prefix of the links.
func (h *appHeader) BasePath(b string) *appHeader { h.Base = b; return h }

// User sets who is signed in ("" when unknown).
func (h *appHeader) User(u string) *appHeader { h.UserName = u; return h }

// UserTitle sets the user name's tooltip.
func (h *appHeader) UserTitle(s string) *appHeader { h.UserHint = s; return h }

// SignOutURL sets where the logout link goes ("" means oauth2-proxy's
// sign-out under the base path).
func (h *appHeader) SignOutURL(u string) *appHeader { h.SignOut = u; return h }

// Connection sets the state the indicator shows.
func (h *appHeader) Connection(s connState) *appHeader { h.Conn = s; return h }

// Theme sets the theme the toggle shows.
func (h *appHeader) Theme(t theme) *appHeader { h.ThemeChoice = t; return h }

// Installable shows the Install button.
func (h *appHeader) Installable(ok bool) *appHeader { h.CanInstall = ok; return h }

// NavOpen says whether the narrow-screen menu is open.
func (h *appHeader) NavOpen(open bool) *appHeader { h.MenuOpen = open; return h }

// OnToggleTheme sets what the theme button does.
func (h *appHeader) OnToggleTheme(f func(app.Context)) *appHeader { h.onToggleTheme = f; return h }

// OnToggleNav sets what the menu button does.
func (h *appHeader) OnToggleNav(f func(app.Context)) *appHeader { h.onToggleNav = f; return h }

// OnInstall sets what the Install button does.
func (h *appHeader) OnInstall(f func(app.Context)) *appHeader { h.onInstall = f; return h }

// Render shows the header.
func (h *appHeader) Render() app.UI {
	user, title := h.UserName, h.UserHint
	if user == "" {
		user = "—"
	}
	if title == "" {
		title = "Signed in as"
	}
	signOut := h.SignOut
	if signOut == "" {
		signOut = h.Base + "/oauth2/sign_out"
	}
	menu := "false"
	if h.MenuOpen {
		menu = "true"
	}
	return app.Header().Class("kd-header").Body(
		app.Button().Type("button").Class("kd-button kd-menu-button").
			Aria("controls", "kd-nav").Aria("expanded", menu).
			Text("Menu").OnClick(h.toggleNav),
		app.A().Class("kd-brand").Href(h.Base+"/").Body(
			app.Img().Class("kd-brand-icon").Src("/web/icons/icon.svg").Alt(""),
			app.Span().Text("Kubedeck"),
		),
		app.Div().Class("kd-header-tools").Body(
			newConnectionIndicator().State(h.Conn),
			app.If(h.CanInstall, func() app.UI {
				return app.Button().Type("button").Class("kd-button kd-install").
					Text("Install").OnClick(h.install)
			}),
			app.Button().Type("button").Class("kd-button kd-theme-toggle").
				Title("Switch between the system's theme, light and dark").
				Text("Theme: "+h.ThemeChoice.label()).OnClick(h.toggleTheme),
			app.Div().Class("kd-user").Body(
				app.Span().Class("kd-user-name").Title(title).Text(user),
				app.A().Class("kd-logout").Href(signOut).
					Text("Log out").OnClick(logOut),
			),
		),
	)
}

func (h *appHeader) toggleTheme(ctx app.Context, e app.Event) { callIfSet(h.onToggleTheme, ctx) }
func (h *appHeader) toggleNav(ctx app.Context, e app.Event)   { callIfSet(h.onToggleNav, ctx) }
func (h *appHeader) install(ctx app.Context, e app.Event)     { callIfSet(h.onInstall, ctx) }

// callIfSet runs f when it is set.
func callIfSet(f func(app.Context), ctx app.Context) {
	if f != nil {
		f(ctx)
	}
}

// leaveApp lets a link leave the app: go-app routes every link click itself
// (a handler on window), which would show "not found" for the sign-out URL
// of oauth2-proxy; stopping the click here leaves it to the browser.
func leaveApp(ctx app.Context, e app.Event) { e.StopImmediatePropagation() }
