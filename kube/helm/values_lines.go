package helm

import (
	"errors"
	"regexp"
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

// locateViolations sets the Line of each violation of a schema error in
// err to where text (the values the user gave) says it; err is returned
// as it was.
func locateViolations(err error, text string) error {
	var se *SchemaError
	if !errors.As(err, &se) || text == "" {
		return err
	}
	var doc yaml.Node
	if yaml.Unmarshal([]byte(text), &doc) != nil || len(doc.Content) == 0 {
		return err
	}
	for i := range se.Violations {
		se.Violations[i].Line = lineOf(doc.Content[0], se.Violations[i].at)
	}
	return err
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
