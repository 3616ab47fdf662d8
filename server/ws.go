package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// The WebSocket hub (GET /api/v1/ws) pushes the cache's changes to the
// browser; the protocol is described in shared/ws.go. A connection is
// authenticated at the upgrade like any API request (401 envelope without an
// identity) and its Origin checked (wsAcceptOptions). Each subscription is
// authorized like a list of its kind, and again every
// WebSocketConfig.ReauthInterval while it lives. The server pings every
// WebSocketConfig.PingInterval and drops peers that do not answer; it
// closes a connection at its MaxLifetime (the client reconnects at once)
// or when the ID token it was opened with expires, and on shutdown closes
// every connection with "going away".

// refuseTimeout bounds the telling of a refused connection why.
const refuseTimeout = 5 * time.Second

// setupWebSocket builds the hub when the server has the object cache, and
// closes its connections when the server shuts down.
func (s *Server) setupWebSocket(objects *kube.Objects, access *kube.Access) {
	if objects == nil || access == nil {
		return
	}
	// A subscription is authorized exactly like a list (mayList: one
	// check for both, namespaces the cache has never seen included).
	authorize := s.mayList
	s.hub = newHub(s.cfg.WebSocket, s.log, objects, objects.Kind, authorize)
	s.hub.progress = newProgressPusher(s.hub, objects)
	s.hub.ops = s.deps.Operations
	s.hub.stopping = s.stopping.Done()
	s.hub.slots = s.slots
	if s.logs != nil {
		s.hub.logs = s.logs
		s.hub.logCfg = s.cfg.Logs.withDefaults()
		s.hub.mayReadLogs = s.mayReadLogs
	}
	s.OnShutdown(func() { s.hub.shutdown(s.cfg.ShutdownTimeout) })
}

// serveWS upgrades an authenticated request to a WebSocket and serves it
// until it ends.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request, id Identity) error {
	if s.hub == nil {
		return &apiError{code: shared.CodeUnavailable, message: "Live updates are not available: this server runs without the cluster cache."}
	}
	ws, err := websocket.Accept(w, r, s.wsAcceptOptions())
	if err != nil {
		// Accept has answered (403 for a foreign Origin, 400 for a bad upgrade).
		s.log.Warn("websocket upgrade refused", "request_id", requestID(r), "origin", r.Header.Get("Origin"), "err", err)
		return nil
	}
	ws.SetReadLimit(wsReadLimit)
	c := newWSConn(s.hub, ws, id.User, id.Expires, s.log.With("request_id", requestID(r), "user", id.User.Name))
	if err := s.hub.register(r.Context(), c); err != nil {
		c.refuse(err)
		return nil
	}
	c.run()
	return nil
}

// refuse tells a connection the hub did not admit why, then closes it: the
// error message for the client's code, the close reason for the browser's
// console.
func (c *wsConn) refuse(err error) {
	var ref *wsRefusal
	if !errors.As(err, &ref) {
		ref = &wsRefusal{code: shared.CodeInternal, message: "The connection could not be set up."}
	}
	code, reason := wsPolicyViolation, "too many connections"
	if ref.code == shared.CodeUnavailable {
		code, reason = wsGoingAway, "server shutting down"
	}
	ctx, cancel := context.WithTimeout(context.Background(), refuseTimeout)
	defer cancel()
	// Read in the background so the close handshake completes.
	ctx = c.ws.CloseRead(ctx)
	msg, _ := json.Marshal(shared.WSMessage{Type: shared.WSError, Error: &shared.Error{Code: ref.code, Message: ref.message}})
	if err := c.ws.Write(ctx, websocket.MessageText, msg); err == nil {
		_ = c.ws.Close(code, reason)
	}
	_ = c.ws.CloseNow()
}
