package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/kube/slots"
	"github.com/kubedeck/kubedeck/shared"
)

// WebSocketConfig bounds the WebSocket hub. Zero fields take the defaults.
type WebSocketConfig struct {
	// PingInterval is how often the server pings each connection (default
	// 30 s); a peer that does not answer within PingTimeout (default 10 s)
	// is dropped.
	PingInterval time.Duration
	PingTimeout  time.Duration
	// WriteTimeout bounds the writing of one batch of messages (default
	// 10 s); a client that reads slower than that is dropped.
	WriteTimeout time.Duration
	// QueueLimit is how many objects' events may wait for one connection's
	// writer before they are dropped for a resync (default 512).
	QueueLimit int
	// MaxSubscriptions per connection (default shared.MaxSubscriptions) and MaxConnsPerUser
	// (default 10: a user's tabs and devices) bound what one user holds.
	MaxSubscriptions int
	MaxConnsPerUser  int
	// ReauthInterval is how often every subscription's right to list is
	// checked again (default kube.DefaultAccessTTL; set it to the access
	// decisions' lifetime, which makes each check one review per user,
	// kind and namespace). A subscription whose right was taken away gets
	// an error FORBIDDEN and ends.
	ReauthInterval time.Duration
	// MaxLifetime bounds how long a connection lives (default 30 min,
	// less a random tenth so that connections opened together do not end
	// together). The server then closes it with shared.WSCloseReconnect
	// and the client reconnects at once: a connection opened under rights
	// or a sign-in since taken away does not outlive it.
	MaxLifetime time.Duration
}

func (c WebSocketConfig) withDefaults() WebSocketConfig {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.PingInterval, 30*time.Second)
	def(&c.PingTimeout, 10*time.Second)
	def(&c.WriteTimeout, 10*time.Second)
	def(&c.ReauthInterval, kube.DefaultAccessTTL)
	def(&c.MaxLifetime, 30*time.Minute)
	defInt(&c.QueueLimit, 512)
	defInt(&c.MaxSubscriptions, shared.MaxSubscriptions)
	defInt(&c.MaxConnsPerUser, 10)
	return c
}

// controlLimit bounds the control messages (pongs, errors) waiting for a
// connection; only a client that sends without reading reaches it.
const controlLimit = 64

// eventSource is where the hub's events come from: kube.Objects.
type eventSource interface {
	Subscribe(func(kube.Event)) (unsubscribe func())
}

// listAuthorizer says whether u may list kind in namespace ("" for every
// namespace): nil when allowed, an error wrapping kube.ErrForbidden when not.
type listAuthorizer func(ctx context.Context, u kube.User, kind *kube.Kind, namespace string) error

// subKey is where a subscription listens: a kind in a namespace, or in every
// namespace ("").
type subKey struct {
	kind      string
	namespace string
}

// subscription is one subscribe:resources or subscribe:operation of a
// connection.
type subscription struct {
	conn   *wsConn
	id     string
	idJSON []byte // id as a JSON string, for the frames
	key    subKey
	// stop ends the following of an operation (subscribe:operation only;
	// such a subscription is not in the hub's index).
	stop context.CancelFunc
	// podText says whether the user may list pods where the subscription
	// listens, and so read deployment:progress messages drawn from pods
	// (subscriptions to deployments only; kept up by re-authorization).
	podText atomic.Bool
}

// hub fans the cache's events out to the subscriptions that match them. It
// listens to the cache only while a connection is open. Each event is
// encoded once and queued on each matching subscription's connection; the
// subscriptions are indexed by kind and namespace, so an event costs the
// subscriptions it matches, not every connection.
type hub struct {
	cfg       WebSocketConfig
	log       *slog.Logger
	source    eventSource
	kinds     func(name string) (*kube.Kind, bool)
	authorize listAuthorizer
	progress  *progressPusher // nil when progress is not derived
	// ops serves subscribe:operation; nil when the server runs none.
	ops operations.Registry
	// logs serves subscribe:logs (nil: none), within logCfg and each
	// user's logStreams; mayReadLogs re-authorizes the follows.
	logs        logSource
	logCfg      LogConfig
	mayReadLogs func(ctx context.Context, u kube.User, namespace string) error
	// stopping is closed when the server starts shutting down.
	stopping <-chan struct{}
	// slots bound each user's connections and follows of logs over every
	// replica.
	slots slots.Slots

	mu          sync.RWMutex
	index       map[subKey]map[*subscription]struct{}
	conns       map[*wsConn]struct{}
	unsubscribe func()        // from the source, while connections are open
	reauthQuit  chan struct{} // stops the re-authorization, while connections are open
	closed      bool
	done        sync.WaitGroup // the connections' run
}

func newHub(cfg WebSocketConfig, log *slog.Logger, source eventSource,
	kinds func(string) (*kube.Kind, bool), authorize listAuthorizer) *hub {
	return &hub{
		cfg:       cfg.withDefaults(),
		log:       log,
		source:    source,
		kinds:     kinds,
		authorize: authorize,
		index:     make(map[subKey]map[*subscription]struct{}),
		conns:     make(map[*wsConn]struct{}),
		slots:     slots.NewMemory(),
	}
}

// errHubClosed and errTooManyConns are why register refuses a connection.
var (
	errHubClosed    = &wsRefusal{code: shared.CodeUnavailable, message: "The server is shutting down; reconnect in a moment."}
	errTooManyConns = &wsRefusal{code: shared.CodeRateLimited}
)

// wsRefusal is why a connection or message is refused, as the client is told.
type wsRefusal struct {
	code    shared.Code
	message string
}

func (e *wsRefusal) Error() string { return string(e.code) + ": " + e.message }

// register admits c, within its user's connection limit over every
// replica, and starts listening to the cache with the first connection.
// The limit's place is taken before the hub's lock: Redis's answer must
// not hold up other users' connections.
func (h *hub) register(ctx context.Context, c *wsConn) error {
	release, ok := h.slots.Take(ctx, "ws:"+c.user.Name, h.cfg.MaxConnsPerUser)
	if !ok {
		return &wsRefusal{code: errTooManyConns.code, message: tooManyConnsMessage(h.cfg.MaxConnsPerUser)}
	}
	if err := h.admit(c); err != nil {
		release()
		return err
	}
	c.releaseSlot = release
	return nil
}

func (h *hub) admit(c *wsConn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errHubClosed
	}
	h.conns[c] = struct{}{}
	h.done.Add(1)
	if h.reauthQuit == nil {
		h.reauthQuit = make(chan struct{})
		go h.reauthLoop(h.reauthQuit)
	}
	if h.unsubscribe == nil && h.source != nil {
		h.unsubscribe = h.source.Subscribe(h.publish)
		if h.progress != nil {
			h.progress.start()
		}
	}
	return nil
}

func tooManyConnsMessage(n int) string {
	return "You have " + itoa(n) + " live connections open already (one per browser tab); close a tab and reload."
}

// unregister removes c and its subscriptions; the last connection to leave
// stops the hub's listening.
func (h *hub) unregister(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.conns[c]; !ok {
		return
	}
	func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, sub := range c.subs {
			h.removeLocked(sub)
		}
	}()
	delete(h.conns, c)
	if c.releaseSlot != nil {
		c.releaseSlot()
	}
	if len(h.conns) == 0 && h.reauthQuit != nil {
		close(h.reauthQuit) // the loop may wait for h.mu: do not wait for it
		h.reauthQuit = nil
	}
	if len(h.conns) == 0 && h.unsubscribe != nil {
		h.unsubscribe()
		h.unsubscribe = nil
		if h.progress != nil {
			h.progress.stop()
		}
	}
	h.done.Done()
}

// add puts sub in the index.
func (h *hub) add(sub *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.index[sub.key]
	if set == nil {
		set = make(map[*subscription]struct{})
		h.index[sub.key] = set
	}
	set[sub] = struct{}{}
}

// remove takes sub out of the index.
func (h *hub) remove(sub *subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(sub)
}

func (h *hub) removeLocked(sub *subscription) {
	set := h.index[sub.key]
	delete(set, sub)
	if len(set) == 0 {
		delete(h.index, sub.key)
	}
}

// eventTypes maps the cache's event types to the protocol's.
var eventTypes = map[kube.EventType]shared.WSType{
	kube.Created: shared.WSCreated,
	kube.Updated: shared.WSUpdated,
	kube.Deleted: shared.WSDeleted,
}

// rowBody is what every message about one row shares.
// publish is the hub's fan-out: it queues ev on every subscription it
// matches. It never blocks (the queues are bounded and coalesce), as the
// cache's callbacks must not.
func (h *hub) publish(ev kube.Event) {
	typ, ok := eventTypes[ev.Type]
	if !ok {
		return
	}
	if h.progress != nil {
		h.progress.notice(ev)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	var b body
	h.each(ev.Kind, ev.Row.Namespace, func(sub *subscription) {
		if b == nil {
			b = encodeBody(shared.WSResourceEvent{Kind: ev.Kind, Row: ev.Row})
			if b == nil {
				return
			}
		}
		sub.conn.q.push(sub, ev.Row.UID, typ, b)
	})
}

// each calls fn for each subscription to kind in namespace or in every
// namespace. The caller holds h.mu.
func (h *hub) each(kind, namespace string, fn func(*subscription)) {
	for sub := range h.index[subKey{kind: kind, namespace: namespace}] {
		fn(sub)
	}
	if namespace != "" {
		for sub := range h.index[subKey{kind: kind}] {
			fn(sub)
		}
	}
}

// subscribed says whether any subscription listens to kind in namespace.
func (h *hub) subscribed(kind, namespace string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.index[subKey{kind: kind, namespace: namespace}]) > 0 || len(h.index[subKey{kind: kind}]) > 0
}

// encodeBody encodes v as the payload of a message: `"data":v}`.
func encodeBody(v any) body {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil // rows, progress and operations are plain data; this does not happen
	}
	b := make(body, 0, len(dataPrefix)+len(raw)+1)
	b = append(b, dataPrefix...)
	b = append(b, raw...)
	return append(b, '}')
}

// dataPrefix starts the payload of a message.
const dataPrefix = `"data":`

// shutdown closes every connection with "going away" and refuses new ones,
// then waits up to timeout for them to end.
func (h *hub) shutdown(timeout time.Duration) {
	var conns []*wsConn
	func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.closed = true
		conns = make([]*wsConn, 0, len(h.conns))
		for c := range h.conns {
			conns = append(conns, c)
		}
	}()
	for _, c := range conns {
		c.closeWith(wsGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() { h.done.Wait(); close(done) }()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		h.log.Warn("websocket connections still open after shutdown", "timeout", timeout.String())
	}
}

// stats is what a hub holds, for tests and benchmarks.
type hubStats struct {
	conns, subs, queued int
}

func (h *hub) stats() hubStats {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var s hubStats
	s.conns = len(h.conns)
	for _, set := range h.index {
		s.subs += len(set)
	}
	for c := range h.conns {
		s.queued += c.q.size()
	}
	return s
}
