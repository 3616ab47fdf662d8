package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The server stops in the middle of an upgrade that waits for its Pods:
// the operation fails saying the release may be stuck; after a restart the
// release is failed (or, had Helm had no time to say so, pending and
// marked stuck), and a rollback through the API brings it back to
// deployed. (kube/helm's TestStuckRelease covers a release left pending.)
func TestChartsStuckAfterRestartRolledBack(t *testing.T) {
	cfg := proxyConfig()
	cfg.ShutdownTimeout = time.Second
	f := newChartsServer(t, cfg, time.Second, helm.Options{})
	ns := f.namespace(t, "charts-restart")
	f.bind(t, "helm-rita", "edit", ns)
	if op := f.install(t, "helm-rita", ns, "web"); op.Phase != shared.OperationSucceeded {
		t.Fatalf("install: %+v", op.Error)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.s.Serve(ctx, ln) }()

	// kwok never makes a "fail-pull" image's Pods ready: the upgrade waits.
	code, env := f.send(t, http.MethodPut, "/api/v1/charts/web?namespace="+ns, "helm-rita", shared.ChartInstall{
		Chart: "test/web", Version: "1.0.0", Values: "image:\n  repository: registry.example.test/fail-pull\n  tag: '2'\n"})
	if code != http.StatusAccepted {
		t.Fatalf("upgrade: %d %+v", code, env.Error)
	}
	var rep shared.OperationReply
	if err := json.Unmarshal(env.Data, &rep); err != nil {
		t.Fatal(err)
	}
	// Helm has applied the upgrade once the new image's Pod exists; it then
	// waits.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		pods, err := f.admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err == nil && slices.ContainsFunc(pods.Items, func(p corev1.Pod) bool {
			return strings.Contains(p.Spec.Containers[0].Image, "fail-pull")
		}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the upgrade's Pod did not appear within a minute")
		}
	}
	old := f.s
	stop()
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
	final := f.waitOperation(t, "helm-rita", rep.Operation.ID, 10*time.Second)
	if final.Phase != shared.OperationFailed || !strings.Contains(final.Message, "roll it back") {
		t.Fatalf("the interrupted upgrade: %+v", final)
	}

	// A new server: nothing runs on the release, which Helm left pending.
	s, err := New(cfg, Deps{Log: slog.New(slog.DiscardHandler), Kube: f.client, Objects: f.s.deps.Objects,
		Access: f.s.deps.Access, Operations: operations.NewMemory(operations.MemoryOptions{}), Helm: old.deps.Helm})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	release := func() shared.Release {
		t.Helper()
		code, env := f.send(t, http.MethodGet, "/api/v1/charts?namespace="+ns, "helm-rita", nil)
		var list shared.ReleaseList
		if code != http.StatusOK || json.Unmarshal(env.Data, &list) != nil || len(list.Releases) != 1 {
			t.Fatalf("list: %d %s", code, env.Data)
		}
		return list.Releases[0]
	}
	// Helm records the cancelled upgrade as failed when it can; a process
	// killed outright leaves it pending, which the list marks stuck (both
	// are ways a rollback gets out of).
	switch r := release(); {
	case r.Revision != 2:
		t.Fatalf("after the restart: %+v, want revision 2", r)
	case r.Status == shared.ReleaseFailed && !r.Stuck:
	case r.Status == shared.ReleasePendingUpgrade && r.Stuck:
	default:
		t.Fatalf("after the restart: %+v, want failed, or pending-upgrade and stuck", r)
	}
	code, env = f.send(t, http.MethodPost, "/api/v1/charts/web/rollback?namespace="+ns, "helm-rita", shared.ChartRollback{Revision: 1})
	if code != http.StatusAccepted || json.Unmarshal(env.Data, &rep) != nil {
		t.Fatalf("rollback: %d %+v", code, env.Error)
	}
	if op := f.waitOperation(t, "helm-rita", rep.Operation.ID, time.Minute); op.Phase != shared.OperationSucceeded {
		t.Fatalf("rollback: %+v", op.Error)
	}
	if r := release(); r.Status != shared.ReleaseDeployed || r.Stuck || r.Revision != 3 {
		t.Errorf("after the rollback: %+v, want deployed at revision 3", r)
	}
}
