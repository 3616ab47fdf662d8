package main

import (
	"errors"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// How the log viewer reads: one GET of the logs, or a follow over the
// tab's WebSocket (subscribe:logs), whose lines come as logs:lines and
// whose end as logs:end. A follow the server ended for a passing reason
// (it shut down, the API server stopped answering) is started again after
// a backoff; the socket itself reconnects and sends the subscription again
// when it was lost, and the lines already shown are not shown twice.

// load reads or follows the view's logs from scratch.
func (v *logViewer) load() {
	if !v.running {
		return
	}
	v.stopLoad()
	st := v.st
	seq := st.begin()
	v.attempt = 0
	if st.view.Follow && v.Link.socket != nil {
		v.follow(seq)
		return
	}
	st.following = false
	api, stop, ui, path := v.Link.api, v.stopCtx, v.ui, st.view.readPath()
	ui.Async(func() {
		c, err := apiGet[shared.LogChunk](stop, api, path, quiet())
		ui.Dispatch(func(ctx app.Context) {
			if err != nil {
				st.fail(seq, failure(err))
				return
			}
			st.chunk(seq, c)
			v.scrollToEnd(ctx)
		})
	})
}

// failure is what the viewer says of a failed read: the server's message
// (a 403 names the right that is missing), with the fields of a 400.
func failure(err error) string {
	var re *replyError
	if !errors.As(err, &re) {
		return err.Error()
	}
	msg := re.API.Message
	for _, field := range slices.Sorted(maps.Keys(re.API.Details)) {
		if s, ok := re.API.Details[field].(string); ok {
			msg += " " + field + ": " + s
		}
	}
	return msg
}

// follow subscribes to the view's logs for follow seq.
func (v *logViewer) follow(seq int) {
	ui := v.ui
	v.unfollow = v.Link.socket.followLogs(v.st.view.Query, wsHandler{
		onMessage: func(m shared.WSMessage) {
			ui.Dispatch(func(ctx app.Context) { v.onSocket(ctx, seq, m) })
		},
		onLive: func(live bool) {
			ui.Dispatch(func(ctx app.Context) { v.st.connected(seq, live) })
		},
	})
}

// onSocket takes one message of follow seq.
func (v *logViewer) onSocket(ctx app.Context, seq int, m shared.WSMessage) {
	st := v.st
	switch m.Type {
	case shared.WSLogLines:
		var c shared.LogChunk
		if m.Decode(&c) != nil {
			return
		}
		v.attempt = 0
		st.chunk(seq, c)
		v.scrollToEnd(ctx)
	case shared.WSLogEnd:
		var e shared.LogEnd
		if m.Decode(&e) != nil {
			e = shared.LogEnd{Reason: shared.LogEndUnavailable, Message: "The follow ended."}
		}
		v.unfollow = nil
		if st.end(seq, e) {
			wait := backoff(v.attempt, reconnectBase, reconnectCap, rand.Float64)
			v.attempt++
			ctx.After(wait, func(ctx app.Context) { v.followAgain(seq) })
		}
	case shared.WSError:
		v.unfollow = nil
		msg := "The server refused to follow these logs."
		if m.Error != nil {
			msg = m.Error.Message
		}
		st.fail(seq, msg)
	}
}

// followAgain follows again after follow seq ended, keeping the lines
// shown (those the server sends again are not shown twice).
func (v *logViewer) followAgain(seq int) {
	st := v.st
	if !v.running || seq != st.seq || st.following || v.Link.socket == nil {
		return
	}
	st.following, st.ended = true, nil
	st.buf.reconnected()
	v.follow(seq)
}

// stopLoad ends the follow, if any. (A read in flight is dropped by its
// sequence number.)
func (v *logViewer) stopLoad() {
	if v.unfollow != nil {
		v.unfollow()
		v.unfollow = nil
	}
}

// scrollToEnd keeps the last line in sight while the viewer follows the
// end.
func (v *logViewer) scrollToEnd(ctx app.Context) {
	if !app.IsClient || !v.st.atEnd {
		return
	}
	ctx.Defer(func(app.Context) {
		if p := app.Window().GetElementByID("kd-logs-pane"); p.Truthy() {
			p.Set("scrollTop", p.Get("scrollHeight"))
		}
	})
}
