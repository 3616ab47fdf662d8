//go:build !wasm

package main

import "context"

// runTerminal runs only in the browser; built natively (the server's
// prerendering, native tests) it says so.
func runTerminal(_ context.Context, _ string, _ shellTarget, update func(termState)) {
	update(termState{Status: termFailed, Message: "The terminal runs only in the browser."})
}
