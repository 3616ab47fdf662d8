package helm

import (
	"fmt"
	"log/slog"
	"sync"
)

// progressSink passes messages to a caller's progress function until the
// call that took it returns: Helm keeps working in the background after a
// cancelled install, and its late log lines must not reach a caller that
// has moved on. It is safe for concurrent use.
type progressSink struct {
	mu     sync.Mutex
	fn     func(string)
	log    *slog.Logger
	closed bool
}

// newProgress wraps fn (which may be nil); log receives every message too.
func newProgress(fn func(string), log *slog.Logger, attrs ...any) *progressSink {
	return &progressSink{fn: fn, log: log.With(attrs...)}
}

// say passes one message on.
func (p *progressSink) say(msg string) {
	p.log.Debug(msg)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.fn == nil {
		return
	}
	p.fn(msg)
}

// logf is Helm's log function (action.Configuration.Log): every line the
// SDK logs becomes a progress message.
func (p *progressSink) logf(format string, args ...any) {
	p.say(fmt.Sprintf(format, args...))
}

// close stops passing messages on; it returns once no message is being
// passed.
func (p *progressSink) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
}
