package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// execFixture is a cluster fixture behind a listener, with exec limits
// cfg, its log kept in a buffer (for the audit lines), and a running pod
// "shell" (containers "main" and "side") in a namespace of its own.
type execFixture struct {
	*clusterFixture
	ts   *httptest.Server
	ns   string
	logs *lockedBuffer
}

func newExecFixture(t *testing.T, cfg ExecConfig) *execFixture {
	t.Helper()
	scfg := Config{TrustedProxies: loopbackProxies, Exec: cfg}
	f := newClusterFixture(t, scfg, time.Second)
	logs := &lockedBuffer{}
	scfg.Auth.ProxySecret = testProxySecret
	scfg.AllowedHosts = append(scfg.AllowedHosts, "example.com")
	s, err := New(scfg, Deps{Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Kube: f.client, Objects: f.s.deps.Objects, Access: f.s.deps.Access})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	ts := httptest.NewServer(f.s.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	ef := &execFixture{clusterFixture: f, ts: ts, ns: f.namespace(t, "exec"), logs: logs}
	ef.runPod(t, "shell")
	return ef
}

// runPod creates a pod of two containers and waits until it runs.
func (f *execFixture) runPod(t *testing.T, name string) {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "main", Image: "example.com/shell:1"}, {Name: "side", Image: "example.com/side:1"}}},
	}
	if _, err := f.admin.CoreV1().Pods(f.ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		p, err := f.admin.CoreV1().Pods(f.ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		t.Fatalf("pod %s never ran: %v", name, err)
	}
}

// execURL is the exec route of pod with the query q.
func (f *execFixture) execURL(pod string, q url.Values) string {
	u := "ws" + strings.TrimPrefix(f.ts.URL, "http") + "/api/v1/exec/" + f.ns + "/" + pod
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// dial opens an exec session as user (from origin, when set); on a refusal
// it returns the reply's envelope and status.
func (f *execFixture) dial(t *testing.T, user, origin, pod string, q url.Values) (*execClient, int, shared.Envelope) {
	t.Helper()
	h := http.Header{}
	h.Set(headerUser, user)
	h.Set(headerProxySecret, testProxySecret)
	if origin != "" {
		h.Set("Origin", origin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, f.execURL(pod, q), &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if resp == nil {
			t.Fatalf("dial exec: %v", err)
		}
		var env shared.Envelope
		_ = json.NewDecoder(resp.Body).Decode(&env)
		return nil, resp.StatusCode, env
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &execClient{t: t, conn: conn, events: make(chan shared.ExecEvent, 16)}
	go c.readLoop()
	return c, http.StatusSwitchingProtocols, shared.Envelope{}
}

// mustDial is dial that fails the test on a refusal.
func (f *execFixture) mustDial(t *testing.T, user string, q url.Values) *execClient {
	t.Helper()
	c, status, env := f.dial(t, user, "", "shell", q)
	if c == nil {
		t.Fatalf("exec as %s refused: %d %+v", user, status, env.Error)
	}
	return c
}

// allowExec binds user to the "edit" ClusterRole (which may create
// pods/exec) in the fixture's namespace and waits until the API server says
// so; unbind takes it back.
func (f *execFixture) allowExec(t *testing.T, user string) (unbind func()) {
	t.Helper()
	unbind = f.bind(t, user, "edit", f.ns)
	eventually(t, user+" may exec", func() bool {
		ok, _, err := f.s.selfAccess.Allows(context.Background(), kube.User{Name: user}, f.ns, shared.ActionExecPods)
		return err == nil && ok
	})
	return unbind
}

// execClient reads a session's output and events.
type execClient struct {
	t    *testing.T
	conn *websocket.Conn

	mu     sync.Mutex
	out    bytes.Buffer
	events chan shared.ExecEvent
}

func (c *execClient) readLoop() {
	defer close(c.events)
	for {
		typ, data, err := c.conn.Read(context.Background())
		if err != nil {
			return
		}
		if typ == websocket.MessageBinary {
			func() {
				c.mu.Lock()
				defer c.mu.Unlock()
				c.out.Write(data)
			}()
			continue
		}
		var ev shared.ExecEvent
		if err := json.Unmarshal(data, &ev); err != nil {
			c.t.Errorf("exec event %q: %v", data, err)
			continue
		}
		c.events <- ev
	}
}

// output is what the terminal printed so far.
func (c *execClient) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// typeIn sends keystrokes.
func (c *execClient) typeIn(s string) {
	c.t.Helper()
	if err := c.conn.Write(context.Background(), websocket.MessageBinary, []byte(s)); err != nil {
		c.t.Fatalf("type: %v", err)
	}
}

// event waits up to d for the next event.
func (c *execClient) event(d time.Duration) shared.ExecEvent {
	c.t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			c.t.Fatal("the session ended without an event")
		}
		return ev
	case <-time.After(d):
		c.t.Fatalf("no event within %v; output so far %q", d, c.output())
	}
	return shared.ExecEvent{}
}

// waitOutput waits until the output holds want.
func (c *execClient) waitOutput(want string) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(c.output(), want) {
		if time.Now().After(deadline) {
			c.t.Fatalf("output %q never held %q", c.output(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
