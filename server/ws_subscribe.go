package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// authorizeTimeout bounds the access review of one subscription.
const authorizeTimeout = 10 * time.Second

// reauthParallel bounds the access reviews one round of re-authorization
// has in flight.
const reauthParallel = 8

// subscribe checks and authorizes a subscribe:resources, then adds it to the
// hub. A refused subscription gets one error message naming it, and nothing
// else.
//
// Authorization is that of a list: the right to list the kind in the
// namespace, or across the cluster for every namespace. A user allowed in
// some namespaces only is refused a subscription to every namespace (and
// told to subscribe per namespace) rather than given a filtered one: the
// filter would have to follow rights that change while the subscription
// lives, with an access review on the hot path of every event. The rights
// are checked again while it lives (reauthorize).
func (c *wsConn) subscribe(ctx context.Context, msg shared.WSMessage) {
	if !c.roomFor(msg.ID) {
		return
	}
	var m shared.WSResources
	if len(msg.Data) == 0 {
		c.sendError(msg.ID, shared.CodeValidation, `A subscription to resources needs data: {"kind":…,"namespace":…}.`)
		return
	}
	if problem := decodeStrict(msg.Data, &m); problem != "" {
		c.sendError(msg.ID, shared.CodeValidation, problem)
		return
	}
	kind, ok := c.hub.kinds(m.Kind)
	if !ok {
		c.sendError(msg.ID, shared.CodeValidation, "Unknown kind "+quoted(m.Kind)+".")
		return
	}
	if m.Namespace != "" {
		if !kind.Namespaced() {
			c.sendError(msg.ID, shared.CodeValidation, quoted(m.Kind)+" are not namespaced; subscribe without a namespace.")
			return
		}
		if !validNamespace(m.Namespace) {
			c.sendError(msg.ID, shared.CodeValidation, "Namespace "+quoted(m.Namespace)+" is not a valid namespace name.")
			return
		}
	}
	actx, cancel := context.WithTimeout(ctx, authorizeTimeout)
	defer cancel()
	if err := c.hub.authorize(actx, c.user, kind, m.Namespace); err != nil {
		c.refuseSubscription(msg.ID, m, err)
		return
	}
	idJSON, _ := json.Marshal(msg.ID) // a string always encodes
	sub := &subscription{conn: c, id: msg.ID, idJSON: idJSON, key: subKey{kind: kind.Name(), namespace: m.Namespace}}
	if sub.key.kind == progressKind {
		sub.podText.Store(c.hub.mayListPods(actx, c.user, m.Namespace) == nil)
	}
	func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.subs[msg.ID] = sub
	}()
	c.hub.add(sub)
}

// roomFor checks that id is a valid subscription id, free on the
// connection, and that the connection may hold one more subscription; if
// not, it tells the client and reports false.
func (c *wsConn) roomFor(id string) bool {
	if problem := validSubID(id); problem != "" {
		c.sendError(id, shared.CodeValidation, problem)
		return false
	}
	var taken bool
	var n int
	func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, taken = c.subs[id]
		n = len(c.subs)
	}()
	if taken {
		c.sendError(id, shared.CodeConflict, "A subscription "+quoted(id)+" exists on this connection already; unsubscribe first or use another id.")
		return false
	}
	if n >= c.hub.cfg.MaxSubscriptions {
		c.sendError(id, shared.CodeRateLimited, fmt.Sprintf(
			"A connection holds at most %d subscriptions; unsubscribe from one first.", c.hub.cfg.MaxSubscriptions))
		return false
	}
	return true
}

// mayListPods says whether u may list pods in namespace: nil when allowed.
func (h *hub) mayListPods(ctx context.Context, u kube.User, namespace string) error {
	pods, ok := h.kinds("pods")
	if !ok {
		return errors.New("the cache has no pods")
	}
	return h.authorize(ctx, u, pods, namespace)
}

// refuseSubscription tells the client why it may not subscribe.
func (c *wsConn) refuseSubscription(id string, m shared.WSResources, err error) {
	ae, fault := toAPIError(err)
	if fault {
		c.log.Error("authorize websocket subscription", "user", c.user.Name, "kind", m.Kind, "namespace", m.Namespace, "err", err)
	}
	msg := ae.message
	if errors.Is(err, kube.ErrForbidden) {
		if m.Namespace == "" {
			msg = "You may not list " + m.Kind + " across the cluster; subscribe to each namespace you may see instead."
		} else {
			msg = "You may not list " + m.Kind + " in namespace " + quoted(m.Namespace) + "."
		}
	}
	c.sendError(id, ae.code, msg)
}

// unsubscribe ends a subscription and drops what waits for it.
func (c *wsConn) unsubscribe(m shared.WSMessage) {
	var sub *subscription
	var ok bool
	func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		sub, ok = c.subs[m.ID]
		delete(c.subs, m.ID)
	}()
	if !ok {
		c.sendError(m.ID, shared.CodeNotFound, "There is no subscription "+quoted(m.ID)+" on this connection.")
		return
	}
	if sub.stop != nil {
		sub.stop() // an operation's: it is not in the hub
	} else {
		c.hub.remove(sub)
	}
	c.q.forget(sub)
}

// revoke ends sub, whose right to list was taken away, unless it has ended
// already, and tells the client.
func (c *wsConn) revoke(sub *subscription) {
	var held bool
	func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		held = c.subs[sub.id] == sub
		if held {
			delete(c.subs, sub.id)
		}
	}()
	if !held {
		return
	}
	c.hub.remove(sub) // no event is queued for it after this
	c.q.forget(sub)   // and none that was waits
	where := "in namespace " + quoted(sub.key.namespace)
	if sub.key.namespace == "" {
		where = "across the cluster"
	}
	c.log.Info("websocket subscription revoked", "kind", sub.key.kind, "namespace", sub.key.namespace)
	c.sendError(sub.id, shared.CodeForbidden, "You may no longer list "+sub.key.kind+" "+where+
		"; subscription "+quoted(sub.id)+" has ended.")
}

// grant is a right that subscriptions rely on: that user may list kind in
// namespace. For pods, the right to read deployment:progress messages.
type grant struct {
	user      kube.User
	kind      *kube.Kind
	namespace string
	subs      []*subscription
	podText   bool // the subscriptions' podText, not the subscriptions themselves
}

// reauthLoop re-authorizes every subscription each ReauthInterval until
// quit is closed.
func (h *hub) reauthLoop(quit <-chan struct{}) {
	t := time.NewTicker(h.cfg.ReauthInterval)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
			h.reauthorize(quit)
		}
	}
}

// reauthorize checks the rights every subscription relies on again, once
// per user, kind and namespace (the access decisions are cached for their
// TTL, so a round costs about one review per grant and TTL). A subscription
// whose right was taken away is revoked; one whose check fails otherwise
// (the API server does not answer) is kept until a later round decides.
func (h *hub) reauthorize(quit <-chan struct{}) {
	sem := make(chan struct{}, reauthParallel)
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, g := range h.grants() {
		select {
		case <-quit:
			return
		case sem <- struct{}{}:
		}
		wg.Go(func() {
			defer func() { <-sem }()
			h.recheck(g)
		})
	}
}

// grants gathers the rights the subscriptions rely on.
func (h *hub) grants() []*grant {
	h.mu.RLock()
	defer h.mu.RUnlock()
	byKey := make(map[string]*grant)
	add := func(sub *subscription, kind string, podText bool) {
		u := sub.conn.user
		key := u.Name + "\x00" + strings.Join(u.Groups, "\x00") + "\x01" + kind + "/" + sub.key.namespace
		if podText { // a grant of its own, though it asks what a subscription to pods asks
			key += "\x01text"
		}
		g := byKey[key]
		if g == nil {
			k, ok := h.kinds(kind)
			if !ok {
				return
			}
			g = &grant{user: u, kind: k, namespace: sub.key.namespace, podText: podText}
			byKey[key] = g
		}
		g.subs = append(g.subs, sub)
	}
	for key, set := range h.index {
		for sub := range set {
			add(sub, key.kind, false)
			if key.kind == progressKind {
				add(sub, "pods", true)
			}
		}
	}
	out := make([]*grant, 0, len(byKey))
	for _, g := range byKey {
		out = append(out, g)
	}
	return out
}

// recheck asks again whether g holds and acts on the answer.
func (h *hub) recheck(g *grant) {
	ctx, cancel := context.WithTimeout(context.Background(), authorizeTimeout)
	defer cancel()
	err := h.authorize(ctx, g.user, g.kind, g.namespace)
	switch {
	case err == nil || errors.Is(err, kube.ErrForbidden):
		for _, sub := range g.subs {
			switch {
			case g.podText:
				sub.podText.Store(err == nil)
			case err != nil:
				sub.conn.revoke(sub)
			}
		}
	default:
		h.log.Warn("websocket subscriptions not re-authorized; kept until the next round",
			"user", g.user.Name, "kind", g.kind.Name(), "namespace", g.namespace, "err", err)
	}
}

// validSubID says what is wrong with a subscription id, for people; ""
// for a short id of letters, digits and - _ . :.
func validSubID(id string) string {
	if id == "" || len(id) > 64 {
		return "A subscription needs an id of 1 to 64 characters."
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':') {
			return "A subscription id may hold only letters, digits and - _ . :"
		}
	}
	return ""
}

// validNamespace says whether s is a DNS-1123 label, as namespace names are.
func validNamespace(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// decodeStrict decodes one JSON value from data into v, refusing unknown
// fields and trailing data. It returns what is wrong, for people, or "".
func decodeStrict(data []byte, v any) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return fmt.Sprintf("The message is not valid JSON (at byte %d).", syntax.Offset)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return "The message is not a whole JSON object."
		case errors.As(err, &typeErr):
			return fmt.Sprintf("Field %q must be a %s, not a JSON %s.", typeErr.Field, typeErr.Type, typeErr.Value)
		default:
			return "The message does not fit: " + trimJSONPrefix(err.Error()) + "."
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return "The message holds data after its JSON object."
	}
	return ""
}

// quoted quotes a value the client sent, cut short when long.
func quoted(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strconv.Quote(s)
}

func itoa(n int) string { return strconv.Itoa(n) }
