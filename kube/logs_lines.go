package kube

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kubedeck/kubedeck/shared"
)

// lineReader splits a log stream read with timestamps into lines: each
// "<RFC3339Nano> <text>", the text made valid UTF-8 and cut to
// shared.MaxLogLineBytes. It never holds more than one line's bound in
// memory, however long the line.
type lineReader struct {
	r *bufio.Reader
	// read counts the bytes taken from the stream.
	read int
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, shared.MaxLogLineBytes+64)}
}

// next returns the next line; io.EOF at the end (a last line without a
// newline is returned first).
func (lr *lineReader) next() (shared.LogLine, error) {
	raw, err := lr.r.ReadSlice('\n')
	lr.read += len(raw)
	if errors.Is(err, bufio.ErrBufferFull) {
		t, text := splitStamp(string(raw))
		rest, err := lr.skipLine()
		total := len(text) + rest
		if rest > 0 && err == nil {
			total-- // the newline
		}
		kept := cutText(text, shared.MaxLogLineBytes)
		line := shared.LogLine{Time: t, Text: kept + fmt.Sprintf(" … [%d bytes cut]", max(total-len(kept), 0))}
		if err != nil && !errors.Is(err, io.EOF) {
			return line, err
		}
		return line, nil
	}
	if len(raw) == 0 && err != nil {
		return shared.LogLine{}, err
	}
	text := strings.TrimSuffix(string(raw), "\n")
	if err != nil && !errors.Is(err, io.EOF) {
		return shared.LogLine{}, err
	}
	return parseLogLine(text), nil
}

// skipLine discards the rest of a line too long to keep and reports how
// many bytes it had.
func (lr *lineReader) skipLine() (int, error) {
	n := 0
	for {
		raw, err := lr.r.ReadSlice('\n')
		n += len(raw)
		lr.read += len(raw)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return n, err
		}
	}
}

// parseLogLine splits a line read with timestamps; a line without one (the
// API server's own message, say) keeps its whole text and a zero time.
func parseLogLine(s string) shared.LogLine {
	t, text := splitStamp(strings.TrimSuffix(s, "\r"))
	return shared.LogLine{Time: t, Text: cutText(text, shared.MaxLogLineBytes)}
}

// splitStamp splits "<RFC3339Nano> <text>"; without a stamp, the whole of s
// is the text.
func splitStamp(s string) (time.Time, string) {
	if i := strings.IndexByte(s, ' '); i > 0 && i <= len(time.RFC3339Nano)+6 {
		if t, err := time.Parse(time.RFC3339Nano, s[:i]); err == nil {
			return t, s[i+1:]
		}
	}
	return time.Time{}, s
}

// cutText makes s valid UTF-8 (invalid bytes become U+FFFD) and, when limit
// is above zero, at most limit bytes, cut at a character's start.
func cutText(s string, limit int) string {
	if limit > 0 && len(s) > limit {
		i := limit
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
