package server

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// followOperation serves a subscribe:operation: the operation's current
// state at once, then each change, as operation:progress under the
// operation's id, until it is done, the client unsubscribes or the
// connection ends. Only the operation's owner may follow it; for anyone
// else the id does not exist (RESOURCE_NOT_FOUND), so ids leak nothing.
// A client that reconnects subscribes again and gets the current state
// first, like one that arrives late.
func (c *wsConn) followOperation(ctx context.Context, m shared.WSMessage) {
	if len(m.Data) != 0 {
		c.sendError(m.ID, shared.CodeValidation, "A subscription to an operation takes only its id.")
		return
	}
	if !c.roomFor(m.ID) {
		return
	}
	if c.hub.ops == nil {
		c.sendError(m.ID, shared.CodeUnavailable, "Operations cannot be followed on this server.")
		return
	}
	fctx, stop := context.WithCancel(ctx)
	first, updates, err := c.hub.ops.Watch(fctx, m.ID, c.user.Name)
	if err != nil {
		stop()
		if errors.Is(err, operations.ErrNotFound) {
			c.sendError(m.ID, shared.CodeNotFound, "There is no operation "+quoted(m.ID)+" of yours; it may have finished a while ago.")
			return
		}
		if errors.Is(err, operations.ErrUnavailable) {
			c.sendError(m.ID, shared.CodeUnavailable, "The operation cannot be read now: the store the server's replicas share does not answer. Subscribe again shortly.")
			return
		}
		c.log.Error("follow operation", "operation", m.ID, "err", err)
		c.sendError(m.ID, shared.CodeInternal, "The operation could not be followed.")
		return
	}
	sub := c.holdFollow(m.ID, stop)
	c.pushOperation(sub, first)
	if first.Done() {
		c.endFollow(sub)
		return
	}
	c.following.Go(func() {
		defer c.endFollow(sub)
		for op := range updates {
			c.pushOperation(sub, op)
		}
	})
}

// holdFollow adds the subscription id, which stop ends, to the
// connection: a follow (of an operation or of logs) outside the hub.
func (c *wsConn) holdFollow(id string, stop context.CancelFunc) *subscription {
	idJSON, _ := json.Marshal(id) // a string always encodes
	sub := &subscription{conn: c, id: id, idJSON: idJSON, stop: stop}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subs[id] = sub
	return sub
}

// pushOperation queues op's state on sub, replacing a state still waiting,
// unless sub has ended: a state the registry sent before it saw the
// unsubscribe must not follow it.
func (c *wsConn) pushOperation(sub *subscription, op shared.Operation) {
	if b := encodeBody(op); b != nil {
		c.pushOnSub(sub, shared.WSOperationProgress, b)
	}
}

// endFollow ends the subscription sub to an operation that is done, or
// whose watch ended, so that its id may be used again; what it queued is
// still sent.
func (c *wsConn) endFollow(sub *subscription) {
	sub.stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs[sub.id] == sub {
		delete(c.subs, sub.id)
	}
}
