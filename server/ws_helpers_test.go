package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// loopbackProxies trusts identity headers from loopback, where the tests'
// clients are.
var loopbackProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// forbiddenNamespace is where the synthetic hub's authorizer refuses lists.
const forbiddenNamespace = "forbidden"

// newSyntheticHubServer is a server whose hub has the kinds of a real
// kube.Objects that is never started: the test drives the hub's fan-out
// (hub.publish) with synthetic events, and every list is allowed but in
// forbiddenNamespace, across the cluster for users named "limited", and of
// pods for users named "nopods".
func newSyntheticHubServer(t testing.TB, cfg WebSocketConfig) (*Server, *httptest.Server) {
	t.Helper()
	return newSyntheticHubServerWith(t, Config{TrustedProxies: loopbackProxies, WebSocket: cfg, ShutdownTimeout: 5 * time.Second},
		syntheticAuthorizer)
}

// syntheticAuthorizer is the synthetic hub's: see newSyntheticHubServer.
func syntheticAuthorizer(_ context.Context, u kube.User, k *kube.Kind, namespace string) error {
	if namespace == forbiddenNamespace || namespace == "" && u.Name == "limited" || k.Name() == "pods" && u.Name == "nopods" {
		return fmt.Errorf("synthetic authorizer: %w", kube.ErrForbidden)
	}
	return nil
}

// newSyntheticHubServerWith is newSyntheticHubServer with the server's
// whole configuration and the hub's authorizer given.
func newSyntheticHubServerWith(t testing.TB, cfg Config, authorize listAuthorizer) (*Server, *httptest.Server) {
	t.Helper()
	s, err := newSyntheticHub(cfg, authorize)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

// newSyntheticHub is the server of newSyntheticHubServerWith, not yet
// listening.
func newSyntheticHub(cfg Config, authorize listAuthorizer) (*Server, error) {
	return newSyntheticHubDeps(cfg, Deps{}, authorize)
}

// newSyntheticHubDeps is newSyntheticHub on deps (its Slots, say).
func newSyntheticHubDeps(cfg Config, deps Deps, authorize listAuthorizer) (*Server, error) {
	objects, err := kube.NewObjects(fake.NewClientset(), kube.ObjectsOptions{})
	if err != nil {
		return nil, err
	}
	if cfg.Auth.Mode == "" && cfg.Auth.ProxySecret == "" {
		cfg.Auth.ProxySecret = testProxySecret // tryDialWS sends it, as oauth2-proxy would
	}
	s, err := New(cfg, deps)
	if err != nil {
		return nil, err
	}
	s.hub = newHub(s.cfg.WebSocket, s.log, objects, objects.Kind, authorize)
	s.hub.slots = s.slots
	s.OnShutdown(func() { s.hub.shutdown(s.cfg.ShutdownTimeout) })
	return s, nil
}

// wsClient is a real WebSocket client of the hub. It reads nothing until
// the test first asks for a message (so a test can play a client that does
// not read); from then on a goroutine reads into a channel, since a Read
// whose context ends closes the connection.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
	raw  net.Conn // the TCP connection under it

	readOnce sync.Once
	inbox    chan readResult
}

type readResult struct {
	typ  websocket.MessageType
	data []byte
	err  error
}

// dialOptions are the options of dialWS.
type dialOptions struct {
	origin string
	bearer string // an ID token for the Authorization header
}

// dialWS connects to ts's hub as user (through the trusted-proxy header).
func dialWS(t testing.TB, ts *httptest.Server, user string) *wsClient {
	t.Helper()
	c, resp, err := tryDialWS(t, ts, user, dialOptions{})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial websocket as %q: status %d: %v", user, status, err)
	}
	return c
}

func tryDialWS(t testing.TB, ts *httptest.Server, user string, opts dialOptions) (*wsClient, *http.Response, error) {
	t.Helper()
	c := &wsClient{t: t, inbox: make(chan readResult, 1024)}
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		c.raw = conn
		return conn, err
	}}
	h := http.Header{}
	if user != "" {
		h.Set(headerUser, user)
		h.Set(headerProxySecret, testProxySecret)
	}
	if opts.origin != "" {
		h.Set("Origin", opts.origin)
	}
	if opts.bearer != "" {
		h.Set("Authorization", "Bearer "+opts.bearer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+ts.URL[len("http"):]+"/api/v1/ws", &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: transport}, HTTPHeader: h,
	})
	if err != nil {
		return nil, resp, err
	}
	conn.SetReadLimit(1 << 20)
	c.conn = conn
	t.Cleanup(func() { _ = conn.CloseNow() })
	return c, resp, nil
}

// send writes m as JSON.
func (c *wsClient) send(m shared.WSMessage) {
	c.t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(websocket.MessageText, raw)
}

func (c *wsClient) sendRaw(typ websocket.MessageType, raw []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, typ, raw); err != nil {
		c.t.Fatalf("write %s: %v", raw, err)
	}
}

// errNoMessage is read's error when no message came in time.
var errNoMessage = errors.New("no message in time")

// read returns the next message, or an error when none comes within d
// (errNoMessage) or the connection ends (its error).
func (c *wsClient) read(d time.Duration) (wsMsg, error) {
	c.readOnce.Do(func() {
		go func() {
			for {
				typ, data, err := c.conn.Read(context.Background())
				c.inbox <- readResult{typ: typ, data: data, err: err}
				if err != nil {
					return
				}
			}
		}()
	})
	var r readResult
	select {
	case r = <-c.inbox:
	case <-time.After(d):
		return wsMsg{}, errNoMessage
	}
	typ, data, err := r.typ, r.data, r.err
	if err != nil {
		return wsMsg{}, err
	}
	if typ != websocket.MessageText {
		return wsMsg{}, errors.New("binary message from the server")
	}
	return decodeWSMsg(data)
}

// wsMsg is a server message with its payload decoded by its type.
type wsMsg struct {
	shared.WSMessage
	Kind      string
	Row       *shared.Row
	Progress  *shared.DeploymentProgress
	Operation *shared.Operation
	Logs      *shared.LogChunk
	LogEnd    *shared.LogEnd
}

// decodeWSMsg decodes a server message and its payload.
func decodeWSMsg(data []byte) (wsMsg, error) {
	var m wsMsg
	if err := json.Unmarshal(data, &m.WSMessage); err != nil {
		return m, fmt.Errorf("decode %s: %w", data, err)
	}
	var err error
	switch m.Type {
	case shared.WSCreated, shared.WSUpdated, shared.WSDeleted:
		var ev shared.WSResourceEvent
		err = m.Decode(&ev)
		m.Kind, m.Row = ev.Kind, &ev.Row
	case shared.WSProgress:
		m.Progress = new(shared.DeploymentProgress)
		err = m.Decode(m.Progress)
	case shared.WSOperationProgress:
		m.Operation = new(shared.Operation)
		err = m.Decode(m.Operation)
	case shared.WSLogLines:
		m.Logs = new(shared.LogChunk)
		err = m.Decode(m.Logs)
	case shared.WSLogEnd:
		m.LogEnd = new(shared.LogEnd)
		err = m.Decode(m.LogEnd)
	default:
		if len(m.Data) != 0 {
			err = errors.New("unexpected data")
		}
	}
	if err != nil {
		return m, fmt.Errorf("decode %s: %w", data, err)
	}
	return m, nil
}

// subMsg is a subscribe:resources message.
func subMsg(id, kind, namespace string) shared.WSMessage {
	m, err := shared.NewWSMessage(shared.WSSubscribe, shared.WSResources{Kind: kind, Namespace: namespace})
	if err != nil {
		panic(err) // plain data always encodes
	}
	m.ID = id
	return m
}

// next returns the next message; the test fails when none comes in 10 s.
func (c *wsClient) next() wsMsg {
	c.t.Helper()
	m, err := c.read(10 * time.Second)
	if err != nil {
		c.t.Fatalf("reading the next message: %v", err)
	}
	return m
}

// subscribe subscribes and waits until the hub has the subscription (the
// ping sent after it is answered once it is handled).
func (c *wsClient) subscribe(id, kind, namespace string) {
	c.t.Helper()
	c.send(subMsg(id, kind, namespace))
	c.sync()
}

// sync sends a ping and reads up to its pong; it fails on anything else.
// Control messages overtake queued events, so a pong does not prove that no
// event is on its way: expectNext does.
func (c *wsClient) sync() {
	c.t.Helper()
	c.send(shared.WSMessage{Type: shared.WSPing})
	if m := c.next(); m.Type != shared.WSPong {
		c.t.Fatalf("got %+v (error %+v), want a pong", m, m.Error)
	}
}

// expectNext reads the next message and fails unless it is an event of
// subscription sub about the object uid. Published after events that must
// not reach the client, such an event proves they did not: a connection's
// events keep their order.
func (c *wsClient) expectNext(sub, uid string) wsMsg {
	c.t.Helper()
	m := c.next()
	if m.Sub != sub || m.Row == nil || m.Row.UID != uid {
		c.t.Fatalf("got %s of subscription %q (row %+v, error %+v), want an event of %q about %s",
			m.Type, m.Sub, m.Row, m.Error, sub, uid)
	}
	return m
}

// waitAdmitted dials as user until a connection is admitted (it answers a
// ping), for up to 10 s; failing says what.
func waitAdmitted(t testing.TB, ts *httptest.Server, user, failing string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, _, err := tryDialWS(t, ts, user, dialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c.send(shared.WSMessage{Type: shared.WSPing})
		if m := c.next(); m.Type == shared.WSPong {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(failing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
