package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// authorizeTimeout bounds the access review of one subscription.
const authorizeTimeout = 10 * time.Second

// subscribe checks and authorizes a subscribe:resources, then adds it to the
// hub. A refused subscription gets one error message naming it, and nothing
// else.
//
// Authorization is that of a list: the right to list the kind in the
// namespace, or across the cluster for every namespace. A user allowed in
// some namespaces only is refused a subscription to every namespace (and
// told to subscribe per namespace) rather than given a filtered one: the
// filter would have to follow rights that change while the subscription
// lives, with an access review on the hot path of every event.
func (c *wsConn) subscribe(ctx context.Context, m shared.WSMessage) {
	if problem := validSubID(m.ID); problem != "" {
		c.sendError(m.ID, shared.CodeValidation, problem)
		return
	}
	if _, ok := c.subs[m.ID]; ok {
		c.sendError(m.ID, shared.CodeConflict, "A subscription "+quoted(m.ID)+" exists on this connection already; unsubscribe first or use another id.")
		return
	}
	if len(c.subs) >= c.hub.cfg.MaxSubscriptions {
		c.sendError(m.ID, shared.CodeRateLimited, fmt.Sprintf(
			"A connection holds at most %d subscriptions; unsubscribe from one first.", c.hub.cfg.MaxSubscriptions))
		return
	}
	kind, ok := c.hub.kinds(m.Kind)
	if !ok {
		c.sendError(m.ID, shared.CodeValidation, "Unknown kind "+quoted(m.Kind)+".")
		return
	}
	if m.Namespace != "" {
		if !kind.Namespaced() {
			c.sendError(m.ID, shared.CodeValidation, quoted(m.Kind)+" are not namespaced; subscribe without a namespace.")
			return
		}
		if !validNamespace(m.Namespace) {
			c.sendError(m.ID, shared.CodeValidation, "Namespace "+quoted(m.Namespace)+" is not a valid namespace name.")
			return
		}
	}
	actx, cancel := context.WithTimeout(ctx, authorizeTimeout)
	err := c.hub.authorize(actx, c.user, kind, m.Namespace)
	cancel()
	if err != nil {
		c.refuseSubscription(m, err)
		return
	}
	idJSON, _ := json.Marshal(m.ID) // a string always encodes
	sub := &subscription{conn: c, id: m.ID, idJSON: idJSON, key: subKey{kind: kind.Name(), namespace: m.Namespace}}
	c.subs[m.ID] = sub
	c.hub.add(sub)
}

// refuseSubscription tells the client why it may not subscribe.
func (c *wsConn) refuseSubscription(m shared.WSMessage, err error) {
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
	c.sendError(m.ID, ae.code, msg)
}

// unsubscribe ends a subscription and drops what waits for it.
func (c *wsConn) unsubscribe(m shared.WSMessage) {
	sub, ok := c.subs[m.ID]
	if !ok {
		c.sendError(m.ID, shared.CodeNotFound, "There is no subscription "+quoted(m.ID)+" on this connection.")
		return
	}
	delete(c.subs, m.ID)
	c.hub.remove(sub)
	c.q.forget(sub)
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
