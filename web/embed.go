// Package web holds Kubedeck's static assets (stylesheet, icons) and, once
// built, app.wasm with its precompressed app.wasm.br and app.wasm.gz, all
// embedded into the server binary.
package web

import "embed"

// FS is every asset of this folder. app.wasm and its compressed forms are in
// it only when `make wasm` ran before the server was built.
//
//go:embed *
var FS embed.FS
