package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// opFollower is the following of one operation: the socket's subscription
// and the poll that stands in for it while the socket does not bring the
// operation's states. Pages follow every operation they start with one.
type opFollower struct {
	id     string
	live   atomic.Bool // the socket has the subscription in place
	done   atomic.Bool
	cancel func() // ends the socket's subscription; nil without a socket
}

// opHandlers are what a follower does with what it learns, on the UI
// goroutine: each state of the operation, and its loss when the server no
// longer knows it (it expired, or the server restarted).
type opHandlers struct {
	state func(ctx app.Context, op shared.Operation)
	lost  func(ctx app.Context)
}

// followOp follows operation id over link's socket (subscribe:operation)
// and by polling GET /operations/{id} every pollEvery while the socket is
// not live, until the follower is stopped or stop ends; ui is the page's
// context, on which h runs.
func followOp(link *serverLink, ui app.Context, stop context.Context, id string, pollEvery time.Duration, h opHandlers) *opFollower {
	f := &opFollower{id: id}
	if link.socket != nil {
		f.cancel = link.socket.followOperation(id, wsHandler{
			onMessage: func(m shared.WSMessage) {
				var got shared.Operation
				switch {
				case m.Type == shared.WSOperationProgress && m.Decode(&got) == nil:
					ui.Dispatch(func(ctx app.Context) { h.state(ctx, got) })
				case m.Type == shared.WSError:
					f.live.Store(false) // the server refused: polling tells
				}
			},
			onLive: func(live bool) { f.live.Store(live) },
		})
	}
	// A plain goroutine: it waits for states that only the UI goroutine's
	// work ends, which go-app's ConsumeAll would wait on.
	go f.poll(stop, link.api, ui, pollEvery, h)
	return f
}

// stop ends the following; the handlers are not called again.
func (f *opFollower) stop() {
	f.done.Store(true)
	if f.cancel != nil {
		f.cancel()
	}
}

// poll asks for the operation while the socket is not live, until it is
// done or stop ends.
func (f *opFollower) poll(stop context.Context, api *apiClient, ui app.Context, every time.Duration, h opHandlers) {
	t := time.NewTicker(every)
	defer t.Stop()
	for !f.done.Load() {
		select {
		case <-stop.Done():
			return
		case <-t.C:
		}
		if f.live.Load() || f.done.Load() {
			continue
		}
		rep, err := apiGet[shared.OperationReply](stop, api, "/operations/"+url.PathEscape(f.id), quiet())
		if err != nil {
			var re *replyError
			if errors.As(err, &re) && re.Status == http.StatusNotFound {
				ui.Dispatch(func(ctx app.Context) {
					if !f.done.Load() {
						h.lost(ctx)
					}
				})
				return
			}
			continue
		}
		ui.Dispatch(func(ctx app.Context) {
			if !f.done.Load() {
				h.state(ctx, rep.Operation)
			}
		})
	}
}
