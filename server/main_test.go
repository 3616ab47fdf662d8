package server

import (
	"os"
	"testing"

	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// cluster is the package's local cluster; nil when its binaries are not
// built (tests that need it call localcluster.Need).
var cluster *localcluster.Cluster

// helperMain, when a file sets it, may run this test binary as a helper
// process that a benchmark starts instead of the tests (see
// ws_benchserver_test.go); it reports, with the exit code, whether it did.
var helperMain func() (code int, ran bool)

func TestMain(m *testing.M) {
	if helperMain != nil {
		if code, ran := helperMain(); ran {
			os.Exit(code)
		}
	}
	os.Exit(localcluster.RunTests(m, localcluster.Options{
		Users:    []localcluster.User{{Name: "alice", Groups: []string{"team-a"}}, {Name: "bob"}},
		AuditLog: true,
	}, &cluster))
}
