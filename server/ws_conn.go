package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// wsReadLimit bounds one client message. The client sends only small
// messages (a subscription is under 200 bytes); 64 KiB leaves room without
// letting a client make the server buffer much.
const wsReadLimit = 64 << 10

// The close codes the hub uses.
const (
	wsGoingAway       = websocket.StatusGoingAway
	wsPolicyViolation = websocket.StatusPolicyViolation
)

// closeRequest is how a connection is asked to close with a code and reason.
type closeRequest struct {
	code   websocket.StatusCode
	reason string
}

// wsConn is one WebSocket connection. Its reader goroutine (the handler's
// own) reads and answers the client's messages and makes and ends its
// subscriptions; its writer goroutine sends what the queue holds, pings,
// and closes the connection at the end of its life. Both end when the
// connection ends, and run returns only after both have.
type wsConn struct {
	hub     *hub
	ws      *websocket.Conn
	user    kube.User
	expires time.Time // the sign-in's expiry; zero: none
	log     *slog.Logger
	q       *sendQueue
	// releaseSlot gives back the connection's place in its user's limit.
	releaseSlot func()

	// mu guards subs, by the client's id: the reader adds and removes, the
	// hub's re-authorization revokes.
	mu   sync.Mutex
	subs map[string]*subscription

	// following counts the goroutines that follow operations; they end
	// with the connection.
	following sync.WaitGroup

	closeOnce sync.Once
	closeReq  chan closeRequest // capacity 1
}

// newWSConn makes the connection of ws for user u, whose sign-in expires
// at expires (zero: it does not).
func newWSConn(h *hub, ws *websocket.Conn, u kube.User, expires time.Time, log *slog.Logger) *wsConn {
	return &wsConn{
		hub:      h,
		ws:       ws,
		user:     u,
		expires:  expires,
		log:      log,
		q:        newSendQueue(h.cfg.QueueLimit, controlLimit),
		subs:     make(map[string]*subscription),
		closeReq: make(chan closeRequest, 1),
	}
}

// closeWith asks the writer to close the connection with code and reason
// (the first request wins). It does not block.
func (c *wsConn) closeWith(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() { c.closeReq <- closeRequest{code: code, reason: reason} })
}

// run serves the connection until it ends, then removes it from the hub.
func (c *wsConn) run() {
	ctx, cancel := context.WithCancel(context.Background())
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		c.writeLoop(ctx)
	}()
	c.readLoop(ctx)
	cancel()
	c.following.Wait()
	<-writerDone
	_ = c.ws.CloseNow()
	c.hub.unregister(c)
}

// readLoop reads the client's messages until the connection fails or closes.
func (c *wsConn) readLoop(ctx context.Context) {
	for {
		typ, data, err := c.ws.Read(ctx)
		if err != nil {
			c.logEnd("read", err)
			return
		}
		if typ != websocket.MessageText {
			c.sendError("", shared.CodeValidation, "Messages must be JSON text frames.")
			continue
		}
		var m shared.WSMessage
		if problem := decodeWSMessage(data, &m); problem != "" {
			c.sendError("", shared.CodeValidation, problem)
			continue
		}
		switch m.Type {
		case shared.WSSubscribe:
			c.subscribe(ctx, m)
		case shared.WSSubscribeOperation:
			c.followOperation(ctx, m)
		case shared.WSSubscribeLogs:
			c.followLogs(ctx, m)
		case shared.WSUnsubscribe:
			c.unsubscribe(m)
		case shared.WSPing:
			c.sendControl(shared.WSMessage{Type: shared.WSPong})
		default:
			c.sendError(m.ID, shared.CodeValidation, "Unknown message type "+quoted(string(m.Type))+
				`; send "subscribe:resources", "subscribe:operation", "subscribe:logs", "unsubscribe:resources" or "ping".`)
		}
	}
}

// logEnd logs why a connection ended, quietly for the usual reasons.
func (c *wsConn) logEnd(op string, err error) {
	status := websocket.CloseStatus(err)
	if status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway ||
		status == shared.WSCloseReconnect || status == shared.WSCloseSignInExpired ||
		errors.Is(err, context.Canceled) {
		c.log.Debug("websocket closed", "op", op, "status", int(status))
		return
	}
	c.log.Debug("websocket ended", "op", op, "status", int(status), "err", err)
}

// decodeWSMessage reads one client message, refusing unknown fields (the
// payload's are refused when it is read: a misspelt "namespace" must not
// become a subscription to every namespace). It returns what is wrong, for
// people, or "".
func decodeWSMessage(data []byte, m *shared.WSMessage) string {
	var probe shared.WSMessage
	if problem := decodeStrict(data, &probe); problem != "" {
		return problem
	}
	if probe.Error != nil || probe.Sub != "" {
		return "The message has fields only the server sends (error, sub)."
	}
	*m = probe
	return ""
}

// writeLoop sends what the queue holds, pings every PingInterval and closes
// the connection when asked to or when its life ends. It returns when the
// connection ends.
func (c *wsConn) writeLoop(ctx context.Context) {
	cfg := c.hub.cfg
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	life, why := c.lifetime()
	end := time.NewTimer(life)
	defer end.Stop()
	// A batch not written within WriteTimeout closes the connection, which
	// ends the write. One timer, reset per batch, costs less than a context
	// per write.
	watchdog := time.AfterFunc(time.Hour, func() {
		c.log.Debug("websocket client reads too slowly; dropped", "timeout", cfg.WriteTimeout.String())
		_ = c.ws.CloseNow()
	})
	watchdog.Stop()
	defer watchdog.Stop()
	var (
		b   batch
		buf []byte
	)
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-c.closeReq:
			// Close writes the close frame and waits (bounded) for the
			// client's; the reader then sees the connection end.
			_ = c.ws.Close(req.code, req.reason)
			return
		case <-end.C:
			c.end(why)
			return
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, cfg.PingTimeout)
			err := c.ws.Ping(pctx)
			cancel()
			if err != nil {
				c.log.Debug("websocket peer did not answer a ping; dropped", "err", err)
				_ = c.ws.CloseNow()
				return
			}
		case <-c.q.notify:
			c.q.take(&b)
			if b.len() == 0 {
				continue
			}
			watchdog.Reset(cfg.WriteTimeout)
			var err error
			buf, err = c.writeBatch(&b, buf)
			watchdog.Stop()
			clear(b.events) // let the bodies go
			clear(b.states)
			if err != nil {
				c.logEnd("write", err)
				_ = c.ws.CloseNow()
				return
			}
		}
	}
}

// lifetime is how long the connection may live and the close code that
// ends it then: its maximum lifetime less up to a tenth at random, or the
// time left to its sign-in when that is shorter.
func (c *wsConn) lifetime() (time.Duration, websocket.StatusCode) {
	limit := c.hub.cfg.MaxLifetime
	life := limit - rand.N(limit/10+1)
	if !c.expires.IsZero() {
		if left := time.Until(c.expires); left < life {
			return max(left, 0), shared.WSCloseSignInExpired
		}
	}
	return life, shared.WSCloseReconnect
}

// end tells the client why its connection ends (code is
// shared.WSCloseReconnect or shared.WSCloseSignInExpired), then closes it
// with code. Browsers hide the close code from the client's code; the
// message says it first.
func (c *wsConn) end(code websocket.StatusCode) {
	m, reason := shared.WSMessage{Type: shared.WSReconnect}, "connection lifetime reached; reconnect"
	if code == shared.WSCloseSignInExpired {
		m = shared.WSMessage{Type: shared.WSError, Error: &shared.Error{Code: shared.CodeUnauthorized,
			Message: "Your sign-in has expired; sign in again to see live updates."}}
		reason = "sign-in expired"
		c.log.Debug("websocket closed at the sign-in's expiry", "expires", c.expires)
	}
	raw, _ := json.Marshal(m) // plain data always encodes
	ctx, cancel := context.WithTimeout(context.Background(), c.hub.cfg.WriteTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, raw); err != nil {
		c.logEnd("write", err)
		_ = c.ws.CloseNow()
		return
	}
	// Close waits (bounded) for the client's close frame; the reader then
	// sees the connection end.
	_ = c.ws.Close(code, reason)
}

// writeBatch writes the batch's messages, one frame each.
// The writes take no context: the writer's watchdog bounds them.
func (c *wsConn) writeBatch(b *batch, buf []byte) ([]byte, error) {
	ctx := context.Background()
	for _, sub := range b.resync {
		buf = appendFrame(buf[:0], shared.WSResync, sub.idJSON, nil)
		if err := c.ws.Write(ctx, websocket.MessageText, buf); err != nil {
			return buf, err
		}
	}
	for _, msg := range b.control {
		if err := c.ws.Write(ctx, websocket.MessageText, msg); err != nil {
			return buf, err
		}
	}
	for _, p := range b.states {
		buf = appendFrame(buf[:0], p.typ, p.key.sub.idJSON, p.body)
		if err := c.ws.Write(ctx, websocket.MessageText, buf); err != nil {
			return buf, err
		}
	}
	for _, p := range b.events {
		buf = appendFrame(buf[:0], p.typ, p.key.sub.idJSON, p.body)
		if err := c.ws.Write(ctx, websocket.MessageText, buf); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// appendFrame appends the message {"type":typ,"sub":sub,…body} to buf.
func appendFrame(buf []byte, typ shared.WSType, subJSON []byte, b body) []byte {
	buf = append(buf, `{"type":"`...)
	buf = append(buf, typ...) // the types are plain ASCII
	buf = append(buf, `","sub":`...)
	buf = append(buf, subJSON...)
	if len(b) == 0 {
		return append(buf, '}')
	}
	buf = append(buf, ',')
	return append(buf, b...)
}

// sendControl queues a whole message. A client that leaves too many
// unread is closed: it sends without reading.
func (c *wsConn) sendControl(m shared.WSMessage) {
	raw, err := json.Marshal(m)
	if err != nil {
		c.log.Error("encode websocket message", "err", err)
		return
	}
	if !c.q.pushControl(raw) {
		c.closeWith(wsPolicyViolation, "too many unread replies")
	}
}

// sendError tells the client that a message (of subscription sub, if any)
// was refused, and why.
func (c *wsConn) sendError(sub string, code shared.Code, message string) {
	c.sendControl(shared.WSMessage{Type: shared.WSError, Sub: sub, Error: &shared.Error{Code: code, Message: message}})
}
