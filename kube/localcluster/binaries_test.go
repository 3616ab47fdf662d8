package localcluster

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func cmpSorted() cmp.Option {
	return cmp.Transformer("sorted", func(in []string) []string {
		out := slices.Clone(in)
		slices.Sort(out)
		return out
	})
}

func TestDefaultBinDirMatchesBuildScript(t *testing.T) {
	tests := []struct {
		name string
		env  string
	}{
		{"default", ""},
		{"overridden", "/opt/kubedeck-cluster-bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KUBEDECK_CLUSTER_BIN", tt.env)
			out, err := exec.Command("bash", "tools/build.sh", "--dir").Output()
			if err != nil {
				t.Fatalf("build.sh --dir: %v", err)
			}
			if diff := cmp.Diff(strings.TrimSpace(string(out)), DefaultBinDir()); diff != "" {
				t.Errorf("bin dir (-build.sh +DefaultBinDir):\n%s", diff)
			}
		})
	}
}

func TestCheckBinariesNamesWhatIsMissing(t *testing.T) {
	err := CheckBinaries(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "etcd missing") {
		t.Errorf("empty dir: error %v, want one naming etcd", err)
	}
}
