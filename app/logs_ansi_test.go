package main

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseANSI(t *testing.T) {
	red := ansiStyle{fg: 1, bg: -1}
	long := strings.Repeat("0123456789", 10<<10)
	tests := []struct {
		name string
		in   string
		want []logSpan
	}{
		{"plain", "hello world", []logSpan{{"hello world", plainStyle}}},
		{"empty", "", nil},
		{"markup stays text", "<script>alert(1)</script>", []logSpan{{"<script>alert(1)</script>", plainStyle}}},
		{"img onerror stays text", `<img src=x onerror="alert(1)">`, []logSpan{{`<img src=x onerror="alert(1)">`, plainStyle}}},
		{"red then reset", "\x1b[31mred\x1b[0m plain", []logSpan{{"red", red}, {" plain", plainStyle}}},
		{"reset without parameter", "\x1b[31mred\x1b[m plain", []logSpan{{"red", red}, {" plain", plainStyle}}},
		{"bold bright fg and bg", "\x1b[1;92;44mok", []logSpan{{"ok", ansiStyle{fg: 10, bg: 4, bold: true}}}},
		{"bright bg", "\x1b[105mx", []logSpan{{"x", ansiStyle{fg: -1, bg: 13}}}},
		{"bold off keeps colour", "\x1b[1;33ma\x1b[22mb", []logSpan{{"a", ansiStyle{fg: 3, bg: -1, bold: true}}, {"b", ansiStyle{fg: 3, bg: -1}}}},
		{"default fg", "\x1b[31;42ma\x1b[39mb", []logSpan{{"a", ansiStyle{fg: 1, bg: 2}}, {"b", ansiStyle{fg: -1, bg: 2}}}},
		{"256 colour low", "\x1b[38;5;9mx", []logSpan{{"x", ansiStyle{fg: 9, bg: -1}}}},
		{"256 colour cube red", "\x1b[38;5;196mx", []logSpan{{"x", ansiStyle{fg: 9, bg: -1}}}},
		{"256 grey", "\x1b[48;5;232mx", []logSpan{{"x", ansiStyle{fg: -1, bg: 0}}}},
		{"truecolor", "\x1b[38;2;250;250;250mx", []logSpan{{"x", ansiStyle{fg: 15, bg: -1}}}},
		{"truecolor cut short", "\x1b[38;2;250mx", []logSpan{{"x", plainStyle}}},
		{"unknown sgr ignored", "\x1b[7;31mx", []logSpan{{"x", red}}},
		{"osc title removed", "\x1b]0;title\x07after", []logSpan{{"after", plainStyle}}},
		{"osc with st", "a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\b", []logSpan{{"alinkb", plainStyle}}},
		{"controls shown", "\x00\x07\x1b[2J", []logSpan{{"␀␇", plainStyle}}},
		{"cursor moves removed", "a\x1b[10;20Hb\x1b[Kc", []logSpan{{"abc", plainStyle}}},
		{"tab kept, cr shown", "a\tb\rc\x7f", []logSpan{{"a\tb␍c␡", plainStyle}}},
		{"c1 dropped", "a\u009b31mb", []logSpan{{"a31mb", plainStyle}}},
		{"lone esc at end", "abc\x1b", []logSpan{{"abc", plainStyle}}},
		{"unterminated csi", "abc\x1b[31", []logSpan{{"abc", plainStyle}}},
		{"csi cut by a letter after intermediates", "\x1b[1 \x01x", []logSpan{{"␁x", plainStyle}}},
		{"unterminated osc", "a\x1b]0;never ends", []logSpan{{"a", plainStyle}}},
		{"charset escape", "\x1b(Bx", []logSpan{{"x", plainStyle}}},
		{"esc esc", "\x1b\x1b[31mx", []logSpan{{"x", red}}},
		{"nested markup inside colour", "\x1b[31m<b>hi</b>\x1b[0m", []logSpan{{"<b>hi</b>", red}}},
		{"long line", long, []logSpan{{long, plainStyle}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseANSI(tc.in)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(logSpan{}, ansiStyle{})); diff != "" {
				t.Errorf("parseANSI (-want +got):\n%s", diff)
			}
		})
	}
}

func TestANSIStyleClass(t *testing.T) {
	tests := []struct {
		name string
		st   ansiStyle
		want string
	}{
		{"plain", plainStyle, ""},
		{"all", ansiStyle{fg: 9, bg: 0, bold: true, italic: true, underline: true}, "kd-ansi-fg9 kd-ansi-bg0 kd-ansi-bold kd-ansi-italic kd-ansi-underline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.st.class()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// escapes is an independent statement of what parseANSI removes.
var escapes = regexp.MustCompile("\x1b(?:\\[[0-?]*[ -/]*[@-~]?|[\\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[ -/]*[0-~]?)")

// FuzzParseANSI checks that no input makes parseANSI panic, that what it
// shows holds no escape or control character but a tab, and that (for valid
// UTF-8, which the server guarantees) it is the input without its escapes,
// controls made visible.
func FuzzParseANSI(f *testing.F) {
	for _, s := range []string{"\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x00\x07\x1b[2J", "<script>alert(1)</script>",
		"\x1b[38;5;300m\x1b[38;2;1;2m\x1b[;;1m", "\x1b[1 \x01", "\x1bP\x1b\\x", "\u009b\xc2", "a\x1b\x1b]\x1b["} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		spans := parseANSI(in)
		got := visibleText(spans)
		for i := 0; i < len(got); i++ {
			if c := got[i]; (c < 0x20 && c != '\t') || c == 0x7f {
				t.Fatalf("parseANSI(%q) shows control byte %#x: %q", in, c, got)
			}
		}
		for _, s := range spans {
			if s.text == "" {
				t.Fatalf("parseANSI(%q) made an empty span", in)
			}
		}
		if !utf8.ValidString(in) {
			return
		}
		var want strings.Builder
		writeVisible(&want, escapes.ReplaceAllString(in, ""))
		if got != want.String() {
			t.Fatalf("parseANSI(%q) shows %q, want %q", in, got, want.String())
		}
	})
}
