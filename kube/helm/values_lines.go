package helm

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// SyntaxError is the cause of the error for values that are not YAML (errors.As
// finds it): the line the parser stopped at, so the UI can point to it.
type SyntaxError struct {
	// Line is 1 for the first line; 0 when the parser did not say.
	Line int
	// Message is the parser's.
	Message string
}

// Error is the parser's message.
func (e *SyntaxError) Error() string { return "values: " + e.Message }

// yamlLine finds the line a YAML parser's message names.
var yamlLine = regexp.MustCompile(`\bline (\d{1,9})\b`)

// syntaxLine is the line a YAML parser's message names, 0 for none.
func syntaxLine(msg string) int {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// locateViolations sets the Line of each violation to where text (the
// values the user gave) says it, then orders them as the text does; those
// the text has no line for come last, in the order they came.
func locateViolations(violations []SchemaViolation, text string) {
	var doc yaml.Node
	if text == "" || yaml.Unmarshal([]byte(text), &doc) != nil || len(doc.Content) == 0 {
		return
	}
	for i := range violations {
		violations[i].Line = lineOf(doc.Content[0], violations[i].at)
	}
	order := func(v SchemaViolation) int {
		if v.Line == 0 {
			return math.MaxInt
		}
		return v.Line
	}
	slices.SortStableFunc(violations, func(a, b SchemaViolation) int { return cmp.Compare(order(a), order(b)) })
}

// lineOf is the line of the deepest of the keys and indexes at that the
// YAML under n has: the line of a mapping's key, or of a list's item. It
// is 0 when n has not even the first.
func lineOf(n *yaml.Node, at []string) int {
	line := 0
	for _, tok := range at {
		next, where := child(n, tok)
		if next == nil {
			break
		}
		n, line = next, where
	}
	return line
}

// child is what n holds under tok, and the line that says so.
func child(n *yaml.Node, tok string) (*yaml.Node, int) {
	switch n.Kind {
	case yaml.MappingNode:
		// The last of duplicate keys is the one a parser keeps.
		for i := len(n.Content) - 2; i >= 0; i -= 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == tok {
				return n.Content[i+1], k.Line
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i], n.Content[i].Line
		}
	}
	return nil, 0
}
