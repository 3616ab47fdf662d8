package chart_test

import (
	"os"
	"testing"

	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// cluster is the package's local cluster, for the tests that install the
// chart (docs_test.go); nil when its binaries are not built (those tests
// call localcluster.Need).
var cluster *localcluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(localcluster.RunTests(m, localcluster.Options{}, &cluster))
}
