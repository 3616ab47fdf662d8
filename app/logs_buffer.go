package main

import (
	"strconv"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// The lines the log viewer holds: at most a bound of them, the oldest
// dropped first; marks where the server skipped lines; while paused, the
// lines that came wait apart, bounded too; after a reconnection, the lines
// the server sends again are not shown twice.

// maxLogRows is how many lines the viewer keeps in memory.
const maxLogRows = 20000

// logRowKind tells a line of the log from a mark the viewer inserts.
type logRowKind int

const (
	rowLine    logRowKind = iota
	rowSkipped            // the server left lines out
)

// logRow is one row of the viewer: a line, parsed once, or a mark.
type logRow struct {
	seq   int // the row's number since the viewer started; never reused
	kind  logRowKind
	line  shared.LogLine
	spans []logSpan
	text  string // the visible text, for search and download
	count int    // rowSkipped: how many
}

// skippedText is what a rowSkipped row says.
func (r logRow) skippedText() string {
	return plural(r.count, "line", "lines") + " skipped (the server could not send them all)"
}

// logBuffer holds the rows. The zero value is empty, with maxLogRows as
// its bound.
type logBuffer struct {
	limit   int
	rows    []logRow
	nextSeq int
	// older counts the rows dropped from the front to stay within limit.
	older int
	// paused holds what came while paused; pausedLost counts what did
	// not fit.
	paused     bool
	pending    []shared.LogLine
	pendingGap int
	pausedLost int
	// resuming is set after a reconnection: lines at or before the last
	// one held are the server's repeat of them, and are skipped.
	resuming bool
}

func (b *logBuffer) max() int {
	if b.limit <= 0 {
		return maxLogRows
	}
	return b.limit
}

// reset empties the buffer (a new query).
func (b *logBuffer) reset() {
	limit, seq := b.limit, b.nextSeq
	*b = logBuffer{limit: limit, nextSeq: seq}
}

// add takes a chunk: its skipped lines as a mark, then its lines. While
// paused they wait.
func (b *logBuffer) add(c shared.LogChunk) {
	if b.paused {
		b.pendingGap += c.Dropped
		b.pending = append(b.pending, c.Lines...)
		if over := len(b.pending) - b.max(); over > 0 {
			b.pending = b.pending[over:]
			b.pausedLost += over
		}
		return
	}
	if c.Dropped > 0 {
		b.push(logRow{kind: rowSkipped, count: c.Dropped})
	}
	for _, l := range c.Lines {
		if b.resuming && b.repeated(l) {
			continue
		}
		b.resuming = false
		spans := parseANSI(l.Text)
		b.push(logRow{kind: rowLine, line: l, spans: spans, text: visibleText(spans)})
	}
	b.trim()
}

// repeated says whether l, sent after a reconnection, is one already held:
// older than the last line held, or as old and the same as one of that
// time.
func (b *logBuffer) repeated(l shared.LogLine) bool {
	last, ok := b.lastTime()
	if !ok {
		return false
	}
	if l.Time.Before(last) {
		return true
	}
	if !l.Time.Equal(last) {
		return false
	}
	for i := len(b.rows) - 1; i >= 0 && (b.rows[i].kind != rowLine || b.rows[i].line.Time.Equal(last)); i-- {
		if r := b.rows[i]; r.kind == rowLine && r.line == l {
			return true
		}
	}
	return false
}

// lastTime is the time of the last line held.
func (b *logBuffer) lastTime() (time.Time, bool) {
	for i := len(b.rows) - 1; i >= 0; i-- {
		if b.rows[i].kind == rowLine {
			return b.rows[i].line.Time, true
		}
	}
	return time.Time{}, false
}

// reconnected says the server is about to send the log again from its
// tail: what is already held is not shown twice.
func (b *logBuffer) reconnected() { b.resuming = true }

func (b *logBuffer) push(r logRow) {
	r.seq = b.nextSeq
	b.nextSeq++
	b.rows = append(b.rows, r)
}

// trim drops the oldest rows beyond the bound. The slice is copied when
// the dropped part grows large, so the memory is given back.
func (b *logBuffer) trim() {
	over := len(b.rows) - b.max()
	if over <= 0 {
		return
	}
	b.older += over
	b.rows = b.rows[over:]
	if cap(b.rows) > 2*b.max() {
		b.rows = append([]logRow(nil), b.rows...)
	}
}

// pause holds the lines that come until resume.
func (b *logBuffer) pause() { b.paused = true }

// resume shows what came while paused, after a mark for what did not fit.
func (b *logBuffer) resume() {
	if !b.paused {
		return
	}
	b.paused = false
	lines, gap := b.pending, b.pendingGap+b.pausedLost
	b.pending, b.pendingGap, b.pausedLost = nil, 0, 0
	b.add(shared.LogChunk{Lines: lines, Dropped: gap})
}

// waiting is how many lines wait while paused.
func (b *logBuffer) waiting() int { return len(b.pending) }

// lines counts the lines held (marks left out).
func (b *logBuffer) lines() int {
	n := 0
	for _, r := range b.rows {
		if r.kind == rowLine {
			n++
		}
	}
	return n
}

// olderText is the mark above the first row when older ones were dropped.
func (b *logBuffer) olderText() string {
	if b.older == 0 {
		return ""
	}
	return plural(b.older, "older line", "older lines") + " dropped (the viewer keeps the last " + strconv.Itoa(b.max()) + ")"
}

// index is the position in rows of the row numbered seq, or -1.
func (b *logBuffer) index(seq int) int {
	if len(b.rows) == 0 {
		return -1
	}
	i := seq - b.rows[0].seq
	if i < 0 || i >= len(b.rows) || b.rows[i].seq != seq {
		return -1
	}
	return i
}
