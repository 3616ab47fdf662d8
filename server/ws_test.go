package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// syntheticEvent is an event about pod i of namespace ns.
func syntheticEvent(typ kube.EventType, ns string, i int, status string) kube.Event {
	return kube.Event{Type: typ, Kind: "pods", Row: shared.Row{
		UID: fmt.Sprintf("uid-%s-%d", ns, i), Kind: "Pod", Namespace: ns, Name: fmt.Sprintf("pod-%d", i),
		Status: status, Level: shared.LevelOK,
	}}
}

func TestWSFanOut(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	a := dialWS(t, ts, "alice")
	a.subscribe("pods-a", "pods", "team-a")
	a.subscribe("pods-all", "pods", "")
	b := dialWS(t, ts, "bob")
	b.subscribe("pods-b", "pods", "team-b")
	b.subscribe("deploy-a", "deployments", "team-a")

	type got struct {
		Type   shared.WSType
		Sub    string
		Name   string
		Status string
	}
	// read reads n events, grouped by subscription: per subscription they
	// come in order; across subscriptions, in no set order.
	read := func(c *wsClient, n int) map[string][]got {
		var out []got
		for range n {
			m := c.next()
			if m.Row == nil {
				t.Fatalf("got %+v, want a resource event", m)
			}
			out = append(out, got{m.Type, m.Sub, m.Row.Name, m.Row.Status})
		}
		return bySub(out, func(g got) string { return g.Sub })
	}
	s.hub.publish(syntheticEvent(kube.Created, "team-a", 1, "Pending"))
	s.hub.publish(syntheticEvent(kube.Created, "team-c", 2, "Pending"))
	want := map[string][]got{
		"pods-a":   {{shared.WSCreated, "pods-a", "pod-1", "Pending"}},
		"pods-all": {{shared.WSCreated, "pods-all", "pod-1", "Pending"}, {shared.WSCreated, "pods-all", "pod-2", "Pending"}},
	}
	if diff := cmp.Diff(want, read(a, 3)); diff != "" {
		t.Errorf("alice's creations (-want +got):\n%s", diff)
	}
	s.hub.publish(syntheticEvent(kube.Updated, "team-a", 1, "Running"))
	want = map[string][]got{
		"pods-a":   {{shared.WSUpdated, "pods-a", "pod-1", "Running"}},
		"pods-all": {{shared.WSUpdated, "pods-all", "pod-1", "Running"}},
	}
	if diff := cmp.Diff(want, read(a, 2)); diff != "" {
		t.Errorf("alice's updates (-want +got):\n%s", diff)
	}
	// Bob matched nothing so far.
	s.hub.publish(syntheticEvent(kube.Created, "team-b", 3, "Pending"))
	b.expectNext("pods-b", "uid-team-b-3")
}

// bySub groups items by subscription, keeping their order.
func bySub[T any](items []T, sub func(T) string) map[string][]T {
	out := map[string][]T{}
	for _, it := range items {
		out[sub(it)] = append(out[sub(it)], it)
	}
	return out
}

func TestWSBadMessages(t *testing.T) {
	_, ts := newSyntheticHubServer(t, WebSocketConfig{})
	c := dialWS(t, ts, "alice")
	c.subscribe("taken", "pods", "team-a")
	tests := []struct {
		name     string
		typ      websocket.MessageType
		raw      string
		wantSub  string
		wantCode shared.Code
		wantText string
	}{
		{"not JSON", websocket.MessageText, `{"type":`, "", shared.CodeValidation, "not a whole JSON object"},
		{"not an object", websocket.MessageText, `[1,2]`, "", shared.CodeValidation, "must be a"},
		{"binary frame", websocket.MessageBinary, `{"type":"ping"}`, "", shared.CodeValidation, "JSON text frames"},
		{"unknown type", websocket.MessageText, `{"type":"watch","id":"x"}`, "x", shared.CodeValidation, `Unknown message type "watch"`},
		{"unknown top-level field", websocket.MessageText, `{"type":"ping","kind":"pods"}`, "", shared.CodeValidation, `unknown field "kind"`},
		{"subscription without data", websocket.MessageText, `{"type":"subscribe:resources","id":"x"}`, "x", shared.CodeValidation, "needs data"},
		{"unknown field", websocket.MessageText, `{"type":"subscribe:resources","id":"x","data":{"kind":"pods","namspace":"a"}}`, "x", shared.CodeValidation, `unknown field "namspace"`},
		{"server-only field", websocket.MessageText, `{"type":"subscribe:resources","id":"x","data":{"kind":"pods"},"sub":"y"}`, "", shared.CodeValidation, "only the server sends"},
		{"trailing data", websocket.MessageText, `{"type":"ping"} {}`, "", shared.CodeValidation, "data after"},
		{"no id", websocket.MessageText, `{"type":"subscribe:resources","data":{"kind":"pods"}}`, "", shared.CodeValidation, "needs an id"},
		{"bad id", websocket.MessageText, `{"type":"subscribe:resources","id":"a b","data":{"kind":"pods"}}`, "a b", shared.CodeValidation, "may hold only"},
		{"unknown kind", websocket.MessageText, `{"type":"subscribe:resources","id":"x","data":{"kind":"widgets"}}`, "x", shared.CodeValidation, `Unknown kind "widgets"`},
		{"bad namespace", websocket.MessageText, `{"type":"subscribe:resources","id":"x","data":{"kind":"pods","namespace":"Team_A"}}`, "x", shared.CodeValidation, "not a valid namespace"},
		{"namespace of a cluster kind", websocket.MessageText, `{"type":"subscribe:resources","id":"x","data":{"kind":"persistentvolumes","namespace":"a"}}`, "x", shared.CodeValidation, "not namespaced"},
		{"id in use", websocket.MessageText, `{"type":"subscribe:resources","id":"taken","data":{"kind":"pods"}}`, "taken", shared.CodeConflict, "exists on this connection"},
		{"unsubscribe unknown", websocket.MessageText, `{"type":"unsubscribe:resources","id":"nope"}`, "nope", shared.CodeNotFound, "no subscription"},
		{"forbidden namespace", websocket.MessageText, `{"type":"subscribe:resources","id":"x","data":{"kind":"pods","namespace":"forbidden"}}`, "x", shared.CodeForbidden, `You may not list pods in namespace "forbidden".`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.sendRaw(tt.typ, []byte(tt.raw))
			m := c.next()
			if m.Type != shared.WSError || m.Error == nil {
				t.Fatalf("got %+v, want an error", m)
			}
			if m.Sub != tt.wantSub || m.Error.Code != tt.wantCode || !strings.Contains(m.Error.Message, tt.wantText) {
				t.Errorf("got error {sub %q, %s, %q}, want {sub %q, %s, containing %q}",
					m.Sub, m.Error.Code, m.Error.Message, tt.wantSub, tt.wantCode, tt.wantText)
			}
			c.sync() // still connected, nothing else sent
		})
	}
}

func TestWSUnsubscribe(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	c := dialWS(t, ts, "alice")
	c.subscribe("p", "pods", "team-a")
	c.subscribe("other", "pods", "team-b")
	c.send(shared.WSMessage{Type: shared.WSUnsubscribe, ID: "p"})
	c.sync()
	s.hub.publish(syntheticEvent(kube.Created, "team-a", 1, "Pending"))
	s.hub.publish(syntheticEvent(kube.Created, "team-b", 2, "Pending"))
	c.expectNext("other", "uid-team-b-2") // and not team-a's
	if st := s.hub.stats(); st.subs != 1 {
		t.Errorf("hub holds %d subscriptions after unsubscribe, want 1", st.subs)
	}
	// The id is free again.
	c.subscribe("p", "pods", "team-a")
}

func TestWSForbiddenAcrossCluster(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	c := dialWS(t, ts, "limited")
	c.send(subMsg("all", "pods", ""))
	m := c.next()
	if m.Type != shared.WSError || m.Error.Code != shared.CodeForbidden || m.Sub != "all" ||
		!strings.Contains(m.Error.Message, "subscribe to each namespace") {
		t.Fatalf("got %+v %+v, want a FORBIDDEN error telling to subscribe per namespace", m, m.Error)
	}
	c.subscribe("b", "pods", "team-b")
	s.hub.publish(syntheticEvent(kube.Created, "team-a", 1, "Pending"))
	s.hub.publish(syntheticEvent(kube.Created, "team-b", 2, "Pending"))
	c.expectNext("b", "uid-team-b-2") // the refused subscription got nothing
}

func TestWSLimits(t *testing.T) {
	_, ts := newSyntheticHubServer(t, WebSocketConfig{MaxSubscriptions: 2, MaxConnsPerUser: 2})
	t.Run("subscriptions per connection", func(t *testing.T) {
		c := dialWS(t, ts, "subs")
		c.subscribe("1", "pods", "a")
		c.subscribe("2", "pods", "b")
		c.send(subMsg("3", "pods", "c"))
		m := c.next()
		if m.Type != shared.WSError || m.Error.Code != shared.CodeRateLimited || !strings.Contains(m.Error.Message, "at most 2 subscriptions") {
			t.Fatalf("got %+v %+v, want RATE_LIMITED naming the limit", m, m.Error)
		}
		c.send(shared.WSMessage{Type: shared.WSUnsubscribe, ID: "1"})
		c.subscribe("3", "pods", "c")
	})
	t.Run("connections per user", func(t *testing.T) {
		first := dialWS(t, ts, "conns")
		first.sync() // registered
		dialWS(t, ts, "conns").sync()
		third := dialWS(t, ts, "conns")
		m := third.next()
		if m.Type != shared.WSError || m.Error.Code != shared.CodeRateLimited || !strings.Contains(m.Error.Message, "2 live connections") {
			t.Fatalf("got %+v %+v, want RATE_LIMITED naming the limit", m, m.Error)
		}
		_, err := third.read(10 * time.Second)
		if got := websocket.CloseStatus(err); got != websocket.StatusPolicyViolation {
			t.Fatalf("third connection ended with %v, want close status %d", err, websocket.StatusPolicyViolation)
		}
		dialWS(t, ts, "someone-else").sync() // the limit is per user
		// A closed connection frees its place.
		_ = first.conn.Close(websocket.StatusNormalClosure, "")
		waitAdmitted(t, ts, "conns", "the closed connection's place was not freed")
	})
}

func TestWSUpgradeRefused(t *testing.T) {
	_, ts := newSyntheticHubServer(t, WebSocketConfig{})
	tests := []struct {
		name       string
		user       string
		origin     string
		wantStatus int
		wantCode   shared.Code
	}{
		{name: "no identity", wantStatus: http.StatusUnauthorized, wantCode: shared.CodeUnauthorized},
		{name: "foreign origin", user: "alice", origin: "https://evil.example", wantStatus: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := tryDialWS(t, ts, tt.user, dialOptions{origin: tt.origin})
			if err == nil || resp == nil {
				t.Fatalf("dial succeeded (err %v), want status %d", err, tt.wantStatus)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantCode == "" {
				return
			}
			raw, _ := io.ReadAll(resp.Body)
			var env shared.Envelope
			if err := json.Unmarshal(raw, &env); err != nil || env.Error == nil || env.Error.Code != tt.wantCode {
				t.Errorf("body %s, want an envelope with code %s", raw, tt.wantCode)
			}
		})
	}
	t.Run("own origin", func(t *testing.T) {
		c, _, err := tryDialWS(t, ts, "alice", dialOptions{origin: ts.URL})
		if err != nil {
			t.Fatal(err)
		}
		c.sync()
	})
}

// A connection whose TCP connection dies leaves no goroutine behind, and
// the hub forgets it and stops listening to the cache.
func TestWSKilledConnection(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	// Warm the HTTP server's and the client's lazily started goroutines.
	dialWS(t, ts, "warm").sync()
	waitHub(t, s, 1)
	base := runtime.NumGoroutine()
	opts := []goleak.Option{goleak.IgnoreCurrent()}

	c := dialWS(t, ts, "alice")
	c.subscribe("p", "pods", "team-a")
	s.hub.publish(syntheticEvent(kube.Created, "team-a", 1, "Pending"))
	if m := c.next(); m.Type != shared.WSCreated {
		t.Fatalf("got %+v, want resource:created", m)
	}
	if err := c.raw.Close(); err != nil { // kill the TCP connection under the client
		t.Fatal(err)
	}
	waitHub(t, s, 1)
	_ = c.conn.CloseNow() // the client's own side
	goleak.VerifyNone(t, opts...)
	if n := runtime.NumGoroutine(); n > base {
		t.Errorf("%d goroutines after the connection died, %d before it", n, base)
	}
	if st := s.hub.stats(); st.subs != 0 {
		t.Errorf("hub holds %d subscriptions of the dead connection", st.subs)
	}
}

// waitHub waits until the hub holds n connections.
func waitHub(t testing.TB, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.hub.stats().conns != n {
		if time.Now().After(deadline) {
			t.Fatalf("hub holds %d connections, want %d", s.hub.stats().conns, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A peer that stops answering pings is dropped.
func TestWSDeadPeer(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{PingInterval: 100 * time.Millisecond, PingTimeout: 200 * time.Millisecond})
	c := dialWS(t, ts, "alice") // never reads, so never answers a ping
	waitHub(t, s, 1)
	waitHub(t, s, 0)
	_, err := c.read(5 * time.Second)
	if err == nil {
		t.Fatal("the connection of a dead peer is still open")
	}
}

// Shutting the server down closes connections with "going away".
func TestWSShutdown(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	ts.Close() // serve with s.Serve instead, which runs the shutdown hooks
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	ts.URL = "http://" + ln.Addr().String()
	c := dialWS(t, ts, "alice")
	c.sync()
	cancel()
	_, err = c.read(10 * time.Second)
	if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
		t.Fatalf("connection ended with %v, want close status %d (going away)", err, websocket.StatusGoingAway)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, resp, err := tryDialWS(t, ts, "alice", dialOptions{}); err == nil {
		t.Error("a connection was accepted after shutdown")
	} else if resp != nil {
		resp.Body.Close()
	}
}
