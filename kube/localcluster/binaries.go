package localcluster

import (
	"fmt"
	"os"
	"path/filepath"
)

// binKey names the set of versions tools/build.sh builds; the two must
// agree (TestDefaultBinDirMatchesBuildScript checks).
const binKey = "k8s-v1.37.2_etcd-v3.6.6_kwok-v0.8.0"

// binaries are the programs a cluster runs.
func binaries() []string {
	return []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}
}

// DefaultBinDir returns where tools/build.sh puts the binaries:
// $KUBEDECK_CLUSTER_BIN when set, otherwise a directory named for their
// versions under the user's cache directory.
func DefaultBinDir() string {
	if dir := os.Getenv("KUBEDECK_CLUSTER_BIN"); dir != "" {
		return dir
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = filepath.Join(os.TempDir(), "cache")
	}
	return filepath.Join(cache, "kubedeck", "cluster-bin", binKey)
}

// CheckBinaries returns an error unless dir holds every binary, kwok's
// stages and the kwok CRD the cluster installs.
func CheckBinaries(dir string) error {
	for _, b := range binaries() {
		info, err := os.Stat(filepath.Join(dir, b))
		if err != nil || info.Mode()&0o111 == 0 {
			return fmt.Errorf("local cluster binaries not built: %s missing in %s; run `make cluster-bin`", b, dir)
		}
	}
	for _, s := range upstreamStages() {
		if _, err := os.Stat(filepath.Join(dir, "stages", s)); err != nil {
			return fmt.Errorf("local cluster binaries not built: stages/%s missing in %s; run `make cluster-bin`", s, dir)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "crds", kwokLogsCRDFile)); err != nil {
		return fmt.Errorf("local cluster binaries not built: crds/%s missing in %s; run `make cluster-bin`", kwokLogsCRDFile, dir)
	}
	return nil
}
