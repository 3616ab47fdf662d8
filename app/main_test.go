//go:build !wasm

package main

import (
	"os"
	"testing"

	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// cluster is the package's local cluster; nil when its binaries are not
// built (tests that need it call localcluster.Need).
var cluster *localcluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(localcluster.RunTests(m, localcluster.Options{}, &cluster))
}
