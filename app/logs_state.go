package main

import (
	"hash/fnv"
	"maps"
	"slices"

	"github.com/kubedeck/kubedeck/shared"
)

// logsState is what the log viewer knows: the view, where the read or the
// follow stands, the rows, the search, and which rows are drawn. The
// viewer's component calls its methods for every change, so it is tested
// without a browser.
type logsState struct {
	view logsView
	// seq numbers the reads and follows: what an older one says is dropped.
	seq int

	status     loadStatus
	err        string // why the read or follow failed, as the server said
	containers []shared.LogContainer
	pods       []string
	failed     map[string]string // per pod, why its logs could not be read
	truncated  bool

	following bool           // a follow is subscribed
	live      bool           // the follow's socket is up and subscribed
	ended     *shared.LogEnd // why the follow ended, once it has

	buf    logBuffer
	search logSearch

	// The rows drawn: the last ones while atEnd (the page scrolls to the
	// end as lines come), else from the row numbered anchor.
	atEnd  bool
	anchor int
}

// The rows drawn at once: at most windowRows plus windowStep, the start
// moving by windowStep, so that appended lines leave the rows drawn as
// they were (go-app then changes nothing but the new ones).
const (
	windowRows = 500
	windowStep = 100
)

// newLogsState starts with view, nothing read yet.
func newLogsState(v logsView) *logsState {
	return &logsState{view: v, atEnd: true}
}

// begin starts a read or follow of the view's logs from scratch and
// returns its number.
func (s *logsState) begin() int {
	s.seq++
	s.status, s.err, s.ended, s.truncated = statusLoading, "", nil, false
	s.failed, s.pods = nil, nil
	s.following, s.live = s.view.Follow, false
	s.buf.reset()
	s.search.set(s.view.Search, nil, 0)
	s.atEnd = true
	return s.seq
}

// chunk takes lines of read or follow seq.
func (s *logsState) chunk(seq int, c shared.LogChunk) {
	if seq != s.seq {
		return
	}
	s.status = statusLoaded
	if len(c.Containers) > 0 {
		s.containers = c.Containers
	}
	if len(c.Pods) > 0 {
		s.pods = c.Pods
	}
	if len(c.Failed) > 0 {
		if s.failed == nil {
			s.failed = map[string]string{}
		}
		maps.Copy(s.failed, c.Failed)
	}
	s.truncated = s.truncated || c.Truncated
	s.buf.add(c)
	s.searched()
}

// searched brings the search's matches in line with the rows held.
func (s *logsState) searched() {
	if len(s.buf.rows) > 0 {
		s.search.forget(s.buf.rows[0].seq)
	}
	s.search.extend(s.buf.rows)
}

// fail records why read or follow seq failed.
func (s *logsState) fail(seq int, msg string) {
	if seq != s.seq {
		return
	}
	s.status, s.err, s.following, s.live = statusFailed, msg, false, false
}

// end records why follow seq ended. It says whether the viewer should
// follow again by itself (the server shut down or lost the API server).
func (s *logsState) end(seq int, e shared.LogEnd) (again bool) {
	if seq != s.seq {
		return false
	}
	s.following, s.live = false, false
	if s.status == statusLoading {
		s.status = statusLoaded
	}
	s.ended = &e
	return e.Reason == shared.LogEndShutdown || e.Reason == shared.LogEndUnavailable
}

// connected follows the socket of follow seq going up or down; once it is
// back, the server sends the log again from its tail, and what is held is
// not shown twice.
func (s *logsState) connected(seq int, live bool) {
	if seq != s.seq || !s.following {
		return
	}
	if live && !s.live && s.buf.nextSeq > 0 {
		s.buf.reconnected()
	}
	s.live = live
}

// empty says the read or follow answered with no line.
func (s *logsState) empty() bool {
	return s.status == statusLoaded && len(s.buf.rows) == 0 && s.buf.older == 0 && s.buf.waiting() == 0
}

// shown is the rows drawn.
func (s *logsState) shown() []logRow {
	rows := s.buf.rows
	if len(rows) == 0 {
		return nil
	}
	first, next := rows[0].seq, s.buf.nextSeq
	start := max(s.anchor, first)
	if s.atEnd {
		start = max((next-windowRows)/windowStep*windowStep, first)
	}
	i := s.buf.index(start)
	if i < 0 {
		i = 0
	}
	end := min(i+windowRows+windowStep, len(rows))
	return rows[i:end]
}

// before counts the rows held above those drawn, after those below.
func (s *logsState) around() (before, after int) {
	shown := s.shown()
	if len(shown) == 0 {
		return 0, 0
	}
	before = s.buf.index(shown[0].seq)
	after = len(s.buf.rows) - before - len(shown)
	return before, after
}

// scrolledUp stops following the end: the rows drawn stay where they are.
func (s *logsState) scrolledUp() {
	if !s.atEnd {
		return
	}
	if shown := s.shown(); len(shown) > 0 {
		s.anchor = shown[0].seq
	}
	s.atEnd = false
}

// toEnd draws the last rows again, and the page follows the end.
func (s *logsState) toEnd() { s.atEnd = true }

// earlier draws the rows before those drawn.
func (s *logsState) earlier() {
	shown := s.shown()
	if len(shown) == 0 {
		return
	}
	s.atEnd = false
	s.anchor = max(shown[0].seq-windowRows, s.buf.rows[0].seq)
}

// later draws the rows after those drawn, or the end.
func (s *logsState) later() {
	shown := s.shown()
	if len(shown) == 0 {
		return
	}
	s.anchor = shown[len(shown)-1].seq + 1 - windowStep
	if s.buf.nextSeq-s.anchor <= windowRows+windowStep {
		s.atEnd = true
	}
}

// reveal draws the rows around row seq (a search's match).
func (s *logsState) reveal(seq int) {
	for _, r := range s.shown() {
		if r.seq == seq {
			return
		}
	}
	s.atEnd = false
	s.anchor = max(seq-windowRows/2, s.buf.rows[0].seq)
	if s.buf.nextSeq-s.anchor <= windowRows+windowStep {
		s.atEnd = true
	}
}

// setSearch changes the search term; the current match is the first in
// view or after it.
func (s *logsState) setSearch(term string) {
	s.view.Search = term
	from := 0
	if shown := s.shown(); len(shown) > 0 {
		from = shown[0].seq
	}
	s.search.set(term, s.buf.rows, from)
	if m, ok := s.search.at(); ok {
		s.reveal(m.seq)
	}
}

// stepMatch goes to the next match (dir +1) or the one before (-1).
func (s *logsState) stepMatch(dir int) {
	if m, ok := s.search.step(dir); ok {
		s.reveal(m.seq)
	}
}

// lineMatches are the ranges of the search's matches on row seq, and the
// index among them of the current match (-1: not on this row).
func (s *logsState) lineMatches(seq int) ([][2]int, int) {
	ms := s.search.matches
	i, _ := slices.BinarySearchFunc(ms, seq, func(m logMatch, seq int) int { return m.seq - seq })
	var out [][2]int
	cur := -1
	for ; i < len(ms) && ms[i].seq == seq; i++ {
		if i == s.search.current {
			cur = len(out)
		}
		out = append(out, [2]int{ms[i].start, ms[i].end})
	}
	return out, cur
}

// pause holds the lines that come; resume shows them.
func (s *logsState) pause() { s.buf.pause() }

func (s *logsState) resume() {
	s.buf.resume()
	s.searched()
}

// restarts is how often the container read restarted (previous logs exist
// after one).
func (s *logsState) restarts() int {
	for _, c := range s.containers {
		if c.Name == s.view.Query.Container || s.view.Query.Container == "" && c.Type == "" {
			return c.Restarts
		}
	}
	return 0
}

// podColour is a short, stable colour (0–7) for a pod's label.
func podColour(pod string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(pod))
	return int(h.Sum32() % 8)
}
