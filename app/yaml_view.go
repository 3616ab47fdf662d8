package main

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// yamlToken is one piece of highlighted YAML: its text and the class of its
// span ("" for plain text).
type yamlToken struct {
	Class string
	Text  string
}

// The classes of YAML tokens.
const (
	yamlKey     = "kd-y-key"
	yamlString  = "kd-y-str"
	yamlNumber  = "kd-y-num"
	yamlLiteral = "kd-y-lit" // true, false, null, ~
	yamlComment = "kd-y-comment"
	yamlPunct   = "kd-y-punct"
)

// highlightYAML splits YAML (as the server prints objects: block style,
// one key or list item per line) into tokens. The tokens' texts joined give
// src back unchanged; they become text nodes, which the browser never
// parses as HTML, so a value holding markup shows as the characters it is.
func highlightYAML(src string) []yamlToken {
	var out []yamlToken
	add := func(class, text string) {
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Class == class {
			out[n-1].Text += text
			return
		}
		out = append(out, yamlToken{Class: class, Text: text})
	}
	lines := strings.SplitAfter(src, "\n")
	for _, line := range lines {
		body, nl := strings.CutSuffix(line, "\n")
		yamlLine(body, add)
		if nl {
			add("", "\n")
		}
	}
	return out
}

// yamlLine tokenizes one line without its newline.
func yamlLine(line string, add func(class, text string)) {
	rest := strings.TrimLeft(line, " ")
	add("", line[:len(line)-len(rest)])
	if strings.HasPrefix(rest, "#") {
		add(yamlComment, rest)
		return
	}
	for strings.HasPrefix(rest, "- ") || rest == "-" {
		add(yamlPunct, "-")
		rest = rest[1:]
		trimmed := strings.TrimLeft(rest, " ")
		add("", rest[:len(rest)-len(trimmed)])
		rest = trimmed
	}
	if key, value, ok := yamlKeyValue(rest); ok {
		add(yamlKey, key)
		add(yamlPunct, ":")
		rest = value
		trimmed := strings.TrimLeft(rest, " ")
		add("", rest[:len(rest)-len(trimmed)])
		rest = trimmed
	}
	add(yamlScalarClass(rest), rest)
}

// yamlKeyValue splits "key: value" (or "key:" at the end of the line) at
// the colon; a quoted key keeps its quotes.
func yamlKeyValue(s string) (key, value string, ok bool) {
	if s == "" || s[0] == '|' || s[0] == '>' || s[0] == '{' || s[0] == '[' {
		return "", "", false
	}
	start := 0
	if s[0] == '"' || s[0] == '\'' {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", "", false
		}
		start = end + 2
	}
	for i := start; i < len(s); i++ {
		if s[i] == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			return s[:i], s[i+1:], true
		}
		if start == 0 && s[i] == ' ' && i+1 < len(s) && s[i+1] == '#' {
			break
		}
	}
	return "", "", false
}

// yamlScalarClass is the class of a scalar value.
func yamlScalarClass(v string) string {
	switch {
	case v == "":
		return ""
	case v == "true" || v == "false" || v == "null" || v == "~":
		return yamlLiteral
	case v[0] == '"' || v[0] == '\'':
		return yamlString
	case v == "|" || v == "|-" || v == ">" || v == ">-" || v == "{}" || v == "[]":
		return yamlPunct
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return yamlNumber
	}
	return yamlString
}

// yamlView shows YAML with its syntax highlighted.
type yamlView struct {
	app.Compo

	Source string

	tokens []yamlToken
	of     string // the source tokens was made from
}

func newYAMLView() *yamlView { return &yamlView{} }

// YAML sets the text shown.
func (v *yamlView) YAML(src string) *yamlView {
	v.Source = src
	return v
}

// Render shows the tokens as spans inside a pre; each is a text node.
func (v *yamlView) Render() app.UI {
	if v.tokens == nil || v.of != v.Source {
		v.tokens, v.of = highlightYAML(v.Source), v.Source
	}
	return app.Pre().Class("kd-yaml").Aria("label", "YAML").Body(
		app.Code().Body(
			app.Range(v.tokens).Slice(func(i int) app.UI {
				t := v.tokens[i]
				if t.Class == "" {
					return app.Text(t.Text)
				}
				return app.Span().Class(t.Class).Text(t.Text)
			}),
		),
	)
}
