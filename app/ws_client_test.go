package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func TestBackoffIsFullJitterUnderACappedCeiling(t *testing.T) {
	const base, limit = 500 * time.Millisecond, 30 * time.Second
	tests := []struct {
		attempt int
		ceiling time.Duration
	}{
		{0, 500 * time.Millisecond},
		{1, time.Second},
		{2, 2 * time.Second},
		{5, 16 * time.Second},
		{6, 30 * time.Second}, // 32 s is over the cap
		{40, 30 * time.Second},
		{1000, 30 * time.Second}, // no overflow
	}
	for _, tc := range tests {
		t.Run(tc.ceiling.String(), func(t *testing.T) {
			if got := backoff(tc.attempt, base, limit, func() float64 { return 0 }); got != 0 {
				t.Errorf("lowest draw: %v, want 0 (full jitter starts at zero)", got)
			}
			if got := backoff(tc.attempt, base, limit, func() float64 { return 0.5 }); got != tc.ceiling/2 {
				t.Errorf("middle draw: %v, want %v", got, tc.ceiling/2)
			}
			top := backoff(tc.attempt, base, limit, func() float64 { return 0.999999 })
			if top >= tc.ceiling || top < tc.ceiling*99/100 {
				t.Errorf("highest draw: %v, want just under %v", top, tc.ceiling)
			}
		})
	}
}

func TestSubRegistry(t *testing.T) {
	c2 := newWSClient("ws://unused")
	r := &c2.subs
	var got []string
	h := func(name string) wsHandler {
		return wsHandler{onMessage: func(m shared.WSMessage) { got = append(got, name+":"+string(m.Type)) }}
	}
	a := r.add("pods", "demo", h("a"))
	b := r.add("deployments", "", h("b"))
	c := r.add("services", "team-web", h("c"))
	for i := 0; i < 8; i++ { // ids past s9 still list in the order made
		r.remove(r.add("pods", "x", h("tmp")).id)
	}
	d := r.add("configmaps", "demo", h("d"))
	if ids := []string{a.id, b.id, c.id, d.id}; !cmp.Equal(ids, []string{"s1", "s2", "s3", "s12"}) {
		t.Fatalf("ids %v", ids)
	}
	var msgs []shared.WSMessage
	for _, s := range r.all() {
		msgs = append(msgs, s.message())
	}
	sub := func(id, data string) shared.WSMessage {
		return shared.WSMessage{Type: shared.WSSubscribe, ID: id, Data: json.RawMessage(data)}
	}
	want := []shared.WSMessage{
		sub("s1", `{"kind":"pods","namespace":"demo"}`),
		sub("s2", `{"kind":"deployments"}`),
		sub("s3", `{"kind":"services","namespace":"team-web"}`),
		sub("s12", `{"kind":"configmaps","namespace":"demo"}`),
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("resubscribe messages (-want +got):\n%s", diff)
	}
	if !r.remove("s2") || r.remove("s2") {
		t.Error("remove: want true, then false")
	}
	if r.len() != 3 {
		t.Errorf("len %d, want 3", r.len())
	}
	// Messages reach the handler of their subscription, not of one removed.
	c2.handle([]byte(`{"type":"resource:updated","sub":"s3","kind":"services","row":{"uid":"u"}}`))
	c2.handle([]byte(`{"type":"resync","sub":"s2"}`))
	c2.handle([]byte(`{"type":"pong"}`))
	c2.handle([]byte(`not json`))
	c2.handle([]byte(`{"type":"resync","sub":"s1"}`))
	if diff := cmp.Diff([]string{"c:resource:updated", "a:resync"}, got); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
}

func TestPongConfirmsTheSubscriptionsSentBeforeIt(t *testing.T) {
	c := newWSClient("ws://unused")
	var live []string
	h := func(name string) wsHandler {
		return wsHandler{onLive: func(ok bool) { live = append(live, name) }}
	}
	a := c.subs.add("pods", "demo", h("a"))
	b := c.subs.add("pods", "team-web", h("b"))
	gone := c.subs.add("pods", "x", h("gone"))
	// Three pings in flight: after subscribing a and gone, a keep-alive, after b.
	c.pings = [][]*wsSub{{a, gone}, nil, {b}}
	c.subs.remove(gone.id) // unsubscribed before the server answered
	pong := []byte(`{"type":"pong"}`)
	c.handle(pong)
	if diff := cmp.Diff([]string{"a"}, live); diff != "" {
		t.Errorf("first pong (-want +got):\n%s", diff)
	}
	c.handle(pong)
	c.handle(pong)
	c.handle(pong) // one more than sent: nothing to confirm
	if diff := cmp.Diff([]string{"a", "b"}, live); diff != "" {
		t.Errorf("all pongs (-want +got):\n%s", diff)
	}
}

func TestWantedSubs(t *testing.T) {
	pods := shared.KindInfo{Name: "pods", Kind: "Pod", Namespaced: true}
	pvs := shared.KindInfo{Name: "persistentvolumes", Kind: "PersistentVolume"}
	all := []string{"default", "demo", "kube-system", "team-ml"}
	tests := []struct {
		name      string
		view      objectsView
		kind      shared.KindInfo
		forbidden []string
		refused   bool // a subscription across the cluster was refused
		limit     int
		want      []subTarget
	}{
		{"one namespace", objectsView{Namespace: "demo"}, pods, nil, false, 16, []subTarget{{"pods", "demo"}}},
		{"cluster-scoped", objectsView{}, pvs, nil, false, 16, []subTarget{{"persistentvolumes", ""}}},
		{"every namespace, all allowed", objectsView{}, pods, nil, false, 16, []subTarget{{"pods", ""}}},
		{"every namespace, some forbidden: one per allowed", objectsView{}, pods, []string{"default", "kube-system"}, false, 16,
			[]subTarget{{"pods", "demo"}, {"pods", "team-ml"}}},
		{"every namespace, refused across the cluster: one per namespace", objectsView{}, pods, nil, true, 16,
			[]subTarget{{"pods", "default"}, {"pods", "demo"}, {"pods", "kube-system"}, {"pods", "team-ml"}}},
		{"more than the limit: none (poll)", objectsView{}, pods, []string{"kube-system"}, false, 2, nil},
		{"no kind yet", objectsView{}, shared.KindInfo{}, nil, false, 16, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wantedSubs(tc.view, tc.kind, all, tc.forbidden, !tc.refused, tc.limit)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(subTarget{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// fakeHub is a WebSocket server for the client's tests: each connection
// is served by the next of its scripts (past the last, the last again; a
// nil script refuses the upgrade, a script that returns true hands the
// connection to a hub that answers pings), and the subscriptions each
// connection received are recorded.
type fakeHub struct {
	t       *testing.T
	mu      sync.Mutex
	scripts []func(conn *websocket.Conn) bool
	conns   int
	subs    [][]string // per connection, the subscription ids it was sent
	dialed  chan struct{}
}

// newFakeHub starts a fakeHub; the caller sets its scripts before the
// first connection. It returns the hub and its ws:// URL.
func newFakeHub(t *testing.T) (*fakeHub, string) {
	h := &fakeHub{t: t, dialed: make(chan struct{}, 16)}
	ts := httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(ts.Close)
	return h, "ws" + strings.TrimPrefix(ts.URL, "http")
}

func (h *fakeHub) serve(w http.ResponseWriter, r *http.Request) {
	n, script := func() (int, func(*websocket.Conn) bool) {
		h.mu.Lock()
		defer h.mu.Unlock()
		n := h.conns
		h.conns++
		h.subs = append(h.subs, nil)
		return n, h.scripts[min(n, len(h.scripts)-1)]
	}()
	h.dialed <- struct{}{}
	if script == nil {
		// Not a 401: a browser would not show the client the status.
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	if !script(conn) {
		return
	}
	// Then answer like a hub until the client goes.
	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return
		}
		h.answer(conn, n, data)
	}
}

// answer records a subscription and answers a ping.
func (h *fakeHub) answer(conn *websocket.Conn, n int, data []byte) {
	var m shared.WSMessage
	if err := json.Unmarshal(data, &m); err != nil {
		h.t.Errorf("client sent %s: %v", data, err)
		return
	}
	switch m.Type {
	case shared.WSSubscribe:
		func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.subs[n] = append(h.subs[n], m.ID)
		}()
	case shared.WSPing:
		_ = conn.Write(context.Background(), websocket.MessageText, []byte(`{"type":"pong"}`))
	}
}

// serveThenEnd answers the client until it has subscribed and pinged, then
// sends last and closes with code.
func (h *fakeHub) serveThenEnd(last string, code websocket.StatusCode) func(*websocket.Conn) bool {
	return func(conn *websocket.Conn) bool {
		n := func() int {
			h.mu.Lock()
			defer h.mu.Unlock()
			return h.conns - 1
		}()
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return false
			}
			h.answer(conn, n, data)
			if strings.Contains(string(data), `"ping"`) {
				break
			}
		}
		_ = conn.Write(context.Background(), websocket.MessageText, []byte(last))
		go func() { // read the client's close frame
			for {
				if _, _, err := conn.Read(context.Background()); err != nil {
					return
				}
			}
		}()
		_ = conn.Close(code, "ended by the test")
		return false
	}
}

// recorder collects what a client reports, safely across goroutines.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// waitDial waits for the hub's next connection attempt; it fails after d.
func (h *fakeHub) waitDial(t *testing.T, d time.Duration, what string) {
	t.Helper()
	select {
	case <-h.dialed:
	case <-time.After(d):
		t.Fatalf("no connection attempt within %v: %s", d, what)
	}
}

// A server that ends a connection on purpose, at its lifetime or at the
// sign-in's expiry, gets the client back at once, without the backoff and,
// when the reconnection works, without the socket ever reported down.
func TestWSClientReconnectsAtOnceWhenTheServerSaysSo(t *testing.T) {
	tests := []struct {
		name string
		last string // the server's last message
		code websocket.StatusCode
	}{
		{"lifetime reached", `{"type":"reconnect"}`, shared.WSCloseReconnect},
		{"sign-in expired, renewed by the proxy", `{"type":"error","error":{"code":"UNAUTHORIZED","message":"expired"}}`, shared.WSCloseSignInExpired},
		// Browsers hide the close code: the message alone must do.
		{"lifetime reached, code hidden", `{"type":"reconnect"}`, websocket.StatusNormalClosure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, url := newFakeHub(t)
			h.scripts = []func(*websocket.Conn) bool{
				h.serveThenEnd(tt.last, tt.code),
				func(*websocket.Conn) bool { return true },
			}
			var rec recorder
			c := newWSClient(url).Backoff(20*time.Second, 20*time.Second).
				OnState(func(up bool) { rec.add(fmt.Sprintf("up=%v", up)) }).
				OnSessionCheck(func() { rec.add("session check") })
			c.rnd = func() float64 { return 0.99 } // a backoff would wait about 20 s
			c.subscribe("pods", "demo", wsHandler{onLive: func(live bool) { rec.add(fmt.Sprintf("live=%v", live)) }})
			<-c.wake // the subscription's wake-up: run dials for it anyway
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); c.run(ctx) }()
			defer func() { cancel(); <-done }()

			h.waitDial(t, 5*time.Second, "the first connection")
			h.waitDial(t, 2*time.Second, "the reconnection (it waited for the backoff?)")
			eventually(t, "the subscription confirmed on the new connection", func() bool {
				return len(rec.get()) == 4
			})
			want := []string{"up=true", "live=true", "live=false", "live=true"}
			if diff := cmp.Diff(want, rec.get()); diff != "" {
				t.Errorf("reported (-want +got):\n%s", diff)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			if diff := cmp.Diff([][]string{{"s1"}, {"s1"}}, h.subs); diff != "" {
				t.Errorf("subscriptions per connection (-want +got):\n%s", diff)
			}
		})
	}
}

// When the reconnection after the sign-in's expiry is refused, the client
// asks for a session check (the layout then shows the sign-in prompt on
// the API's 401) and reports the socket down.
func TestWSClientChecksTheSessionWhenRefusedAfterExpiry(t *testing.T) {
	h, url := newFakeHub(t)
	h.scripts = []func(*websocket.Conn) bool{
		h.serveThenEnd(`{"type":"error","error":{"code":"UNAUTHORIZED","message":"expired"}}`, shared.WSCloseSignInExpired),
		nil, // refused: the handler answers no upgrade
	}
	var rec recorder
	c := newWSClient(url).Backoff(20*time.Second, 20*time.Second).
		OnState(func(up bool) { rec.add(fmt.Sprintf("up=%v", up)) }).
		OnSessionCheck(func() { rec.add("session check") })
	c.subscribe("pods", "demo", wsHandler{onLive: func(live bool) { rec.add(fmt.Sprintf("live=%v", live)) }})
	<-c.wake // the subscription's wake-up: run dials for it anyway
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.run(ctx) }()
	defer func() { cancel(); <-done }()
	h.waitDial(t, 5*time.Second, "the first connection")
	h.waitDial(t, 2*time.Second, "the reconnection")
	eventually(t, "the session check", func() bool { return slices.Contains(rec.get(), "session check") })
	want := []string{"up=true", "live=true", "live=false", "up=false", "session check"}
	if diff := cmp.Diff(want, rec.get()); diff != "" {
		t.Errorf("reported (-want +got):\n%s", diff)
	}
}

// eventually polls cond every 10 ms for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWSClientFollowsAnOperationUntilItIsDone(t *testing.T) {
	c := newWSClient("ws://unused")
	var phases []shared.OperationPhase
	s := c.subs.addOperation("OP1", wsHandler{onMessage: func(m shared.WSMessage) {
		var op shared.Operation
		if err := m.Decode(&op); err != nil {
			t.Errorf("decode %s: %v", m.Data, err)
		}
		phases = append(phases, op.Phase)
	}})
	if diff := cmp.Diff(shared.WSMessage{Type: shared.WSSubscribeOperation, ID: "OP1"}, s.message()); diff != "" {
		t.Errorf("subscribe message (-want +got):\n%s", diff)
	}
	steps := []struct {
		raw        string
		registered bool // sent again after a reconnect
	}{
		{`{"type":"operation:progress","sub":"OP1","data":{"id":"OP1","phase":"running"}}`, true},
		{`{"type":"operation:progress","sub":"OP1","data":{"id":"OP1","phase":"succeeded"}}`, false},
	}
	for _, st := range steps {
		c.handle([]byte(st.raw))
		if _, ok := c.subs.get("OP1"); ok != st.registered {
			t.Errorf("after %s: registered %v, want %v", st.raw, ok, st.registered)
		}
	}
	if diff := cmp.Diff([]shared.OperationPhase{shared.OperationRunning, shared.OperationSucceeded}, phases); diff != "" {
		t.Errorf("phases seen (-want +got):\n%s", diff)
	}
}

func TestLogsSubscriptionEndsWithLogEnd(t *testing.T) {
	c := newWSClient("ws://unused")
	var got []shared.WSType
	h := wsHandler{onMessage: func(m shared.WSMessage) { got = append(got, m.Type) }}
	q := shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web", TailLines: 100}
	s := c.subs.addLogs(q, h)
	want := shared.WSMessage{Type: shared.WSSubscribeLogs, ID: s.id, Data: json.RawMessage(`{"kind":"pods","namespace":"demo","name":"web","tailLines":100}`)}
	if diff := cmp.Diff(want, s.message()); diff != "" {
		t.Errorf("subscribe message (-want +got):\n%s", diff)
	}
	c.handle([]byte(`{"type":"logs:lines","sub":"` + s.id + `","data":{"lines":[]}}`))
	if _, ok := c.subs.get(s.id); !ok {
		t.Fatal("lines ended the subscription")
	}
	c.handle([]byte(`{"type":"logs:end","sub":"` + s.id + `","data":{"reason":"done"}}`))
	if _, ok := c.subs.get(s.id); ok {
		t.Error("logs:end left the subscription to be sent again on reconnect")
	}
	e := c.subs.addLogs(q, h)
	c.handle([]byte(`{"type":"error","sub":"` + e.id + `","error":{"code":"RATE_LIMITED","message":"too many"}}`))
	if _, ok := c.subs.get(e.id); ok {
		t.Error("a refused follow is sent again on reconnect")
	}
	if diff := cmp.Diff([]shared.WSType{shared.WSLogLines, shared.WSLogEnd, shared.WSError}, got); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
}
