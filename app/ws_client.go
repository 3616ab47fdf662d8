package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/kubedeck/kubedeck/shared"
)

// The client's limits and timers.
const (
	// wsReadLimit is the largest message the client reads; a row is a few
	// KiB at most, the library's default of 32 KiB is too tight for some.
	wsReadLimit = 1 << 20
	// wsPingEvery is how often the client asks the server for a pong; a
	// connection that said nothing for wsPingEvery+wsPongWait is dead.
	wsPingEvery = 20 * time.Second
	wsPongWait  = 10 * time.Second
	// wsStableAfter is how long a connection must have lasted for the next
	// reconnection to start the backoff over.
	wsStableAfter = 10 * time.Second
)

// wsClient is the tab's one WebSocket to the server (/api/v1/ws; the
// protocol is in shared/ws.go), shared by every component that wants live
// updates: each subscribes with a handler, the client multiplexes. It
// connects when the first subscription is made, reconnects with backoff
// and full jitter (capped at 30 s), sends every subscription again after a
// reconnect (handlers then re-list), and reports whether it is up for the
// connection indicator. When the server ends a connection on purpose (at
// its lifetime, or at the sign-in's expiry) the client reconnects at once,
// and reports nothing unless that fails. It is safe for concurrent use.
//
// The same code runs natively (tests) and in the browser, where
// coder/websocket uses the browser's WebSocket: there the connection is
// closed only with StatusNormalClosure (browsers refuse other codes) and
// a read is never cancelled through its context (that would close with
// another code).
type wsClient struct {
	url     string
	subs    subRegistry
	wake    chan struct{} // capacity 1: connect now
	rnd     func() float64
	base    time.Duration
	limit   time.Duration
	onState func(up bool)
	onCheck func()

	// ending is why the server said it ends the current connection; the
	// reading goroutine's alone.
	ending endReason

	mu       sync.Mutex
	conn     *websocket.Conn // nil while not connected
	up       bool
	reported bool // onState has been called at least once
	lastRead atomic.Int64

	// The server handles a connection's messages in order, so the pong to a
	// ping sent after a subscribe says the subscription is in place (or was
	// refused: the error comes first). pings holds, per ping in flight, the
	// subscriptions it confirms; sendMu keeps it in the order sent.
	sendMu sync.Mutex
	pings  [][]*wsSub
}

// newWSClient returns a client for the WebSocket at url
// ("ws://host/api/v1/ws"). It does nothing until run.
func newWSClient(url string) *wsClient {
	return &wsClient{url: url, wake: make(chan struct{}, 1), rnd: rand.Float64,
		base: reconnectBase, limit: reconnectCap, up: true}
}

// OnState sets what learns whether the socket is up; it is called from the
// client's goroutine on every change. A client with no subscription counts
// as up: it has nothing to miss.
func (c *wsClient) OnState(f func(up bool)) *wsClient {
	c.onState = f
	return c
}

// OnSessionCheck sets what is asked to check the session when it may have
// ended: the server closed the socket at the sign-in's expiry and the
// reconnection failed, or the server refused it with a 401. (A browser
// shows the client no status, so the caller asks the API, whose 401 shows
// the sign-in prompt.) It is called from the client's goroutine.
func (c *wsClient) OnSessionCheck(f func()) *wsClient {
	c.onCheck = f
	return c
}

// endReason is why a connection ended.
type endReason int

const (
	// endedFault: the connection failed or the server went away; the client
	// waits for the backoff.
	endedFault endReason = iota
	// endedLifetime: the server ended it at its lifetime.
	endedLifetime
	// endedSignIn: the server ended it at the sign-in's expiry.
	endedSignIn
)

// Backoff sets the reconnection backoff (tests shorten it).
func (c *wsClient) Backoff(base, limit time.Duration) *wsClient {
	c.base, c.limit = base, limit
	return c
}

// subscribe asks for the events of kind in namespace ("" for every
// namespace) and returns the function that ends the subscription.
func (c *wsClient) subscribe(kind, namespace string, h wsHandler) (cancel func()) {
	return c.start(func() *wsSub { return c.subs.add(kind, namespace, h) })
}

// followOperation asks for the states of operation id (operation:progress
// messages to h.onMessage, the current one first, and again first after a
// reconnect) and returns the function that stops them. The subscription
// ends by itself with the operation's final state.
func (c *wsClient) followOperation(id string, h wsHandler) (cancel func()) {
	return c.start(func() *wsSub { return c.subs.addOperation(id, h) })
}

// followLogs follows the logs q names (logs:lines messages to h.onMessage,
// then logs:end) and returns the function that stops it. The subscription
// ends by itself with logs:end or an error; after a reconnect it is sent
// again, and the server sends the log from its tail again.
func (c *wsClient) followLogs(q shared.LogQuery, h wsHandler) (cancel func()) {
	return c.start(func() *wsSub { return c.subs.addLogs(q, h) })
}

// start registers the subscription add makes, sends it when connected, and
// returns the function that ends it.
func (c *wsClient) start(add func() *wsSub) (cancel func()) {
	s, conn := func() (*wsSub, *websocket.Conn) {
		c.mu.Lock()
		defer c.mu.Unlock()
		return add(), c.conn
	}()
	if conn != nil {
		c.send(conn, s)
	}
	c.reconnectNow()
	var once sync.Once
	return func() {
		once.Do(func() {
			removed, conn := func() (bool, *websocket.Conn) {
				c.mu.Lock()
				defer c.mu.Unlock()
				return c.subs.remove(s.id), c.conn
			}()
			if removed && conn != nil {
				c.write(conn, shared.WSMessage{Type: shared.WSUnsubscribe, ID: s.id})
			}
		})
	}
}

// reconnectNow cuts the wait before the next connection attempt short
// (the browser is back online, or a subscription was just made).
func (c *wsClient) reconnectNow() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// run keeps the socket open while there are subscriptions, until ctx ends.
// After a connection the server ended on purpose it reconnects at once,
// and the socket is reported down only if that fails.
func (c *wsClient) run(ctx context.Context) {
	attempt := 0
	ended := endedFault // why the last connection ended; endedFault also when reported
	for ctx.Err() == nil {
		if c.subs.len() == 0 {
			ended = endedFault
			c.setUp(true)
			if !c.waitWake(ctx, 0) {
				return
			}
			continue
		}
		conn, resp, err := websocket.Dial(ctx, c.url, &websocket.DialOptions{})
		if ended != endedFault {
			// Nothing flowed since the last connection ended: its
			// subscriptions are lost, and re-listed once the next confirms
			// them.
			c.lost()
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.setUp(false)
			if (ended == endedSignIn || resp != nil && resp.StatusCode == http.StatusUnauthorized) && c.onCheck != nil {
				c.onCheck()
			}
			ended = endedFault
			c.waitWake(ctx, backoff(attempt, c.base, c.limit, c.rnd))
			attempt++
			continue
		}
		started := time.Now()
		ended = c.serve(ctx, conn)
		if ctx.Err() != nil {
			return
		}
		if ended != endedFault || time.Since(started) >= wsStableAfter {
			attempt = 0
		}
		if ended != endedFault {
			continue // at once
		}
		c.setUp(false)
		c.lost()
		c.waitWake(ctx, backoff(attempt, c.base, c.limit, c.rnd))
		attempt++
	}
}

// lost tells every subscription's handler that the socket was lost.
func (c *wsClient) lost() {
	for _, s := range c.subs.all() {
		if s.h.onLive != nil {
			s.h.onLive(false)
		}
	}
}

// waitWake waits d (forever when d is 0) or until reconnectNow; false when
// ctx ended.
func (c *wsClient) waitWake(ctx context.Context, d time.Duration) bool {
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ctx.Done():
		return false
	case <-c.wake:
	case <-timeout:
	}
	return true
}

// serve runs one connection: it sends the subscriptions, then reads until
// the connection ends, and says why it ended. A watcher closes it when ctx
// ends or the server stops answering pings.
func (c *wsClient) serve(ctx context.Context, conn *websocket.Conn) endReason {
	conn.SetReadLimit(wsReadLimit)
	c.lastRead.Store(time.Now().UnixNano())
	subs := c.setConn(conn)
	func() {
		c.sendMu.Lock()
		defer c.sendMu.Unlock()
		c.pings = nil
	}()
	c.setUp(true)
	c.ending = endedFault
	c.send(conn, subs...)
	done := make(chan struct{})
	watcherDone := make(chan struct{})
	go func() {
		defer close(watcherDone)
		c.watch(ctx, conn, done)
	}()
	var err error
	for {
		// Never cancelled: in the browser that would close the socket with a
		// code it refuses. The watcher closes the connection instead.
		var data []byte
		if _, data, err = conn.Read(context.Background()); err != nil {
			break
		}
		c.lastRead.Store(time.Now().UnixNano())
		c.handle(data)
	}
	c.setConn(nil)
	close(done)
	<-watcherDone
	// The close code where it can be seen (not in a browser), else what the
	// server said before closing.
	switch websocket.CloseStatus(err) {
	case shared.WSCloseReconnect:
		return endedLifetime
	case shared.WSCloseSignInExpired:
		return endedSignIn
	}
	return c.ending
}

// watch pings the server and closes conn when ctx ends or the server has
// been silent too long; it returns when done is closed.
func (c *wsClient) watch(ctx context.Context, conn *websocket.Conn, done <-chan struct{}) {
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			_ = conn.Close(websocket.StatusNormalClosure, "page closed")
			<-done
			return
		case <-t.C:
			silent := time.Since(time.Unix(0, c.lastRead.Load()))
			if silent > wsPingEvery+wsPongWait {
				_ = conn.Close(websocket.StatusNormalClosure, "no answer to pings")
				<-done
				return
			}
			c.send(conn)
		}
	}
}

// setConn records the connection up (nil: none) and returns the
// subscriptions to send on it.
func (c *wsClient) setConn(conn *websocket.Conn) []*wsSub {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	if conn == nil {
		return nil
	}
	return c.subs.all()
}

// send subscribes subs on conn, then pings: the pong tells their handlers
// they are live. With no subs it only pings.
func (c *wsClient) send(conn *websocket.Conn, subs ...*wsSub) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	var sent []*wsSub
	for _, s := range subs {
		if c.write(conn, s.message()) {
			sent = append(sent, s)
		}
	}
	if c.write(conn, shared.WSMessage{Type: shared.WSPing}) {
		c.pings = append(c.pings, sent)
	}
}

// ponged confirms the subscriptions the oldest ping in flight followed.
func (c *wsClient) ponged() {
	subs := func() []*wsSub {
		c.sendMu.Lock()
		defer c.sendMu.Unlock()
		if len(c.pings) == 0 {
			return nil
		}
		subs := c.pings[0]
		c.pings = c.pings[1:]
		return subs
	}()
	for _, s := range subs {
		if _, ok := c.subs.get(s.id); ok {
			s.h.onLive(true)
		}
	}
}

// write sends one message; a failed write ends the connection's reads.
func (c *wsClient) write(conn *websocket.Conn, m shared.WSMessage) bool {
	raw, err := json.Marshal(m)
	if err != nil {
		return false
	}
	return conn.Write(context.Background(), websocket.MessageText, raw) == nil
}

// handle passes one server message to the handler of its subscription.
// A pong confirms subscriptions (see ponged); reconnect, and an
// UNAUTHORIZED error about no subscription, say why the server is about to
// close the connection. Messages of subscriptions already ended are
// dropped, and so are other errors about no subscription (the server
// closes the connection after those).
func (c *wsClient) handle(data []byte) {
	var m shared.WSMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return
	}
	switch {
	case m.Type == shared.WSPong:
		c.ponged()
		return
	case m.Type == shared.WSReconnect:
		c.ending = endedLifetime
		return
	case m.Type == shared.WSError && m.Sub == "" && m.Error != nil && m.Error.Code == shared.CodeUnauthorized:
		c.ending = endedSignIn
		return
	case m.Sub == "":
		return
	}
	s, ok := c.subs.get(m.Sub)
	if !ok {
		return
	}
	if s.operation && operationDone(m) || s.logs != nil && (m.Type == shared.WSLogEnd || m.Type == shared.WSError) {
		// The server has ended the subscription; do not renew it.
		func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.subs.remove(s.id)
		}()
	}
	if s.h.onMessage != nil {
		s.h.onMessage(m)
	}
}

// operationDone says whether m tells an operation's final state, or that
// the operation cannot be followed.
func operationDone(m shared.WSMessage) bool {
	if m.Type == shared.WSError {
		return true
	}
	var op struct {
		Phase shared.OperationPhase `json:"phase"`
	}
	return m.Type == shared.WSOperationProgress && m.Decode(&op) == nil && op.Phase.Done()
}

// setUp records whether the socket is up and reports changes.
func (c *wsClient) setUp(up bool) {
	changed := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		changed := c.up != up || !c.reported
		c.up, c.reported = up, true
		return changed
	}()
	if changed && c.onState != nil {
		c.onState(up)
	}
}
