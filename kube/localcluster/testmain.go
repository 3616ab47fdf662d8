package localcluster

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// skipMessage is what Need says when there is no cluster.
const skipMessage = "local cluster binaries not built: run `make cluster-bin` (make test does)"

// RunTests starts a cluster for a test package, runs its tests and stops the
// cluster, keeping its logs (and printing where) when a test failed. When
// the binaries are not built it prints one line, leaves *c nil and runs the
// tests anyway, so that Need skips the ones that need the cluster. Use it
// from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(localcluster.RunTests(m, opts, &cluster)) }
func RunTests(m *testing.M, opts Options, c **Cluster) int {
	*c = nil
	dir := opts.BinDir
	if dir == "" {
		dir = DefaultBinDir()
	}
	if err := CheckBinaries(dir); err != nil {
		fmt.Fprintln(os.Stderr, skipMessage)
		return m.Run()
	}
	cluster, err := Start(context.Background(), opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*c = cluster
	code := m.Run()
	if code != 0 {
		cluster.keepLogs()
		fmt.Fprintf(os.Stderr, "local cluster logs kept in %s\n", cluster.LogDir())
	}
	if err := cluster.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Need skips the test with one line when the package's cluster did not
// start because its binaries are not built.
func Need(t testing.TB, c *Cluster) {
	t.Helper()
	if c == nil {
		t.Skip(skipMessage)
	}
}
