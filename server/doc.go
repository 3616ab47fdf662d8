// Package server is Kubedeck's HTTP side: the JSON API under /api/v1, the
// WebSocket hub, identity and browser-safety middleware, static and PWA
// serving, health and metrics. A Server is built by New from a Config and its
// dependencies; there is no package-level state.
package server
