package main

import (
	"context"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// logViewer shows the logs of a pod, or of an app's pods merged: read
// once, or followed live over the tab's WebSocket; with a container
// picker, how far back, timestamps, the previous container, pause,
// search, wrap and download. It sits in the object drawer's Logs tab and
// on the logs page (/apps/logs/{kind}/{namespace}/{name}), which keeps
// its options in the URL.
//
// What it knows lives in logsState, whose methods make every change; this
// component loads, renders, and holds what runs in the browser (the
// follow, the scroll, the keyboard).
type logViewer struct {
	app.Compo
	guarded

	// Link is the layout's API client, socket and toasts.
	Link *serverLink
	// View is the view to start with; the viewer then keeps its own, and
	// starts again only when View names other logs.
	View logsView
	// Base is the path prefix the app is served under.
	Base string
	// OnPage says the viewer is the logs page's (it then offers no link to
	// that page).
	OnPage bool

	onView func(ctx app.Context, v logsView)

	st        *logsState
	running   bool
	ui        app.Context
	stopCtx   context.Context
	stop      context.CancelFunc
	unfollow  func()
	attempt   int    // follows started again by themselves since lines last came
	custom    string // the custom tail being typed
	customErr string
	offKeys   func()
}

func newLogViewer() *logViewer { return &logViewer{} }

// Server sets the layout's link to the server.
func (v *logViewer) Server(l *serverLink) *logViewer { v.Link = l; return v }

// Logs sets the view to show.
func (v *logViewer) Logs(view logsView) *logViewer { v.View = view; return v }

// BasePath sets the path prefix the app is served under.
func (v *logViewer) BasePath(base string) *logViewer { v.Base = base; return v }

// Page says the viewer is the logs page's.
func (v *logViewer) Page(on bool) *logViewer { v.OnPage = on; return v }

// OnView sets what learns of each change of the view (the page writes it
// in the URL).
func (v *logViewer) OnView(f func(app.Context, logsView)) *logViewer { v.onView = f; return v }

// Guard sets the error boundary's wrapper for the viewer's handlers.
func (v *logViewer) Guard(wrap func(app.EventHandler) app.EventHandler) *logViewer {
	v.setGuard(wrap)
	return v
}

// state is the viewer's state, made from View at first.
func (v *logViewer) state() *logsState {
	if v.st == nil {
		v.st = newLogsState(v.View)
	}
	return v.st
}

// OnMount starts reading in the browser.
func (v *logViewer) OnMount(ctx app.Context) { v.start(ctx) }

// OnDismount stops the read or the follow.
func (v *logViewer) OnDismount() { v.end() }

// OnUpdate starts again when the parent names other logs.
func (v *logViewer) OnUpdate(ctx app.Context) {
	if v.st != nil && v.View.target() != v.st.view.target() {
		v.st.view = v.View
		v.load()
	}
}

// start loads the view's logs and listens to the keyboard.
func (v *logViewer) start(ctx app.Context) {
	if v.running || v.Link == nil || v.Link.api == nil {
		return
	}
	v.ui, v.running = ctx, true
	v.stopCtx, v.stop = context.WithCancel(context.Background())
	v.state()
	v.offKeys = v.listenKeys(ctx)
	v.load()
}

// end stops everything start started.
func (v *logViewer) end() {
	v.stopLoad()
	if v.stop != nil {
		v.stop()
	}
	if v.offKeys != nil {
		v.offKeys()
		v.offKeys = nil
	}
	v.running = false
}

// changed applies a change of the view's options: the page's URL follows,
// and the logs are read again when the query or the follow changed.
func (v *logViewer) changed(ctx app.Context, next logsView) {
	st := v.state()
	reread := next.Query != st.view.Query || next.Follow != st.view.Follow
	st.view = next
	if v.onView != nil {
		v.onView(ctx, next)
	}
	if reread {
		v.load()
	}
}

// Render shows the controls, the notes and the lines.
func (v *logViewer) Render() app.UI {
	st := v.state()
	return app.Section().ID("kd-logs").Class("kd-logs").Aria("label", "Logs of "+st.view.Query.Name).
		DataSet("status", st.status.String()).Body(
		v.toolbar(st),
		v.notes(st),
		v.pane(st),
	)
}
