package main

import (
	"context"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// terminalPage is the page at /apps/shell/{namespace}/{pod}?container=: a
// terminal running a shell in the pod's container, through the server's
// exec route. It asks the server first whether the shell would open, and
// shows why not instead of a terminal; it shows how a session ended and
// offers to reconnect. The terminal itself (xterm.js, the socket) runs
// only in the browser: runTerminal in terminal_wasm.go.
type terminalPage struct {
	app.Compo

	Base   string
	target shellTarget
	valid  bool
	state  termState
	stop   context.CancelFunc // ends the running session
}

func newTerminalPage() *terminalPage { return &terminalPage{} }

// BasePath sets the path prefix the app is served under.
func (p *terminalPage) BasePath(base string) *terminalPage { p.Base = base; return p }

// OnNav reads the target from the URL (also while prerendering: nothing
// starts here), and opens the new target's shell when the page is already
// running one for another.
func (p *terminalPage) OnNav(ctx app.Context) {
	before := p.target
	p.read(ctx)
	if app.IsClient && p.stop != nil && p.target != before {
		p.connect(ctx)
	}
}

// OnMount opens the shell.
func (p *terminalPage) OnMount(ctx app.Context) {
	p.read(ctx)
	p.connect(ctx)
}

// OnDismount closes the session.
func (p *terminalPage) OnDismount() { p.disconnect() }

func (p *terminalPage) read(ctx app.Context) {
	u := ctx.Page().URL()
	p.target, p.valid = parseShellURL(strings.TrimPrefix(u.Path, p.Base), u.Query())
}

// connect ends any session and starts a new one.
func (p *terminalPage) connect(ctx app.Context) {
	p.disconnect()
	if !p.valid {
		p.state = termState{Status: termRefused, Message: "This address names no pod: open a shell from a Pod's details."}
		return
	}
	run, cancel := context.WithCancel(context.Background())
	p.stop = cancel
	p.state = termState{Status: termChecking}
	target, base := p.target, p.Base
	ctx.Async(func() {
		runTerminal(run, base, target, func(s termState) {
			ctx.Dispatch(func(app.Context) {
				if run.Err() == nil {
					p.state = s
				}
			})
		})
	})
}

func (p *terminalPage) disconnect() {
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
}

// reconnect loads the page again, which opens a new session. (Opening it
// in place left the new session waiting in the browser tests: to be found.)
func (p *terminalPage) reconnect(ctx app.Context, e app.Event) { ctx.Reload() }

// Render shows the target, the session's state, the terminal and, when a
// session is over, Reconnect.
func (p *terminalPage) Render() app.UI {
	s := p.state
	title := "Shell"
	if p.valid {
		title = "Shell in " + p.target.Namespace + "/" + p.target.Pod
	}
	container := p.target.Container
	if s.Container != "" {
		container = s.Container
	}
	alert := s.Status == termRefused || s.Status == termFailed
	return app.Section().ID("kd-shell").Class("kd-shell").Body(
		app.Div().Class("kd-shell-head").Body(
			app.H1().ID("kd-shell-title").Text(title),
			app.If(container != "", func() app.UI {
				return app.P().Class("kd-muted").Text("Container: " + container)
			}),
			app.Span().ID("kd-shell-status").Role("status").
				Class("kd-shell-status kd-shell-status-"+statusClass(s.Status)).Text(s.label()),
			app.If(s.canReconnect(), func() app.UI {
				return app.Button().Type("button").ID("kd-shell-reconnect").Class("kd-button").
					OnClick(p.reconnect).Text("Reconnect")
			}),
		),
		// Always there, so that the terminal's element is never re-created
		// (go-app matches children by position; xterm.js lives inside it).
		p.message(s.Message, s.Status != termOpen && s.Message != "", alert),
		app.Div().ID("kd-terminal").Class("kd-terminal").Hidden(s.Status == termRefused).
			Aria("label", "Terminal"),
		app.P().Class("kd-muted kd-shell-help").Text(
			"Copy: select text, then Ctrl+Shift+C (⌘C on a Mac). Paste: Ctrl+Shift+V (⌘V)."),
	)
}

// message is the line saying why a session was refused, failed or ended.
func (p *terminalPage) message(text string, shown, alert bool) app.UI {
	msg := app.P().ID("kd-shell-message").Class("kd-shell-message").Hidden(!shown).Text(text)
	if alert {
		msg = msg.Role("alert")
	}
	return msg
}

// statusClass names a status for the stylesheet.
func statusClass(s termStatus) string {
	switch s {
	case termOpen:
		return "open"
	case termRefused, termFailed:
		return "failed"
	case termEnded:
		return "ended"
	}
	return "pending"
}
