//go:build wasm

package main

import (
	"syscall/js"

	"github.com/kubedeck/kubedeck/shared"
)

// xterm is one xterm.js Terminal with its fit addon, in an element.
type xterm struct {
	term, fitter js.Value
	el           js.Value
	funcs        []js.Func
	disposables  []js.Value
	observer     js.Value
	sheet        js.Value
	onWinResize  js.Func
}

// newXterm opens a terminal in el, sized to it.
func newXterm(el js.Value) *xterm {
	opts := map[string]any{
		"cursorBlink": true,
		"scrollback":  5000,
		"fontFamily":  "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
		"fontSize":    14,
	}
	x := &xterm{el: el}
	x.term = js.Global().Get("Terminal").New(opts)
	x.fitter = js.Global().Get("FitAddon").Get("FitAddon").New()
	x.term.Call("loadAddon", x.fitter)
	x.mirrorStyles()
	x.term.Call("open", el)
	x.copyPaste()
	x.onWinResize = js.FuncOf(func(js.Value, []js.Value) any { x.fit(); return nil })
	js.Global().Call("addEventListener", "resize", x.onWinResize)
	return x
}

// mirrorStyles works around the CSP (style-src 'self'): xterm.js sizes and
// colours its cells with <style> elements it fills in, which the browser
// refuses to apply. Their text is copied into a constructed stylesheet,
// which the CSP allows, each time xterm.js changes them.
func (x *xterm) mirrorStyles() {
	doc := js.Global().Get("document")
	x.sheet = js.Global().Get("CSSStyleSheet").New()
	sheets := js.Global().Get("Array").Call("from", doc.Get("adoptedStyleSheets"))
	sheets.Call("push", x.sheet)
	doc.Set("adoptedStyleSheets", sheets)
	sync := js.FuncOf(func(js.Value, []js.Value) any {
		styles := x.el.Call("querySelectorAll", "style")
		text := ""
		for i := 0; i < styles.Length(); i++ {
			text += styles.Index(i).Get("textContent").String() + "\n"
		}
		x.sheet.Call("replaceSync", text)
		return nil
	})
	x.funcs = append(x.funcs, sync)
	x.observer = js.Global().Get("MutationObserver").New(sync)
	x.observer.Call("observe", x.el, map[string]any{"childList": true, "subtree": true, "characterData": true})
}

// copyPaste makes Ctrl+Shift+C copy the selection (Ctrl+C stays the
// interrupt) and leaves Ctrl+Shift+V to the browser, which pastes into
// xterm.js's input. On a Mac ⌘C and ⌘V work as they do everywhere.
func (x *xterm) copyPaste() {
	keys := js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := args[0]
		if e.Get("type").String() != "keydown" || !e.Get("ctrlKey").Bool() || !e.Get("shiftKey").Bool() {
			return true
		}
		switch e.Get("code").String() {
		case "KeyC":
			if sel := x.term.Call("getSelection").String(); sel != "" {
				if cb := js.Global().Get("navigator").Get("clipboard"); cb.Truthy() {
					cb.Call("writeText", sel)
				}
			}
			e.Call("preventDefault")
			return false
		case "KeyV":
			return false
		}
		return true
	})
	x.funcs = append(x.funcs, keys)
	x.term.Call("attachCustomKeyEventHandler", keys)
}

// onInput sends what is typed (or pasted) to out and the terminal's new
// sizes to sizes (only the latest is kept).
func (x *xterm) onInput(out chan<- []byte, sizes chan shared.ExecInput) {
	data := js.FuncOf(func(_ js.Value, args []js.Value) any {
		b := []byte(args[0].String())
		select {
		case out <- b:
		default: // more than the queue holds unsent: the socket is gone
		}
		return nil
	})
	resize := js.FuncOf(func(js.Value, []js.Value) any { x.sendSize(sizes); return nil })
	x.funcs = append(x.funcs, data, resize)
	x.disposables = append(x.disposables, x.term.Call("onData", data), x.term.Call("onResize", resize))
}

// sendSize queues the terminal's size, replacing one not yet sent.
func (x *xterm) sendSize(sizes chan shared.ExecInput) {
	sz := shared.ExecInput{Type: shared.ExecInputResize,
		Cols: uint16(x.term.Get("cols").Int()), Rows: uint16(x.term.Get("rows").Int())}
	select {
	case <-sizes:
	default:
	}
	sizes <- sz
}

// write shows the command's output.
func (x *xterm) write(b []byte) {
	arr := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(arr, b)
	x.term.Call("write", arr)
}

// fit sizes the terminal to its element.
func (x *xterm) fit() {
	if x.el.Get("offsetWidth").Int() > 0 {
		x.fitter.Call("fit")
	}
}

func (x *xterm) focus() { x.term.Call("focus") }

// dispose removes the terminal and everything it listened to.
func (x *xterm) dispose() {
	js.Global().Call("removeEventListener", "resize", x.onWinResize)
	x.onWinResize.Release()
	x.observer.Call("disconnect")
	for _, d := range x.disposables {
		d.Call("dispose")
	}
	x.term.Call("dispose")
	doc := js.Global().Get("document")
	sheets := js.Global().Get("Array").Call("from", doc.Get("adoptedStyleSheets"))
	kept := js.Global().Get("Array").New()
	for i := 0; i < sheets.Length(); i++ {
		if !sheets.Index(i).Equal(x.sheet) {
			kept.Call("push", sheets.Index(i))
		}
	}
	doc.Set("adoptedStyleSheets", kept)
	for _, f := range x.funcs {
		f.Release()
	}
}
