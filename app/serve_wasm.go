//go:build wasm

package main

// serve is the server's entry point; the browser build has none.
func serve() {}
