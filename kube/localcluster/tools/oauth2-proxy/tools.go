//go:build tools

// Package tools pins the oauth2-proxy the chart runs beside Kubedeck, which
// the tests start with the chart's own arguments and alpha config.
package tools

import _ "github.com/oauth2-proxy/oauth2-proxy/v7"
