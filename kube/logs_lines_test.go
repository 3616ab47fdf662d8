package kube

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func readAll(t testing.TB, in string) []shared.LogLine {
	lr := newLineReader(strings.NewReader(in))
	var out []shared.LogLine
	for {
		l, err := lr.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
}

func TestLineReader(t *testing.T) {
	stamp := "2026-12-07T10:00:00.123456789Z"
	at, _ := time.Parse(time.RFC3339Nano, stamp)
	long := strings.Repeat("é", shared.MaxLogLineBytes) // two bytes each
	tests := []struct {
		name string
		in   string
		want []shared.LogLine
	}{
		{name: "stamped lines", in: stamp + " one\n" + stamp + " two\r\n",
			want: []shared.LogLine{{Time: at, Text: "one"}, {Time: at, Text: "two"}}},
		{name: "last line without newline", in: stamp + " end",
			want: []shared.LogLine{{Time: at, Text: "end"}}},
		{name: "no stamp", in: "unable to retrieve container logs\n",
			want: []shared.LogLine{{Text: "unable to retrieve container logs"}}},
		{name: "invalid utf-8 and markup kept as text", in: stamp + " <b>\xff\xfe</b>\n",
			want: []shared.LogLine{{Time: at, Text: "<b>\ufffd</b>"}}},
		{name: "empty line", in: stamp + " \n", want: []shared.LogLine{{Time: at, Text: ""}}},
		{name: "long line cut at a character", in: stamp + " " + long + "\n" + stamp + " next\n",
			want: []shared.LogLine{
				{Time: at, Text: long[:shared.MaxLogLineBytes] + " … [16384 bytes cut]"},
				{Time: at, Text: "next"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, readAll(t, tt.in)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzLineReader: any stream gives lines of valid UTF-8 within the bound
// (plus the note of what was cut), and never more lines than newlines + 1.
func FuzzLineReader(f *testing.F) {
	f.Add("2026-12-07T10:00:00Z a\nb\n")
	f.Add("\xff\xfe\x00\x1b[31m\n\n\n")
	f.Add(strings.Repeat("x", shared.MaxLogLineBytes*2))
	f.Fuzz(func(t *testing.T, in string) {
		lines := readAll(t, in)
		if len(lines) > strings.Count(in, "\n")+1 {
			t.Fatalf("%d lines from %d newlines", len(lines), strings.Count(in, "\n"))
		}
		for _, l := range lines {
			if !utf8.ValidString(l.Text) || len(l.Text) > shared.MaxLogLineBytes+40 {
				t.Fatalf("line of %d bytes, valid %v", len(l.Text), utf8.ValidString(l.Text))
			}
		}
	})
}
