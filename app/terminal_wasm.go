//go:build wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"syscall/js"

	"github.com/coder/websocket"
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The vendored xterm.js files (web/vendor/xterm), loaded on the first
// shell page only: the other pages do not pay for them.
const (
	xtermDir    = "/web/vendor/xterm/"
	xtermScript = "xterm.js"
	xtermFit    = "addon-fit.js"
	xtermStyles = "xterm.css"
)

// runTerminal asks the server whether the shell would open, then runs it
// in an xterm.js terminal in #kd-terminal, reporting each state to update.
// The terminal stays, with what it showed, after the session ends, until
// ctx does (a reconnect, or the page closing).
func runTerminal(ctx context.Context, base string, t shellTarget, update func(termState)) {
	update(termState{Status: termChecking})
	path := shared.ExecPath(t.Namespace, t.Pod, t.Container, nil)
	check, err := checkExec(ctx, base+path)
	if err != nil {
		if ctx.Err() == nil {
			update(termState{Status: termRefused, Message: err.Error()})
		}
		return
	}
	if err := loadXterm(ctx, base); err != nil {
		update(termState{Status: termFailed, Message: "The terminal could not be loaded: " + err.Error()})
		return
	}
	doc := js.Global().Get("document")
	el := doc.Call("getElementById", "kd-terminal")
	if !el.Truthy() {
		return // the page has gone
	}
	// Each session's terminal has an element of its own: the page may be
	// mounted again (a new session) before the last one's is gone.
	host := doc.Call("createElement", "div")
	host.Set("className", "kd-terminal-host")
	el.Call("appendChild", host)
	defer host.Call("remove")
	term := newXterm(host)
	defer func() {
		<-ctx.Done()
		term.dispose()
	}()
	update(termState{Status: termConnecting, Container: check.Container})

	u := app.Window().URL()
	scheme := "ws"
	if u.Scheme == "https" {
		scheme = "wss"
	}
	conn, _, err := websocket.Dial(ctx, scheme+"://"+u.Host+base+shared.ExecPath(t.Namespace, t.Pod, check.Container, nil), nil)
	if err != nil {
		if ctx.Err() == nil {
			update(termState{Status: termFailed, Container: check.Container, Message: "The shell could not be opened: " + err.Error()})
		}
		return
	}
	// Close waits for the server's close frame; the terminal must not.
	defer func() { go conn.Close(websocket.StatusNormalClosure, "") }()
	conn.SetReadLimit(1 << 20)
	state := termState{Status: termOpen, Container: check.Container}
	// Keystrokes and sizes go out in order, from one goroutine.
	out := make(chan []byte, 256)
	sizes := make(chan shared.ExecInput, 1)
	term.onInput(out, sizes)
	go func() {
		for {
			var err error
			select {
			case <-ctx.Done():
				return
			case b := <-out:
				err = conn.Write(ctx, websocket.MessageBinary, b)
			case sz := <-sizes:
				raw, _ := json.Marshal(sz)
				err = conn.Write(ctx, websocket.MessageText, raw)
			}
			if err != nil {
				return
			}
		}
	}()
	term.fit()
	term.focus()
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				update(state.broken(nil))
			}
			return
		}
		if typ == websocket.MessageBinary {
			term.write(data)
			continue
		}
		var ev shared.ExecEvent
		if json.Unmarshal(data, &ev) != nil {
			continue
		}
		switch ev.Type {
		case shared.ExecEventStarted:
			state.Container = ev.Container
			update(state)
			term.sendSize(sizes)
		case shared.ExecEventEnded:
			state = state.ended(ev)
			update(state)
			term.write([]byte("\r\n[" + endLabel(ev) + "]\r\n"))
		}
	}
}

// checkExec asks the exec route, without upgrading, whether the shell
// would open; an error says why not, for people.
func checkExec(ctx context.Context, path string) (shared.ExecCheck, error) {
	resp, err := send(ctx, http.MethodGet, path, nil)
	if err != nil {
		return shared.ExecCheck{}, errors.New("the server could not be reached")
	}
	var env shared.Envelope
	if err := json.Unmarshal(resp.body, &env); err != nil {
		return shared.ExecCheck{}, fmt.Errorf("the server answered %s", statusLine(resp.status))
	}
	if !env.Success || env.Error != nil {
		if env.Error != nil {
			return shared.ExecCheck{}, errors.New(env.Error.Message)
		}
		return shared.ExecCheck{}, fmt.Errorf("the server answered %s", statusLine(resp.status))
	}
	var check shared.ExecCheck
	err = json.Unmarshal(env.Data, &check)
	return check, err
}

// loadXterm adds xterm.js, its fit addon and its stylesheet to the page,
// once, from the same place as the app's stylesheet (the fingerprinted
// asset path), and waits until they have loaded.
func loadXterm(ctx context.Context, base string) error {
	doc := js.Global().Get("document")
	if js.Global().Get("Terminal").Truthy() && js.Global().Get("FitAddon").Truthy() {
		return nil
	}
	dir := base + xtermDir
	if link := doc.Call("querySelector", `link[href$="/web/kubedeck.css"]`); link.Truthy() {
		dir = strings.TrimSuffix(link.Call("getAttribute", "href").String(), "kubedeck.css") + "vendor/xterm/"
	}
	css := doc.Call("createElement", "link")
	css.Set("rel", "stylesheet")
	css.Set("href", dir+xtermStyles)
	doc.Get("head").Call("appendChild", css)
	for _, name := range []string{xtermScript, xtermFit} {
		if err := loadScript(ctx, doc, dir+name); err != nil {
			return err
		}
	}
	return nil
}

// loadScript adds a script element for src and waits for it to load.
func loadScript(ctx context.Context, doc js.Value, src string) error {
	done := make(chan error, 1)
	s := doc.Call("createElement", "script")
	onLoad := js.FuncOf(func(js.Value, []js.Value) any { done <- nil; return nil })
	onError := js.FuncOf(func(js.Value, []js.Value) any { done <- errors.New(src + " did not load"); return nil })
	defer func() {
		// A script still loading must not call a released function.
		s.Set("onload", js.Null())
		s.Set("onerror", js.Null())
		onLoad.Release()
		onError.Release()
	}()
	s.Set("onload", onLoad)
	s.Set("onerror", onError)
	s.Set("src", src)
	doc.Get("head").Call("appendChild", s)
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
