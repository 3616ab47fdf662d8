//go:build !wasm

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/deploy/rbac"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// Three Kubedeck processes share one Redis and the local cluster, as three
// replicas behind a Service do. A user starts a Helm install through the
// first and follows it over a WebSocket on the second; Redis restarts in
// the middle; the second is killed, and the client reconnects to the
// third, which shows the operation's state and then its end.

const (
	replicaUser        = "replica-alice"
	replicaProxySecret = "replicas-proxy-secret-0123456789"
)

// replicaProc is one Kubedeck process.
type replicaProc struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:port
	logs *syncBuffer
	// exited is closed when the process has ended; waitErr is then how.
	exited  chan struct{}
	waitErr error
}

// stop sends the process SIGTERM, as Kubernetes does to a pod it stops,
// and waits for it to end (within limit), returning its exit error.
func (p *replicaProc) stop(t *testing.T, limit time.Duration) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		return p.waitErr
	case <-time.After(limit):
		t.Fatalf("replica %s still running %s after SIGTERM:\n%s", p.url, limit, p.logs)
		return nil
	}
}

// startReplica starts Kubedeck as a child process with args and waits
// until it is ready.
func startReplica(t *testing.T, kubeconfig string, args ...string) *replicaProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--listen", "127.0.0.1:0", "--local-cluster", "never"}, args...)...)
	cmd.Env = append(os.Environ(), replicaEnv+"=1", "KUBECONFIG="+kubeconfig)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &replicaProc{cmd: cmd, logs: &syncBuffer{}, exited: make(chan struct{})}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("replica %s log:\n%s", p.url, p.logs)
		}
	})
	found := make(chan string, 1)
	go func() {
		defer close(p.exited)
		// Wait only once every line has been read.
		defer func() { p.waitErr = cmd.Wait() }()
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.logs.Write([]byte(line + "\n"))
			var entry struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "kubedeck listening" {
				select {
				case found <- strings.TrimSuffix(entry.URL, "/"):
				default:
				}
			}
		}
	}()
	select {
	case p.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("a replica did not start within 60 s:\n%s", p.logs)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s not ready within 60 s:\n%s", p.url, p.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// replicaRequest sends a request as the user, through the trusted proxy.
func replicaRequest(t *testing.T, method, url string, body any) (int, shared.Envelope) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-User", replicaUser)
	req.Header.Set("X-Kubedeck-Proxy-Secret", replicaProxySecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env shared.Envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("%s %s: %d: %v", method, url, resp.StatusCode, err)
	}
	return resp.StatusCode, env
}

// followOn connects a WebSocket to replica p as the user and subscribes to
// operation id; the states it receives go to states until the connection
// ends, which closes the channel.
func followOn(t *testing.T, p *replicaProc, id string) <-chan shared.Operation {
	t.Helper()
	h := http.Header{}
	h.Set("X-Forwarded-User", replicaUser)
	h.Set("X-Kubedeck-Proxy-Secret", replicaProxySecret)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.url, "http")+"/api/v1/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial %s: %v", p.url, err)
	}
	conn.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = conn.CloseNow() })
	msg, _ := json.Marshal(shared.WSMessage{Type: shared.WSSubscribeOperation, ID: id})
	if err := conn.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
	states := make(chan shared.Operation, 64)
	go func() {
		defer close(states)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var m shared.WSMessage
			if json.Unmarshal(data, &m) != nil {
				continue
			}
			if m.Type == shared.WSError {
				t.Errorf("websocket error: %s", data)
				return
			}
			var op shared.Operation
			if m.Type == shared.WSOperationProgress && json.Unmarshal(m.Data, &op) == nil {
				states <- op
			}
		}
	}()
	return states
}

func TestReplicasShareOperations(t *testing.T) {
	rs := newReplicaSet(t, "replicas")
	ctx, admin, ns, srv := context.Background(), rs.admin, rs.namespace, rs.redis
	reps := rs.startN(t, 3)

	// The release's Pods can run only on a node with a label no node has
	// yet, so the install waits, as long as the test wants it to.
	gate := "gate-" + strings.ToLower(rand.Text()[:6])
	values := fmt.Sprintf("nodeSelector:\n  kubedeck.io/test-gate: %s\n", gate)
	code, env := replicaRequest(t, http.MethodPost, reps[0].url+"/api/v1/charts",
		shared.ChartInstall{Name: "shared-op", Namespace: ns, Chart: "test/web", Version: "1.0.0", Values: values})
	if code != http.StatusAccepted {
		t.Fatalf("install through replica 1: %d %+v", code, env.Error)
	}
	var rep shared.OperationReply
	if err := json.Unmarshal(env.Data, &rep); err != nil {
		t.Fatal(err)
	}
	id := rep.Operation.ID

	// Replica 2 reports the install's progress.
	states := followOn(t, reps[1], id)
	running := waitState(t, states, 20*time.Second, func(op shared.Operation) bool {
		return op.Phase == shared.OperationRunning && len(op.Steps) > 0
	})
	t.Logf("replica 2 reports: %s (%d steps)", running.Message, len(running.Steps))

	// Redis restarts (empty) in the middle of the operation.
	srv.Kill()
	time.Sleep(300 * time.Millisecond)
	srv.Restart()

	// Replica 2 dies; the client reconnects to replica 3.
	killed := time.Now()
	if err := reps[1].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for range states { // the connection ends
	}
	var resumed <-chan shared.Operation
	var first shared.Operation
	for {
		resumed = followOn(t, reps[2], id)
		select {
		case op, ok := <-resumed:
			if ok {
				first = op
			}
		case <-time.After(5 * time.Second):
		}
		if first.ID == id {
			break
		}
		if time.Since(killed) > 5*time.Second {
			t.Fatalf("no state from replica 3 within 5 s of replica 2's death")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("resumed on replica 3 %s after replica 2 was killed: %s", time.Since(killed).Round(time.Millisecond), first.Phase)
	if time.Since(killed) > 5*time.Second {
		t.Errorf("resumed %s after the kill, want within 5 s", time.Since(killed))
	}
	if first.Done() {
		t.Fatalf("the operation ended before the gate opened: %+v", first)
	}

	// Open the gate: a node gets the label, the Pods run, the install ends.
	nodes, err := admin.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("nodes: %v", err)
	}
	node := nodes.Items[0]
	node.Labels["kubedeck.io/test-gate"] = gate
	if _, err := admin.CoreV1().Nodes().Update(ctx, &node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		n, err := admin.CoreV1().Nodes().Get(context.Background(), node.Name, metav1.GetOptions{})
		if err == nil {
			delete(n.Labels, "kubedeck.io/test-gate")
			_, _ = admin.CoreV1().Nodes().Update(context.Background(), n, metav1.UpdateOptions{})
		}
	})
	final := waitState(t, resumed, 90*time.Second, shared.Operation.Done)
	if final.Phase != shared.OperationSucceeded {
		t.Fatalf("final state on replica 3: %+v", final)
	}
	// Polling any live replica says the same.
	for _, p := range []*replicaProc{reps[0], reps[2]} {
		code, env := replicaRequest(t, http.MethodGet, p.url+"/api/v1/operations/"+id, nil)
		var got shared.OperationReply
		if code != http.StatusOK || json.Unmarshal(env.Data, &got) != nil || got.Operation.Phase != shared.OperationSucceeded {
			t.Errorf("GET the operation on %s: %d %+v %+v", p.url, code, got.Operation, env.Error)
		}
	}
}

// waitState reads states until one satisfies ok, failing the test when the
// channel ends first or limit passes.
func waitState(t *testing.T, states <-chan shared.Operation, limit time.Duration, ok func(shared.Operation) bool) shared.Operation {
	t.Helper()
	deadline := time.After(limit)
	var last shared.Operation
	for {
		select {
		case op, open := <-states:
			if !open {
				t.Fatalf("the connection ended; last state %+v", last)
			}
			if last = op; ok(op) {
				return op
			}
		case <-deadline:
			t.Fatalf("no such state within %s; last %+v", limit, last)
		}
	}
}

// clusterAdmin is a client of the local cluster's admin, after granting
// the kubedeck user the ClusterRole Kubedeck ships with.
func clusterAdmin(t *testing.T) kubernetes.Interface {
	t.Helper()
	admin, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser}
	if err := rbac.Grant(context.Background(), admin, subject); err != nil {
		t.Fatal(err)
	}
	return admin
}
