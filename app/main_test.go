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

// replicaEnv, set in a child process's environment, makes the test binary
// run Kubedeck itself with its arguments (the replicas test starts real
// processes of it and kills them).
const replicaEnv = "KUBEDECK_TEST_RUN_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(replicaEnv) == "1" {
		registerRoutes()
		serve()
		os.Exit(0)
	}
	code := localcluster.RunTests(m, localcluster.Options{}, &cluster)
	chromiumProcesses.close()
	os.Exit(code)
}
