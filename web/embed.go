// Package web holds Kubedeck's static assets (stylesheet, icons) and, once
// built, app.wasm's precompressed forms app.wasm.br and app.wasm.gz, all
// embedded into the server binary.
package web

import "embed"

// FS is every asset of this folder. app.wasm.br and app.wasm.gz are in it
// only when `make wasm` ran before the server was built; the raw app.wasm
// stays in bin/, out of the binary: the server serves it to the rare client
// that takes neither encoding by decompressing the .gz as it sends it. (The
// pattern is "*" rather than a list so that a server builds without the
// WASM, to say how to build it.)
//
//go:embed *
var FS embed.FS
