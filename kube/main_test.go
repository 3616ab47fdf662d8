package kube

import (
	"flag"
	"os"
	"testing"

	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// cluster is the package's local cluster; nil when its binaries are not
// built (tests that need it call localcluster.Need).
var cluster *localcluster.Cluster

func TestMain(m *testing.M) {
	flag.Parse()
	if flag.Lookup("test.run").Value.String() == "^$" {
		// Only benchmarks or fuzzing: none of the package's needs the
		// cluster, and starting one takes longer than they do.
		os.Exit(m.Run())
	}
	os.Exit(localcluster.RunTests(m, localcluster.Options{
		Users: []localcluster.User{{Name: "alice", Groups: []string{"team-a"}}, {Name: "bob"}},
	}, &cluster))
}
