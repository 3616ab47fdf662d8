package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// execWriteTimeout bounds one write to the browser; a browser that reads
// slower than that ends its session.
const execWriteTimeout = 10 * time.Second

// execEnding is how a session ended.
type execEnding struct {
	reason   shared.ExecEnd
	message  string
	exitCode *int
}

// execSession is one shell: the browser's socket on one side, the API
// server's exec stream (kube.Client.Exec) on the other. run's loop ends it
// on the first of: the command exits, the browser leaves, the idle or
// total limit, a revoked right, shutdown.
type execSession struct {
	s      *Server
	cfg    ExecConfig
	ws     *websocket.Conn
	user   kube.User
	target kube.ExecTarget
	log    *slog.Logger

	lastActive atomic.Int64 // Unix nanoseconds of the last input or output
	sizes      *kube.SizeQueue
}

func (s *Server) newExecSession(ws *websocket.Conn, u kube.User, t kube.ExecTarget) *execSession {
	return &execSession{s: s, cfg: s.cfg.Exec, ws: ws, user: u, target: t, sizes: kube.NewSizeQueue(),
		log: s.log.With("user", u.Name, "pod", t.Namespace+"/"+t.Pod, "container", t.Container)}
}

func (e *execSession) touch() { e.lastActive.Store(time.Now().UnixNano()) }

// run serves the session until it ends, and says how it did.
func (e *execSession) run() execEnding {
	e.touch()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdinR, stdinW := io.Pipe()
	e.send(ctx, shared.ExecEvent{Type: shared.ExecEventStarted, Container: e.target.Container, Command: e.target.Command})

	type result struct {
		code int
		err  error
	}
	execDone := make(chan result, 1)
	go func() {
		code, err := e.s.deps.Kube.Exec(ctx, e.user, e.target, kube.ExecStreams{Stdin: stdinR, Stdout: e, Sizes: e.sizes})
		execDone <- result{code, err}
	}()
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		// Not ctx: coder/websocket closes a connection whose read is
		// cancelled, and the end must still be told. Close ends the read.
		e.readLoop(context.Background(), stdinW)
	}()

	var end execEnding
	select {
	case r := <-execDone:
		end = exitEnding(r.code, r.err, e.log)
		execDone <- r // for the wait below
	case <-readDone:
		end = execEnding{reason: shared.ExecEndClosed}
	case end = <-e.watch(ctx):
	}

	// Stop the command's stream, then tell the browser and close.
	cancel()
	_ = stdinW.Close()
	e.sizes.Close()
	<-execDone
	if end.message == "" {
		code := 0
		if end.exitCode != nil {
			code = *end.exitCode
		}
		end.message = execEndMessage(end.reason, e.cfg, code)
	}
	e.send(context.Background(), shared.ExecEvent{Type: shared.ExecEventEnded, Reason: end.reason, ExitCode: end.exitCode, Message: end.message})
	_ = e.ws.Close(execCloseCode(end.reason), string(end.reason))
	<-readDone
	_ = e.ws.CloseNow()
	return end
}

// watch sends, once, why the session must end for a reason other than its
// two streams: the idle or total limit, a revoked right, shutdown. It
// stops when ctx ends.
func (e *execSession) watch(ctx context.Context) <-chan execEnding {
	out := make(chan execEnding, 1)
	go func() {
		life := time.NewTimer(e.cfg.MaxLifetime)
		defer life.Stop()
		reauth := time.NewTicker(e.cfg.ReauthInterval)
		defer reauth.Stop()
		idle := time.NewTicker(min(max(e.cfg.IdleTimeout/10, 50*time.Millisecond), 5*time.Second))
		defer idle.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-e.s.execs.stopping:
				out <- execEnding{reason: shared.ExecEndShutdown}
				return
			case <-life.C:
				out <- execEnding{reason: shared.ExecEndLifetime}
				return
			case <-idle.C:
				if time.Since(time.Unix(0, e.lastActive.Load())) >= e.cfg.IdleTimeout {
					out <- execEnding{reason: shared.ExecEndIdle}
					return
				}
			case <-reauth.C:
				ok, reason, err := e.s.selfAccess.Allows(ctx, e.user, e.target.Namespace, shared.ActionExecPods)
				if err != nil {
					// The API server may be briefly away; the next review decides.
					e.log.Debug("exec right not reviewed", "err", err)
					continue
				}
				if !ok {
					out <- execEnding{reason: shared.ExecEndRevoked, message: reason + " The session was ended."}
					return
				}
			}
		}
	}()
	return out
}

// exitEnding is how a session whose command stream ended did: the
// command's exit code, or the stream's failure.
func exitEnding(code int, err error, log *slog.Logger) execEnding {
	if err == nil {
		return execEnding{reason: shared.ExecEndExited, exitCode: &code}
	}
	log.Debug("exec stream failed", "err", err)
	msg := "The connection to the container failed."
	if pub, ok := kube.Public(err); ok {
		msg = pub.Message
	}
	return execEnding{reason: shared.ExecEndError, message: msg}
}

// execCloseCode is the close code of a session that ended for reason.
func execCloseCode(reason shared.ExecEnd) websocket.StatusCode {
	switch reason {
	case shared.ExecEndExited, shared.ExecEndClosed:
		return websocket.StatusNormalClosure
	case shared.ExecEndShutdown:
		return websocket.StatusGoingAway
	case shared.ExecEndError:
		return websocket.StatusInternalError
	}
	return websocket.StatusPolicyViolation
}

// readLoop passes the browser's keystrokes (binary frames) to the command
// and its resizes (text frames, shared.ExecInput) to the terminal, until
// the socket ends.
func (e *execSession) readLoop(ctx context.Context, stdin *io.PipeWriter) {
	for {
		typ, data, err := e.ws.Read(ctx)
		if err != nil {
			return
		}
		if typ == websocket.MessageBinary {
			e.touch()
			if _, err := stdin.Write(data); err != nil {
				return
			}
			continue
		}
		var in shared.ExecInput
		if json.Unmarshal(data, &in) != nil || in.Type != shared.ExecInputResize || in.Cols == 0 || in.Rows == 0 {
			continue // not ours to act on; a terminal never sends it
		}
		e.sizes.Push(in.Cols, in.Rows)
	}
}

// Write sends the command's output to the browser as one binary frame.
func (e *execSession) Write(p []byte) (int, error) {
	e.touch()
	ctx, cancel := context.WithTimeout(context.Background(), execWriteTimeout)
	defer cancel()
	if err := e.ws.Write(ctx, websocket.MessageBinary, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// send writes one JSON event; a failure ends nothing by itself (the
// reader sees the socket end).
func (e *execSession) send(ctx context.Context, ev shared.ExecEvent) {
	raw, _ := json.Marshal(ev) // plain data always encodes
	wctx, cancel := context.WithTimeout(ctx, execWriteTimeout)
	defer cancel()
	if err := e.ws.Write(wctx, websocket.MessageText, raw); err != nil && !errors.Is(err, context.Canceled) {
		e.log.Debug("exec event not sent", "type", ev.Type, "err", err)
	}
}
