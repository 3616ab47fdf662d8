//go:build tools

// Package tools pins the kwok command the local cluster runs.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
