package main

import (
	"context"
	"net/http"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// How often the server is asked for its version: rarely while it answers,
// often while it does not, so the indicator recovers quickly.
const (
	probeEvery      = 30 * time.Second
	probeRetryEvery = 5 * time.Second
	toastLifetime   = 8 * time.Second
	reportsPerMin   = 5
)

// OnMount starts the client side: the API client, the theme, the
// connection watch and the user. go-app calls it only in the browser.
func (l *layout) OnMount(ctx app.Context) {
	u := app.Window().URL()
	l.start(ctx, newAPIClient(u.Scheme+"://"+u.Host+l.Base+"/api/v1"))
}

// OnDismount stops what OnMount started.
func (l *layout) OnDismount() {
	if l.stop != nil {
		l.stop()
	}
	if l.release != nil {
		l.release()
	}
}

// start wires the layout to the server through client.
func (l *layout) start(ctx app.Context, client *apiClient) {
	stop, cancel := context.WithCancel(context.Background())
	l.stop = cancel
	l.live = true
	l.probe = make(chan struct{}, 1)
	l.client = client.
		OnFailure(func(err error) {
			ctx.Dispatch(func(ctx app.Context) { l.toastError(ctx, err) })
		}).
		OnReach(func(ok bool) {
			ctx.Dispatch(func(ctx app.Context) { l.conn.setAPIReachable(ok) })
		}).
		OnUnauthorized(func() {
			ctx.Dispatch(func(ctx app.Context) { l.endSession(app.Window().URL().RequestURI()) })
		})
	l.perms.use(ctx, l.client)
	l.startSocket(ctx, stop)
	l.reporter = newErrorReporter(client, l.version, func() string { return app.Window().URL().Path }, reportsPerMin)
	l.loadTheme(ctx.LocalStorage())
	l.updateReady = ctx.AppUpdateAvailable()
	l.installable = ctx.IsAppInstallable()
	l.watchBrowser(ctx)
	ctx.Async(func() { l.watchServer(ctx, stop) })
	ctx.Async(func() { l.loadUser(ctx, stop) })
}

// startSocket opens the tab's WebSocket (once a page subscribes) and feeds
// its state to the connection indicator, and lends the pages the client,
// the socket and the toasts.
func (l *layout) startSocket(ctx app.Context, stop context.Context) {
	u := app.Window().URL()
	scheme := "ws"
	if u.Scheme == "https" {
		scheme = "wss"
	}
	l.socket = newWSClient(scheme + "://" + u.Host + l.Base + "/api/v1/ws").
		OnState(func(up bool) {
			ctx.Dispatch(func(ctx app.Context) { l.conn.setSocketUp(up) })
		}).
		// Asking who is signed in answers 401 when the session has ended,
		// which shows the sign-in prompt.
		OnSessionCheck(func() { ctx.Async(func() { l.loadUser(ctx, stop) }) })
	ctx.Async(func() { l.socket.run(stop) })
	*l.link = serverLink{api: l.client, socket: l.socket, notify: l.notify, recheck: l.probeNow, perms: l.perms}
}

// watchBrowser follows the browser's online and offline events.
func (l *layout) watchBrowser(ctx app.Context) {
	if !app.IsClient {
		return
	}
	win := app.Window()
	l.conn.setBrowserOnline(win.Get("navigator").Get("onLine").Bool())
	handler := func(online bool) app.Func {
		return app.FuncOf(func(this app.Value, args []app.Value) any {
			ctx.Dispatch(func(ctx app.Context) {
				l.conn.setBrowserOnline(online)
				if online {
					l.probeNow()
					l.socket.reconnectNow()
					l.notify(ctx, toastSuccess, "Back online.")
					return
				}
				l.notify(ctx, toastInfo, "You are offline. Kubedeck reconnects when the network is back.")
			})
			return nil
		})
	}
	on, off := handler(true), handler(false)
	win.Call("addEventListener", "online", on)
	win.Call("addEventListener", "offline", off)
	l.release = func() {
		win.Call("removeEventListener", "online", on)
		win.Call("removeEventListener", "offline", off)
		on.Release()
		off.Release()
	}
}

// probeNow asks watchServer to ask the server now.
func (l *layout) probeNow() {
	select {
	case l.probe <- struct{}{}:
	default:
	}
}

// watchServer asks the server for its version until stop: the answer (or
// its absence) feeds the connection indicator, and a version other than
// this UI's asks the service worker to fetch the new one (go-app then calls
// OnAppUpdate, which shows the update banner).
func (l *layout) watchServer(ctx app.Context, stop context.Context) {
	for {
		v, err := apiGet[shared.Version](stop, l.client, "/version", quiet())
		if stop.Err() != nil {
			return
		}
		ctx.Dispatch(func(ctx app.Context) { l.serverSaid(v.Version, err) })
		wait := probeEvery
		if err != nil {
			wait = probeRetryEvery
		}
		t := time.NewTimer(wait)
		select {
		case <-stop.Done():
			t.Stop()
			return
		case <-l.probe:
			t.Stop()
		case <-t.C:
		}
	}
}

// serverSaid records the server's version and, when it differs from this
// UI's, asks for the update once.
func (l *layout) serverSaid(serverVersion string, err error) {
	if err != nil || serverVersion == "" {
		return
	}
	l.serverVersion = serverVersion
	if serverVersion != l.version && serverVersion != l.triedUpdate {
		l.triedUpdate = serverVersion
		app.TryUpdate()
	}
}

// loadUser asks who is signed in, for the header, the dev-mode banner and
// the logout link. Until the server answers, the header shows "—"; a server
// without GET /api/v1/me (a 404) leaves it so, quietly.
func (l *layout) loadUser(ctx app.Context, stop context.Context) {
	me, err := apiGet[shared.Me](stop, l.client, "/me", quietOn(http.StatusNotFound))
	if err != nil {
		return
	}
	ctx.Dispatch(func(ctx app.Context) { l.signedIn(me) })
}

// toastError shows err as a toast that stays until dismissed.
func (l *layout) toastError(ctx app.Context, err error) { l.showError(err) }

// notify shows a message that goes away by itself.
func (l *layout) notify(ctx app.Context, level toastLevel, text string) {
	id := l.toasts.add(level, text)
	ctx.After(toastLifetime, func(ctx app.Context) { l.toasts.dismiss(id) })
}
