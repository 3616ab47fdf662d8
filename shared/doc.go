// Package shared holds the types that cross the wire between the Kubedeck
// server and its WebAssembly UI, and their validation rules. It is compiled
// into the WASM, so it imports only the standard library and small pure-Go
// packages: never k8s.io, Helm or Redis.
package shared
