//go:build !wasm

package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/kube/cache/redistest"
	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// Writes across shutdowns and replicas, with Kubedeck as real processes
// sharing one Redis: a SIGTERM in the middle of a create and of a Helm
// upgrade, and two replicas racing to upgrade one release.

// replicaSet is what the processes of one test share.
type replicaSet struct {
	admin      kubernetes.Interface
	kubeconfig string
	args       []string
	namespace  string // the user may edit it
	redis      *redistest.Server
}

// newReplicaSet prepares a namespace the user may edit, Redis, a chart
// repository and the arguments that make processes replicas of one
// Kubedeck (a drain time of 2 s).
func newReplicaSet(t *testing.T, prefix string) *replicaSet {
	t.Helper()
	localcluster.Need(t, cluster)
	ctx := context.Background()
	admin := clusterAdmin(t)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := cluster.WriteKubeconfig(kubeconfig, localcluster.ServerUser); err != nil {
		t.Fatal(err)
	}
	secretFile, keyFile := filepath.Join(dir, "proxy-secret"), filepath.Join(dir, "access-key")
	if err := os.WriteFile(secretFile, []byte(replicaProxySecret), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte("replicas-share-this-access-key-0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	ns := prefix + "-" + strings.ToLower(rand.Text()[:6])
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteNamespace(t, ns) })
	if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: replicaUser},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: replicaUser}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := redistest.Start(t)
	repo := helmtest.NewRepo(t, helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"})
	return &replicaSet{admin: admin, kubeconfig: kubeconfig, namespace: ns, redis: srv,
		args: []string{"--auth-mode", "proxy", "--proxy-secret-file", secretFile, "--trusted-proxies", "127.0.0.1/32",
			"--redis-url", srv.URL(), "--access-key-file", keyFile, "--helm-repo", "test=" + repo.URL, "--helm-timeout", "2m",
			"--shutdown-timeout", "2s"}}
}

// start starts one replica.
func (rs *replicaSet) start(t *testing.T) *replicaProc {
	t.Helper()
	return startReplica(t, rs.kubeconfig, rs.args...)
}

// startN starts n replicas at once.
func (rs *replicaSet) startN(t *testing.T, n int) []*replicaProc {
	t.Helper()
	reps := make([]*replicaProc, n)
	var wg sync.WaitGroup
	for i := range reps {
		wg.Go(func() { reps[i] = rs.start(t) })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return reps
}

// operation reads operation id through p, failing the test unless it is
// there.
func operationOn(t *testing.T, p *replicaProc, id string) shared.Operation {
	t.Helper()
	code, env := replicaRequest(t, http.MethodGet, p.url+"/api/v1/operations/"+id, nil)
	var rep shared.OperationReply
	if code != http.StatusOK || json.Unmarshal(env.Data, &rep) != nil {
		t.Fatalf("GET operation %s on %s: %d %+v", id, p.url, code, env.Error)
	}
	return rep.Operation
}

// auditResults are the results of operation id's audit lines in logs.
func auditResults(logs string, id string) []string {
	var out []string
	for _, line := range strings.Split(logs, "\n") {
		var a struct{ Msg, Verb, Result, Operation string }
		if json.Unmarshal([]byte(line), &a) == nil && a.Msg == "audit" && a.Operation == id {
			out = append(out, a.Verb+":"+a.Result)
		}
	}
	return out
}

// A SIGTERM reaches Kubedeck after it created an app's Deployment, while
// the API server holds its Service: the drain time passes, the create is
// cancelled, the Deployment it made is removed again, and the process
// ends. Nothing is left half-made, and a restarted Kubedeck reports the
// operation failed, with why, from Redis.
func TestShutdownMidCreate(t *testing.T) {
	rs := newReplicaSet(t, "stop-create")
	ctx := context.Background()
	hold := startHoldWebhook(t, rs.admin, rs.namespace, "", "services", admissionregistrationv1.Create)
	first := rs.start(t)

	spec := shared.DeploymentSpec{Name: "web", Namespace: rs.namespace, Image: "registry.example/web:1", Port: 8080,
		Replicas: 1, Exposure: shared.ExposeInternal}
	code, env := replicaRequest(t, http.MethodPost, first.url+"/api/v1/deployments", spec)
	var rep shared.OperationReply
	if code != http.StatusAccepted || json.Unmarshal(env.Data, &rep) != nil {
		t.Fatalf("create: %d %+v", code, env.Error)
	}
	id := rep.Operation.ID
	timeout := make(chan struct{})
	time.AfterFunc(30*time.Second, func() { close(timeout) })
	if name := hold.waitHeld(t, timeout); name != "web" {
		t.Fatalf("the webhook holds %q, want the Service web", name)
	}
	if _, err := rs.admin.AppsV1().Deployments(rs.namespace).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Fatalf("the Deployment before the SIGTERM: %v", err)
	}
	sent := time.Now()
	if err := first.stop(t, 20*time.Second); err != nil {
		t.Errorf("Kubedeck ended with %v after SIGTERM, want a clean exit", err)
	}
	t.Logf("Kubedeck ended %s after SIGTERM", time.Since(sent).Round(time.Millisecond))
	hold.decide(false) // whatever still waits is refused

	if _, err := rs.admin.AppsV1().Deployments(rs.namespace).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Deployment after the stop: %v, want it removed again", err)
	}
	if _, err := rs.admin.CoreV1().Services(rs.namespace).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Service after the stop: %v, want none", err)
	}
	if got := auditResults(first.logs.String(), id); strings.Join(got, ",") != "create:accepted,create:"+string(shared.CodeUnavailable) {
		t.Errorf("audit lines of the create %v, want accepted, then UNAVAILABLE", got)
	}

	second := rs.start(t)
	op := operationOn(t, second, id)
	if op.Phase != shared.OperationFailed || op.Error == nil || !strings.Contains(op.Message, "the server stopped") ||
		!strings.Contains(op.Message, "removed again") {
		t.Fatalf("the operation after a restart: %s %q, want failed saying the server stopped and the Deployment was removed", op.Phase, op.Message)
	}
	raw, _ := json.Marshal(op.Error.Details[shared.DetailOutcome])
	var outcome shared.DeploymentOutcome
	if err := json.Unmarshal(raw, &outcome); err != nil || len(outcome.RolledBack) != 1 || outcome.RolledBack[0].Kind != "Deployment" ||
		outcome.Failed == nil || outcome.Failed.Kind != "Service" {
		t.Errorf("outcome %s, want the Service failed and the Deployment rolled back", raw)
	}
}

// Two replicas race to upgrade one release: exactly one starts it, the
// other answers 409. Then the one running it gets a SIGTERM mid-upgrade:
// the operation ends failed with the reason, the other replica reports it
// from Redis, the release's state shows it (failed, or pending with no
// operation on it: stuck), and a rollback through the other replica
// recovers it.
func TestReplicasUpgradeRaceAndShutdown(t *testing.T) {
	rs := newReplicaSet(t, "stop-upgrade")
	reps := rs.startN(t, 2)
	ns := rs.namespace
	var wg sync.WaitGroup
	code, env := replicaRequest(t, http.MethodPost, reps[0].url+"/api/v1/charts",
		shared.ChartInstall{Name: "web", Namespace: ns, Chart: "test/web", Version: "1.0.0"})
	var rep shared.OperationReply
	if code != http.StatusAccepted || json.Unmarshal(env.Data, &rep) != nil {
		t.Fatalf("install: %d %+v", code, env.Error)
	}
	waitOperationOn(t, reps[0], rep.Operation.ID, 90*time.Second, shared.OperationSucceeded)

	// The upgrade's Pods can run only on a node with a label no node has,
	// so it waits until it is stopped.
	values := fmt.Sprintf("nodeSelector:\n  kubedeck.io/test-gate: never-%s\n", strings.ToLower(rand.Text()[:6]))
	type answer struct {
		code int
		env  shared.Envelope
	}
	answers := make([]answer, len(reps))
	start := make(chan struct{})
	for i, p := range reps {
		wg.Go(func() {
			<-start
			c, e := replicaRequest(t, http.MethodPut, p.url+"/api/v1/charts/web?namespace="+ns,
				shared.ChartInstall{Chart: "test/web", Version: "1.0.0", Values: values})
			answers[i] = answer{c, e}
		})
	}
	close(start)
	wg.Wait()
	running, other := -1, -1
	for i, a := range answers {
		switch a.code {
		case http.StatusAccepted:
			running = i
		case http.StatusConflict:
			other = i
			if a.env.Error == nil || !strings.Contains(a.env.Error.Message, "Another operation is working on release "+ns+"/web") {
				t.Errorf("the 409: %+v, want it to name the release", a.env.Error)
			}
		}
	}
	if running < 0 || other < 0 {
		t.Fatalf("answers %d and %d, want one 202 and one 409 (%+v %+v)", answers[0].code, answers[1].code, answers[0].env.Error, answers[1].env.Error)
	}
	if err := json.Unmarshal(answers[running].env.Data, &rep); err != nil {
		t.Fatal(err)
	}
	id := rep.Operation.ID
	t.Logf("replica %d runs the upgrade; replica %d answered 409", running+1, other+1)

	// The upgrade is under way: Helm has marked the release pending.
	deadline := time.Now().Add(30 * time.Second)
	for releaseOn(t, reps[other], ns, "web").Status != "pending-upgrade" {
		if time.Now().After(deadline) {
			t.Fatal("the release is not pending-upgrade within 30 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if rel := releaseOn(t, reps[other], ns, "web"); rel.Stuck {
		t.Error("the release shows stuck while another replica upgrades it")
	}
	if err := reps[running].stop(t, 20*time.Second); err != nil {
		t.Errorf("Kubedeck ended with %v after SIGTERM, want a clean exit", err)
	}
	op := waitOperationOn(t, reps[other], id, 10*time.Second, shared.OperationFailed)
	if !strings.Contains(op.Message, "The server stopped before upgrade of web finished") {
		t.Errorf("the upgrade's message %q, want it to say the server stopped", op.Message)
	}
	if got := auditResults(reps[running].logs.String(), id); strings.Join(got, ",") != "upgrade:accepted,upgrade:"+string(shared.CodeUnavailable) {
		t.Errorf("audit lines of the upgrade %v, want accepted, then UNAVAILABLE", got)
	}
	// Helm marks the cancelled upgrade failed; had the process died
	// before it could, the release would show pending and stuck.
	rel := releaseOn(t, reps[other], ns, "web")
	if rel.Status != "failed" && (rel.Status != "pending-upgrade" || !rel.Stuck) {
		t.Fatalf("the release after the stop: %s, stuck %v; want failed, or pending-upgrade and stuck", rel.Status, rel.Stuck)
	}
	t.Logf("the release after the stop: %s", rel.Status)
	code, env = replicaRequest(t, http.MethodPost, reps[other].url+"/api/v1/charts/web/rollback?namespace="+ns, shared.ChartRollback{Revision: 1})
	if code != http.StatusAccepted || json.Unmarshal(env.Data, &rep) != nil {
		t.Fatalf("rollback: %d %+v", code, env.Error)
	}
	waitOperationOn(t, reps[other], rep.Operation.ID, 90*time.Second, shared.OperationSucceeded)
	if rel := releaseOn(t, reps[other], ns, "web"); rel.Status != "deployed" || rel.Stuck {
		t.Errorf("the release after the rollback: %s, stuck %v", rel.Status, rel.Stuck)
	}
}

// waitOperationOn polls operation id on p until it is done, and fails the
// test unless it ends in phase.
func waitOperationOn(t *testing.T, p *replicaProc, id string, limit time.Duration, phase shared.OperationPhase) shared.Operation {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		op := operationOn(t, p, id)
		if op.Done() {
			if op.Phase != phase {
				t.Fatalf("operation %s ended %s (%s), want %s", id, op.Phase, op.Message, phase)
			}
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s not done within %s: %+v", id, limit, op)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// releaseOn reads release namespace/name through p.
func releaseOn(t *testing.T, p *replicaProc, namespace, name string) shared.Release {
	t.Helper()
	code, env := replicaRequest(t, http.MethodGet, p.url+"/api/v1/charts/"+name+"?namespace="+namespace, nil)
	var d shared.ReleaseDetailReply
	if code != http.StatusOK || json.Unmarshal(env.Data, &d) != nil {
		t.Fatalf("GET release %s/%s: %d %+v", namespace, name, code, env.Error)
	}
	return d.Release
}
