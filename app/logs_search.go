package main

import (
	"strings"
	"unicode/utf8"
)

// Search in the log viewer: every match in the rows held, case-insensitive,
// one of them current (Enter goes to the next, Shift+Enter to the one
// before), and the pieces a line is drawn in, matches marked.

// logMatch is one match: the row and the byte range of its visible text.
type logMatch struct {
	seq        int
	start, end int
}

// logSearch is the search and its matches, in row order.
type logSearch struct {
	term    string
	matches []logMatch
	current int // index in matches; meaningless when there are none
}

// matchesIn finds term in text, case-insensitively, as byte ranges of text.
func matchesIn(text, term string) [][2]int {
	if term == "" || text == "" {
		return nil
	}
	hay, needle := text, term
	if lower := strings.ToLower(text); len(lower) == len(text) {
		// Lower-casing kept every byte where it was: offsets carry over.
		hay, needle = lower, strings.ToLower(term)
	}
	var out [][2]int
	for from := 0; from <= len(hay)-len(needle); {
		i := strings.Index(hay[from:], needle)
		if i < 0 {
			break
		}
		start := from + i
		out = append(out, [2]int{start, start + len(needle)})
		from = start + max(len(needle), 1)
	}
	return out
}

// set changes the term and finds its matches in rows; the current match
// becomes the first at or after seq from (the rows in view), else the last.
func (s *logSearch) set(term string, rows []logRow, from int) {
	s.term = term
	s.matches = s.matches[:0]
	s.extend(rows)
	s.current = len(s.matches) - 1
	for i, m := range s.matches {
		if m.seq >= from {
			s.current = i
			break
		}
	}
	s.current = max(s.current, 0)
}

// extend adds the matches of new rows (appended after the last searched).
func (s *logSearch) extend(rows []logRow) {
	if s.term == "" {
		return
	}
	last := -1
	if n := len(s.matches); n > 0 {
		last = s.matches[n-1].seq
	}
	for _, r := range rows {
		if r.kind != rowLine || r.seq <= last {
			continue
		}
		for _, m := range matchesIn(r.text, s.term) {
			s.matches = append(s.matches, logMatch{seq: r.seq, start: m[0], end: m[1]})
		}
	}
}

// forget drops the matches of rows before seq first (dropped rows).
func (s *logSearch) forget(first int) {
	i := 0
	for i < len(s.matches) && s.matches[i].seq < first {
		i++
	}
	if i == 0 {
		return
	}
	s.matches = append(s.matches[:0], s.matches[i:]...)
	s.current = max(s.current-i, 0)
}

// step moves the current match forward (+1) or back (-1), wrapping, and
// returns it; false when there is none.
func (s *logSearch) step(dir int) (logMatch, bool) {
	n := len(s.matches)
	if n == 0 {
		return logMatch{}, false
	}
	s.current = ((s.current+dir)%n + n) % n
	return s.matches[s.current], true
}

// at is the current match; false when there is none.
func (s *logSearch) at() (logMatch, bool) {
	if s.current < 0 || s.current >= len(s.matches) {
		return logMatch{}, false
	}
	return s.matches[s.current], true
}

// logPiece is a run of a line's text drawn in one way: a style, and
// whether it is part of a match (the current one or another).
type logPiece struct {
	text    string
	class   string
	match   bool
	current bool
}

// pieces cuts a line's spans where matches start and end. ranges are byte
// ranges of the spans' text, in order; cur is the index in ranges of the
// current match (-1: none on this line).
func pieces(spans []logSpan, ranges [][2]int, cur int) []logPiece {
	var out []logPiece
	pos, k := 0, 0
	for _, sp := range spans {
		cls := sp.style.class()
		text := sp.text
		for text != "" {
			for k < len(ranges) && ranges[k][1] <= pos {
				k++
			}
			n, match := len(text), false
			switch {
			case k >= len(ranges):
			case ranges[k][0] > pos:
				n = min(n, ranges[k][0]-pos)
			default:
				n, match = min(n, ranges[k][1]-pos), true
			}
			n = runeCut(text, n)
			out = append(out, logPiece{text: text[:n], class: cls, match: match, current: match && k == cur})
			text, pos = text[n:], pos+n
		}
	}
	return out
}

// runeCut moves a cut at n of s forward to the next rune's start, so that
// a piece never splits a character; at least one byte is cut.
func runeCut(s string, n int) int {
	for n < len(s) && !utf8.RuneStart(s[n]) {
		n++
	}
	return max(n, 1)
}
