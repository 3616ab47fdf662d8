package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// listenKeys makes "/" focus the log search, wherever focus is but in a
// field, and returns what stops it. It does nothing outside the browser.
func (v *logViewer) listenKeys(ctx app.Context) func() {
	if !app.IsClient {
		return nil
	}
	doc := app.Window().Get("document")
	h := app.FuncOf(func(this app.Value, args []app.Value) any {
		e := args[0]
		if e.Get("key").String() != "/" || e.Get("ctrlKey").Bool() || e.Get("metaKey").Bool() || e.Get("altKey").Bool() {
			return nil
		}
		switch doc.Get("activeElement").Get("tagName").String() {
		case "INPUT", "TEXTAREA", "SELECT":
			return nil
		}
		if box := doc.Call("getElementById", "kd-logs-search"); box.Truthy() {
			e.Call("preventDefault")
			box.Call("focus")
		}
		return nil
	})
	doc.Call("addEventListener", "keydown", h)
	return func() {
		doc.Call("removeEventListener", "keydown", h)
		h.Release()
	}
}
