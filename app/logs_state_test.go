package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// lines makes n log lines "prefix 0", "prefix 1", … one second apart from t0.
func lines(prefix string, from, n int) []shared.LogLine {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	out := make([]shared.LogLine, n)
	for i := range out {
		out[i] = shared.LogLine{Time: t0.Add(time.Duration(from+i) * time.Second), Text: fmt.Sprintf("%s %d", prefix, from+i)}
	}
	return out
}

// texts are the rows' texts, marks as "[…]".
func texts(rows []logRow) []string {
	var out []string
	for _, r := range rows {
		if r.kind == rowSkipped {
			out = append(out, "["+r.skippedText()+"]")
			continue
		}
		out = append(out, r.text)
	}
	return out
}

func TestLogBufferCapAndMarks(t *testing.T) {
	b := logBuffer{limit: 5}
	b.add(shared.LogChunk{Lines: lines("l", 0, 3)})
	b.add(shared.LogChunk{Lines: lines("l", 10, 2), Dropped: 7})
	want := []string{"l 0", "l 1", "l 2", "[7 lines skipped (the server could not send them all)]", "l 10", "l 11"}
	// The bound is 5 rows: the oldest goes.
	if diff := cmp.Diff(want[1:], texts(b.rows)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got := b.olderText(); got != "1 older line dropped (the viewer keeps the last 5)" {
		t.Errorf("older mark %q", got)
	}
	b.add(shared.LogChunk{Lines: lines("l", 20, 10)})
	if got, want := texts(b.rows), []string{"l 25", "l 26", "l 27", "l 28", "l 29"}; !cmp.Equal(want, got) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if b.older != 11 || b.index(b.rows[0].seq) != 0 || b.index(b.rows[4].seq) != 4 || b.index(b.rows[0].seq-1) != -1 {
		t.Errorf("older %d, or the index of rows by number is wrong", b.older)
	}
}

func TestLogBufferDefaultBoundHoldsTwentyThousand(t *testing.T) {
	var b logBuffer
	for i := 0; i < 25; i++ {
		b.add(shared.LogChunk{Lines: lines("l", i*1000, 1000)})
	}
	if len(b.rows) != maxLogRows || b.older != 5000 || b.rows[0].text != "l 5000" {
		t.Errorf("%d rows, %d older, first %q; want %d, 5000, l 5000", len(b.rows), b.older, b.rows[0].text, maxLogRows)
	}
	if cap(b.rows) > 2*maxLogRows+1000 {
		t.Errorf("the buffer keeps %d rows of room", cap(b.rows))
	}
}

func TestLogBufferPause(t *testing.T) {
	b := logBuffer{limit: 4}
	b.pause()
	b.add(shared.LogChunk{Lines: lines("l", 0, 3), Dropped: 2})
	if b.waiting() != 3 || len(b.rows) != 0 {
		t.Fatalf("%d waiting, %d shown; want 3 and 0", b.waiting(), len(b.rows))
	}
	b.resume()
	want := []string{"[2 lines skipped (the server could not send them all)]", "l 0", "l 1", "l 2"}
	if diff := cmp.Diff(want, texts(b.rows)); diff != "" {
		t.Errorf("after resume (-want +got):\n%s", diff)
	}
	// What does not fit while paused is counted, and the newest kept.
	b.pause()
	b.add(shared.LogChunk{Lines: lines("l", 3, 6)})
	if b.waiting() != 4 || b.pausedLost != 2 {
		t.Errorf("%d waiting, %d lost; want 4 and 2", b.waiting(), b.pausedLost)
	}
	b.resume()
	if diff := cmp.Diff([]string{"l 5", "l 6", "l 7", "l 8"}, texts(b.rows)); diff != "" {
		t.Errorf("after the second resume (-want +got):\n%s", diff)
	}
}

func TestLogBufferReconnectShowsNoLineTwice(t *testing.T) {
	var b logBuffer
	b.add(shared.LogChunk{Lines: lines("l", 0, 5)})
	same := lines("l", 4, 1)[0]
	same.Text = "l 4 twin" // another line of the same instant
	b.add(shared.LogChunk{Lines: []shared.LogLine{same}})
	b.reconnected()
	b.add(shared.LogChunk{Lines: append(append(lines("l", 2, 3), same), lines("l", 5, 2)...)})
	want := []string{"l 0", "l 1", "l 2", "l 3", "l 4", "l 4 twin", "l 5", "l 6"}
	if diff := cmp.Diff(want, texts(b.rows)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Once a new line came, an old time is a line of its own again.
	b.add(shared.LogChunk{Lines: lines("l", 1, 1)})
	if got := texts(b.rows); got[len(got)-1] != "l 1" {
		t.Errorf("a line after the resume was taken for a repeat: %v", got)
	}
}

func TestLogsStateWindow(t *testing.T) {
	st := newLogsState(logsView{Query: shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web"}})
	seq := st.begin()
	st.chunk(seq, shared.LogChunk{Lines: lines("l", 0, 2000)})
	shown := st.shown()
	if len(shown) > windowRows+windowStep || shown[len(shown)-1].text != "l 1999" {
		t.Fatalf("at the end: %d rows drawn, last %q", len(shown), shown[len(shown)-1].text)
	}
	first := shown[0].seq
	// Appending keeps the rows drawn as they were until a step is passed.
	st.chunk(seq, shared.LogChunk{Lines: lines("l", 2000, 50)})
	if st.shown()[0].seq != first {
		t.Errorf("appending 50 lines moved the first row drawn from %d to %d", first, st.shown()[0].seq)
	}
	st.scrolledUp()
	st.chunk(seq, shared.LogChunk{Lines: lines("l", 2050, 400)})
	if got := st.shown()[0].seq; got != first {
		t.Errorf("scrolled up: the first row drawn moved from %d to %d", first, got)
	}
	if _, after := st.around(); after == 0 {
		t.Errorf("scrolled up: no rows said to be after those drawn")
	}
	st.earlier()
	if before, _ := st.around(); before != 1500-windowRows || st.atEnd {
		t.Errorf("earlier: %d rows before", before)
	}
	st.toEnd()
	if got := st.shown(); got[len(got)-1].text != "l 2449" {
		t.Errorf("to the end: last row %q", got[len(got)-1].text)
	}
}

func TestLogsStateSearch(t *testing.T) {
	st := newLogsState(logsView{Query: shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web"}, Search: "ERROR"})
	seq := st.begin()
	ls := lines("ok", 0, 1500)
	ls[10].Text = "\x1b[31merror\x1b[0m: disk full, error again"
	ls[1400].Text = "an Error here"
	st.chunk(seq, shared.LogChunk{Lines: ls})
	if n := len(st.search.matches); n != 3 {
		t.Fatalf("%d matches, want 3", n)
	}
	// The first match is current: the first of line 10.
	m, _ := st.search.at()
	if got := st.buf.rows[st.buf.index(m.seq)].text; got != "error: disk full, error again" {
		t.Errorf("current match on %q", got)
	}
	ranges, cur := st.lineMatches(m.seq)
	if diff := cmp.Diff([][2]int{{0, 5}, {18, 23}}, ranges); diff != "" || cur != 0 {
		t.Errorf("matches on the line (-want +got):\n%s, current %d", diff, cur)
	}
	st.stepMatch(1)
	if _, cur := st.lineMatches(m.seq); cur != 1 {
		t.Errorf("the next match is not the second of line 10 (current %d)", cur)
	}
	st.stepMatch(1)
	if m, _ := st.search.at(); !st.atEnd || !containsSeq(st.shown(), m.seq) {
		t.Errorf("the match on line 1400 is not drawn at the end")
	}
	st.stepMatch(1) // wraps to line 10, far above what is drawn
	if st.atEnd || !containsSeq(st.shown(), m.seq) {
		t.Errorf("the match on line 10 (row %d) is not drawn", m.seq)
	}
	st.stepMatch(-1)
	st.stepMatch(-1)
	if _, cur := st.lineMatches(m.seq); cur != 1 {
		t.Errorf("going back from line 1400 did not reach the second match of line 10 (current %d)", cur)
	}
	st.setSearch("")
	if len(st.search.matches) != 0 {
		t.Errorf("an empty search matches")
	}
	// Lines that come are searched as they come; dropped ones are forgotten.
	st.setSearch("ok 14")
	before := len(st.search.matches)
	st.chunk(seq, shared.LogChunk{Lines: lines("ok", 14000, 1)})
	if len(st.search.matches) != before+1 {
		t.Errorf("a new matching line was not searched")
	}
}

func containsSeq(rows []logRow, seq int) bool {
	for _, r := range rows {
		if r.seq == seq {
			return true
		}
	}
	return false
}

func TestPieces(t *testing.T) {
	red := ansiStyle{fg: 1, bg: -1}
	spans := []logSpan{{"héllo ", plainStyle}, {"red world", red}}
	got := pieces(spans, [][2]int{{4, 11}}, 0)
	want := []logPiece{
		{text: "hél"}, {text: "lo ", match: true, current: true},
		{text: "red ", class: "kd-ansi-fg1", match: true, current: true}, {text: "world", class: "kd-ansi-fg1"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(logPiece{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A match that starts inside a character starts at the character after.
	if got := pieces([]logSpan{{"éa", plainStyle}}, [][2]int{{1, 3}}, -1); visible(got) != "éa" {
		t.Errorf("pieces lost text: %q", visible(got))
	}
}

func visible(ps []logPiece) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.text)
	}
	return b.String()
}

func TestMatchesIn(t *testing.T) {
	tests := []struct {
		text, term string
		want       [][2]int
	}{
		{"aaaa", "aa", [][2]int{{0, 2}, {2, 4}}},
		{"Hello HELLO", "hello", [][2]int{{0, 5}, {6, 11}}},
		{"x", "", nil},
		{"İstanbul istanbul", "istanbul", [][2]int{{10, 18}}}, // lower-casing İ moves bytes: case-sensitive then
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, matchesIn(tc.text, tc.term)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogsStateFollowEnd(t *testing.T) {
	st := newLogsState(logsView{Query: shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web"}, Follow: true})
	seq := st.begin()
	if !st.following || st.status != statusLoading {
		t.Fatalf("a follow begins following and loading")
	}
	st.connected(seq, true)
	st.chunk(seq, shared.LogChunk{Containers: []shared.LogContainer{{Name: "app", Restarts: 2}, {Name: "init", Type: "init"}}})
	if !st.empty() || st.restarts() != 2 {
		t.Errorf("empty %v, restarts %d", st.empty(), st.restarts())
	}
	if st.end(seq, shared.LogEnd{Reason: shared.LogEndIdle}) {
		t.Errorf("an idle follow is started again by itself")
	}
	st2 := newLogsState(st.view)
	seq2 := st2.begin()
	if !st2.end(seq2, shared.LogEnd{Reason: shared.LogEndShutdown}) || st2.ended == nil || st2.following {
		t.Errorf("a follow the server shut down is not started again")
	}
	if st.end(seq-1, shared.LogEnd{}) || st.ended.Reason != shared.LogEndIdle {
		t.Errorf("an older follow's end was taken")
	}
}
