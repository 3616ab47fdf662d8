package localcluster

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStopLeavesNothingBehind(t *testing.T) {
	Need(t, cluster)
	t.Parallel()
	c, err := Start(t.Context(), Options{Nodes: 1, GPUNodes: -1})
	if err != nil {
		t.Fatal(err)
	}
	pids, dir := c.pids(), c.Dir()
	var names []string
	for name := range pids {
		names = append(names, name)
	}
	wantNames := []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}
	if diff := cmp.Diff(wantNames, names, cmpSorted()); diff != "" {
		t.Errorf("processes (-want +got):\n%s", diff)
	}

	for i := range 2 { // the second Stop does nothing
		if err := c.Stop(); err != nil {
			t.Fatalf("stop #%d: %v", i+1, err)
		}
	}
	for name, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) still exists after Stop: kill 0 = %v", name, pid, err)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cluster directory %s still exists after Stop (stat: %v)", dir, err)
	}
}

func TestStartFailureNamesComponentAndKeepsLog(t *testing.T) {
	Need(t, cluster)
	t.Parallel()
	// The real binaries, except an API server that fails at once.
	bin := t.TempDir()
	for _, b := range append(binaries(), "stages", "crds") {
		if err := os.Symlink(filepath.Join(DefaultBinDir(), b), filepath.Join(bin, b)); err != nil {
			t.Fatal(err)
		}
	}
	apiserver := filepath.Join(bin, "kube-apiserver")
	os.Remove(apiserver)
	script := "#!/bin/sh\necho 'cannot start: broken on purpose' >&2\nexit 3\n"
	if err := os.WriteFile(apiserver, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	_, err := Start(t.Context(), Options{Nodes: 1, GPUNodes: -1, BinDir: bin})
	if err == nil {
		t.Fatal("Start with a failing API server: no error")
	}
	m := regexp.MustCompile(`see its log: (\S+kube-apiserver\.log)`).FindStringSubmatch(err.Error())
	if !strings.Contains(err.Error(), "kube-apiserver exited") || m == nil {
		t.Fatalf("error does not name the API server and its log: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(filepath.Dir(m[1]))) })
	log, readErr := os.ReadFile(m[1])
	if readErr != nil || !strings.Contains(string(log), "broken on purpose") {
		t.Errorf("log %s not kept with the component's output: %q, %v", m[1], log, readErr)
	}
	// etcd, which did start, must be gone.
	if out, _ := exec.Command("pgrep", "-f", filepath.Dir(filepath.Dir(m[1]))).Output(); len(out) > 0 {
		t.Errorf("processes of the failed cluster still run: %s", out)
	}
}
