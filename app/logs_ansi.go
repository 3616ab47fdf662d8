package main

import (
	"strconv"
	"strings"
)

// Log text as containers write it: ANSI escape sequences and control
// characters included. parseANSI turns it into spans of plain text, each
// with the style the SGR sequences before it set; the page renders every
// span as a text node with CSS classes, never as markup. Other escape
// sequences (cursor moves, screen clears, OSC titles and links, DCS, …)
// are removed; other control characters are shown as the visible symbols
// of the Control Pictures block (␀, ␇, ␛, …), a tab is kept, and C1
// controls (U+0080–U+009F) are dropped.

// ansiStyle is what SGR sequences set: a foreground and a background of the
// 16 colours (-1: the default), bold, italic and underline.
type ansiStyle struct {
	fg, bg                  int8
	bold, italic, underline bool
}

// plainStyle is the style of text before any SGR sequence.
var plainStyle = ansiStyle{fg: -1, bg: -1}

// class is the style's CSS classes ("" for plain text).
func (s ansiStyle) class() string {
	var c []string
	if s.fg >= 0 {
		c = append(c, "kd-ansi-fg"+strconv.Itoa(int(s.fg)))
	}
	if s.bg >= 0 {
		c = append(c, "kd-ansi-bg"+strconv.Itoa(int(s.bg)))
	}
	if s.bold {
		c = append(c, "kd-ansi-bold")
	}
	if s.italic {
		c = append(c, "kd-ansi-italic")
	}
	if s.underline {
		c = append(c, "kd-ansi-underline")
	}
	return strings.Join(c, " ")
}

// logSpan is a run of visible text in one style.
type logSpan struct {
	text  string
	style ansiStyle
}

// parseANSI splits s into styled spans of visible text. It never fails:
// malformed and unterminated sequences are removed as far as they go.
func parseANSI(s string) []logSpan {
	var (
		spans []logSpan
		text  strings.Builder
		style = plainStyle
	)
	flush := func() {
		if text.Len() > 0 {
			spans = append(spans, logSpan{text: text.String(), style: style})
			text.Reset()
		}
	}
	for i := 0; i < len(s); {
		if s[i] != 0x1b {
			j := i + 1
			for j < len(s) && s[j] != 0x1b {
				j++
			}
			writeVisible(&text, s[i:j])
			i = j
			continue
		}
		n, sgr, ok := escapeAt(s, i)
		if ok {
			next := applySGR(style, sgr)
			if next != style {
				flush()
				style = next
			}
		}
		i += n
	}
	flush()
	return spans
}

// escapeAt measures the escape sequence that starts at s[i] (an ESC): its
// length, and for an SGR sequence (ESC [ … m) its parameters and true.
//
//   - CSI: ESC [, parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F,
//     a final byte 0x40–0x7E; cut short at any other byte or the end.
//   - Strings (OSC ESC ], DCS ESC P, SOS ESC X, PM ESC ^, APC ESC _): up to
//     BEL or ST (ESC \), or up to another ESC or the end.
//   - Others: ESC, intermediate bytes, and a final byte 0x30–0x7E.
func escapeAt(s string, i int) (n int, sgr string, ok bool) {
	j := i + 1
	if j >= len(s) {
		return 1, "", false
	}
	switch s[j] {
	case '[':
		j++
		start := j
		for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
			j++
		}
		params := s[start:j]
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			final := s[j]
			j++
			if final == 'm' && j-i == len(params)+3 {
				return j - i, params, true
			}
		}
		return j - i, "", false
	case ']', 'P', 'X', '^', '_':
		j++
		for j < len(s) && s[j] != 0x07 && s[j] != 0x1b {
			j++
		}
		switch {
		case j < len(s) && s[j] == 0x07:
			j++
		case j+1 < len(s) && s[j] == 0x1b && s[j+1] == '\\':
			j += 2
		}
		return j - i, "", false
	}
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		j++
	}
	return j - i, "", false
}

// writeVisible writes s, which holds no ESC, with its control characters
// made visible: C0 controls and DEL as their Control Pictures symbols, a
// tab as it is, C1 controls (U+0080–U+009F in UTF-8) dropped. Other bytes,
// invalid UTF-8 included, are copied.
func writeVisible(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\t':
			b.WriteByte(c)
		case c < 0x20:
			b.WriteRune(0x2400 + rune(c))
		case c == 0x7f:
			b.WriteRune(0x2421)
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			i++
		default:
			b.WriteByte(c)
		}
	}
}

// applySGR returns st changed by the SGR parameters params ("1;31").
// Colours of the 256-colour and truecolor forms are mapped to the nearest
// of the 16; unknown parameters are ignored.
func applySGR(st ansiStyle, params string) ansiStyle {
	if params == "" {
		return plainStyle
	}
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	if len(ps) == 0 {
		return plainStyle // ";" alone
	}
	num := func(k int) int {
		if k >= len(ps) {
			return -1
		}
		n, err := strconv.Atoi(ps[k])
		if err != nil || n > 255 {
			return -1
		}
		return n
	}
	for k := 0; k < len(ps); k++ {
		switch p := num(k); {
		case p == 0:
			st = plainStyle
		case p == 1:
			st.bold = true
		case p == 3:
			st.italic = true
		case p == 4:
			st.underline = true
		case p == 22:
			st.bold = false
		case p == 23:
			st.italic = false
		case p == 24:
			st.underline = false
		case p >= 30 && p <= 37:
			st.fg = int8(p - 30)
		case p == 39:
			st.fg = -1
		case p >= 40 && p <= 47:
			st.bg = int8(p - 40)
		case p == 49:
			st.bg = -1
		case p >= 90 && p <= 97:
			st.fg = int8(p - 90 + 8)
		case p >= 100 && p <= 107:
			st.bg = int8(p - 100 + 8)
		case p == 38 || p == 48:
			c, used := extendedColour(num, k+1)
			k += used
			if p == 38 {
				st.fg = c
			} else {
				st.bg = c
			}
		}
	}
	return st
}

// extendedColour reads the colour of a 38 or 48 parameter from its
// arguments at k (5;n or 2;r;g;b) as the nearest of the 16 colours (-1:
// the default, when the arguments are bad), and says how many it used.
func extendedColour(num func(int) int, k int) (int8, int) {
	switch num(k) {
	case 5:
		n := num(k + 1)
		if n < 0 {
			return -1, 2
		}
		return colour256(n), 2
	case 2:
		r, g, b := num(k+1), num(k+2), num(k+3)
		if r < 0 || g < 0 || b < 0 {
			return -1, 4
		}
		return nearest16(r, g, b), 4
	}
	return -1, 1
}

// colour256 maps a colour of the 256-colour palette to the nearest of the
// 16.
func colour256(n int) int8 {
	switch {
	case n < 16:
		return int8(n)
	case n < 232:
		n -= 16
		level := [6]int{0, 95, 135, 175, 215, 255}
		return nearest16(level[n/36], level[n/6%6], level[n%6])
	default:
		v := 8 + (n-232)*10
		return nearest16(v, v, v)
	}
}

// palette16 is the xterm palette of the 16 colours, for nearest16.
var palette16 = [16][3]int{
	{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
	{127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
}

// nearest16 is the colour of the 16 nearest to r, g, b.
func nearest16(r, g, b int) int8 {
	best, bestD := 0, -1
	for i, p := range palette16 {
		d := (p[0]-r)*(p[0]-r) + (p[1]-g)*(p[1]-g) + (p[2]-b)*(p[2]-b)
		if bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return int8(best)
}

// visibleText is the text of spans, as the page shows it.
func visibleText(spans []logSpan) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.text)
	}
	return b.String()
}
