package main

import (
	"context"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// layout is the root component of every route: header, navigation, the
// page inside an error boundary, footer, toasts and banners. All routes
// build a layout, so navigating only changes PageID and the layout keeps its
// state (theme, toasts, connection, user).
type layout struct {
	app.Compo

	// PageID is the page shown in the main area.
	PageID pageID
	// Base is the path prefix the app is served under ("" or "/v2"). Every
	// link the UI renders starts with it: go-app resolves only its own files
	// and the web/ assets (see basePathResolver).
	Base string

	version       string // of this UI build
	serverVersion string // what the server last said it runs
	triedUpdate   string // the server version an update was last asked for
	theme         theme
	navOpen       bool
	live          bool // the WASM runs: prerendered pages are inert until then
	toasts        toastList
	conn          connection
	user          string // "" while unknown: the header shows "—"
	userTitle     string // the user name's tooltip
	devUser       string // set when the server runs in dev auth mode
	signOutURL    string // from the server; "" means oauth2-proxy's default
	updateReady   bool
	installable   bool
	signIn        string // set when the session ended: where "Sign in again" goes

	perms *permissionStore // what the user may do, per namespace, for the pages

	client   *apiClient
	socket   *wsClient   // the tab's one WebSocket, shared by the pages
	link     *serverLink // what the pages get of client, socket and toasts
	reporter *errorReporter
	stop     context.CancelFunc
	probe    chan struct{}
	release  func()
}

// newLayout returns a layout showing the overview.
func newLayout() *layout {
	perms := newPermissionStore()
	return &layout{PageID: pageOverview, version: uiVersion(), perms: perms, link: &serverLink{perms: perms}}
}

// Page sets the page shown.
func (l *layout) Page(id pageID) *layout {
	l.PageID = id
	return l
}

// BasePath sets the path prefix the app is served under.
func (l *layout) BasePath(base string) *layout {
	l.Base = base
	return l
}

// uiVersion is the version of the server that served this UI (go-app puts
// the handler's Version in the page), or this build's when there is none.
func uiVersion() string {
	if v := app.Getenv("GOAPP_VERSION"); v != "" {
		return v
	}
	return version
}

// Render lays the page out.
func (l *layout) Render() app.UI {
	class := "kd-app"
	if l.live {
		class += " kd-live"
	}
	if l.navOpen {
		class += " kd-nav-open"
	}
	root := app.Div().Class(class)
	if l.theme != themeSystem {
		root = root.DataSet("theme", string(l.theme))
	}
	return root.Body(
		app.If(l.devUser != "", func() app.UI { return newDevBanner().User(l.devUser) }),
		app.If(l.updateReady, func() app.UI { return newUpdateBanner().OnReload(l.reload) }),
		newAppHeader().
			BasePath(l.Base).
			User(l.user).UserTitle(l.userTitle).
			SignOutURL(l.signOutURL).
			Connection(l.conn.state()).
			Theme(l.theme).
			Installable(l.installable).
			NavOpen(l.navOpen).
			OnToggleTheme(l.toggleTheme).
			OnToggleNav(l.toggleNav).
			OnInstall(l.install),
		app.Div().Class("kd-frame").Body(
			newSideNav().BasePath(l.Base).Current(l.PageID).Open(l.navOpen),
			app.Main().ID("main").Class("kd-main").Body(l.content()),
		),
		newAppFooter().Version(l.version).ServerVersion(l.serverVersion),
		newToastArea().Toasts(l.toasts.list()).OnDismiss(l.dismissToast),
		app.If(l.signIn != "", func() app.UI { return newSigninPrompt().URL(l.signIn) }),
	)
}

// content is the current page inside its error boundary.
func (l *layout) content() app.UI {
	var page app.Composer
	switch l.PageID {
	case pageDeploy:
		page = newDeployPage().Server(l.link)
	case pageObjects:
		page = newObjectsPage().Server(l.link)
	case pageCharts:
		page = newChartsPage().Server(l.link)
	case pageLogs:
		page = newLogsPage().Server(l.link).BasePath(l.Base)
	case pageShell:
		page = newTerminalPage().BasePath(l.Base)
	case pageTestPanic:
		page = newPanicDemoPage().OnPanic(l.reportPanic)
	default:
		page = newOverviewPage().
			BasePath(l.Base).
			Version(l.version).
			ServerVersion(l.serverVersion).
			Connection(l.conn.state())
	}
	return newErrorBoundary().Named("page:" + string(l.PageID)).Child(page).OnPanic(l.reportPanic)
}

// pageTitle is the title of the current page.
func (l *layout) pageTitle() string {
	if l.PageID == pageShell {
		return "Shell"
	}
	for _, p := range shellPages() {
		if p.id == l.PageID {
			return p.title
		}
	}
	if l.PageID == pageLogs {
		return "Logs"
	}
	return "Error boundary demo"
}

// OnNav names the page in the window title and closes the narrow-screen
// menu. It also runs while the server prerenders: it starts nothing.
func (l *layout) OnNav(ctx app.Context) {
	l.navOpen = false
	ctx.Page().SetTitle("%s · Kubedeck", l.pageTitle())
}

// OnAppUpdate shows the update banner once the new version is downloaded.
func (l *layout) OnAppUpdate(ctx app.Context) { l.updateReady = ctx.AppUpdateAvailable() }

// OnAppInstallChange shows or hides the Install button.
func (l *layout) OnAppInstallChange(ctx app.Context) { l.installable = ctx.IsAppInstallable() }

func (l *layout) reload(ctx app.Context) { ctx.Reload() }

func (l *layout) install(ctx app.Context) { ctx.ShowAppInstallPrompt() }

func (l *layout) toggleNav(ctx app.Context) { l.navOpen = !l.navOpen }

func (l *layout) toggleTheme(ctx app.Context) { l.cycleTheme(ctx.LocalStorage()) }

// keyValueStore is where settings are remembered (localStorage in the
// browser); app.BrowserStorage is one.
type keyValueStore interface {
	Get(k string, v any) error
	Set(k string, v any) error
}

// cycleTheme switches to the next theme and remembers it.
func (l *layout) cycleTheme(store keyValueStore) {
	l.theme = l.theme.next()
	if err := store.Set(themeStorageKey, string(l.theme)); err != nil {
		l.toasts.add(toastError, "Your theme choice could not be saved: "+err.Error())
	}
}

// loadTheme applies the remembered theme.
func (l *layout) loadTheme(store keyValueStore) {
	var s string
	_ = store.Get(themeStorageKey, &s) // nothing stored, or unreadable: follow the system
	l.theme = parseTheme(s)
}

// signedIn shows who the server says is signed in: the name Kubernetes
// knows the user by (the one RoleBindings name), with what the provider
// says besides in the title.
func (l *layout) signedIn(me shared.Me) {
	l.user = me.User
	l.userTitle = "Signed in as " + me.User + " (the name Kubernetes knows you by)"
	for _, other := range []string{me.Username, me.Email} {
		if other != "" && other != me.User {
			l.userTitle += "; " + other
		}
	}
	l.devUser = ""
	if me.DevMode {
		l.devUser = l.user
	}
	l.signOutURL = me.SignOutURL
}

// endSession shows the sign-in prompt, which brings the user back to the
// page at back (path and query) once signed in.
func (l *layout) endSession(back string) {
	if l.signIn == "" {
		l.signIn = signInURL(l.Base, l.signOutURL, back)
	}
}

// showError turns a failure into an error toast and returns its id.
func (l *layout) showError(err error) int { return l.toasts.add(toastError, err.Error()) }

// dismissToast removes a toast.
func (l *layout) dismissToast(ctx app.Context, id int) { l.toasts.dismiss(id) }

// reportPanic sends what an error boundary caught to the server.
func (l *layout) reportPanic(ce shared.ClientError) {
	if l.reporter != nil {
		l.reporter.report(ce)
	}
}
