package helm

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLineOf(t *testing.T) {
	text := strings.Join([]string{
		"# comment",   // 1
		"image:",      // 2
		"  tag: x",    // 3
		"ports:",      // 4
		"  - 80",      // 5
		"  - name: b", // 6
		"    port: 2", // 7
		"odd key.x: 1",
	}, "\n")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   []string
		want int
	}{
		{"the whole values", nil, 0},
		{"a key", []string{"image"}, 2},
		{"a key under a key", []string{"image", "tag"}, 3},
		{"a key the text lacks: its parent", []string{"image", "pullPolicy"}, 2},
		{"a list item", []string{"ports", "0"}, 5},
		{"a key of a list item", []string{"ports", "1", "port"}, 7},
		{"an index past the list", []string{"ports", "9"}, 4},
		{"a negative index", []string{"ports", "-1"}, 4},
		{"a key with a dot", []string{"odd key.x"}, 8},
		{"a key the text lacks at the top", []string{"replicaCount"}, 0},
		{"below a scalar", []string{"image", "tag", "x"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lineOf(doc.Content[0], tt.at); got != tt.want {
				t.Errorf("lineOf(%q) = %d, want %d", tt.at, got, tt.want)
			}
		})
	}
}

func TestValuesSyntaxLine(t *testing.T) {
	tests := []struct {
		text string
		line int
	}{
		{"a: [1, 2\nb: c", 1},
		{"a:\n\tb: 1", 2},
		{"x: 1\ny: : 2", 2},
	}
	for _, tt := range tests {
		_, err := parseValues(tt.text)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Line != tt.line {
			t.Errorf("parseValues(%q): %v (%+v), want a syntax error on line %d", tt.text, err, se, tt.line)
		}
	}
	if syntaxLine("yaml: line 99999999999999999999: x") != 0 {
		t.Error("a line number too large to be one is taken")
	}
}

// FuzzValuesLines gives any text and any path to the line finder: never a
// panic, and a line is one the text has.
func FuzzValuesLines(f *testing.F) {
	f.Add("image:\n  tag: 2\n", "image/tag")
	f.Add("a: &x {b: 1}\nc: *x\n", "c/b")
	f.Add("- 1\n- 2\n", "0")
	f.Add("a: [1, [2, 3]]", "a/1/0")
	f.Add("<<: {a: 1}", "a")
	f.Fuzz(func(t *testing.T, text, path string) {
		if len(text) > 4096 {
			return
		}
		vs := []SchemaViolation{{at: strings.Split(path, "/")}, {at: []string{"x"}}}
		locateViolations(vs, text)
		if l := vs[0].Line; l < 0 || l > strings.Count(text, "\n")+1 {
			t.Errorf("line %d of a text of %d lines", l, strings.Count(text, "\n")+1)
		}
	})
}
