//go:build wasm

package main

import "syscall/js"

// saveText makes the browser download text as a file named name: a Blob,
// an object URL, and a click on an anchor that is never in the page.
func saveText(name, text string) error {
	blob := js.Global().Get("Blob").New(js.ValueOf([]any{text}), map[string]any{"type": "text/plain;charset=utf-8"})
	url := js.Global().Get("URL").Call("createObjectURL", blob)
	a := js.Global().Get("document").Call("createElement", "a")
	a.Set("href", url)
	a.Set("download", name)
	a.Call("click")
	// The download has started; the URL is given back once it has read it.
	js.Global().Call("setTimeout", js.FuncOf(func(js.Value, []js.Value) any {
		js.Global().Get("URL").Call("revokeObjectURL", url)
		return nil
	}), 10000)
	return nil
}
