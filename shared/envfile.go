package shared

import (
	"fmt"
	"strings"
)

// EnvLineError is a line of pasted environment variables that is not an
// assignment.
type EnvLineError struct {
	// Line is the line's number, from 1.
	Line int `json:"line"`
	// Text is the line as it was pasted.
	Text string `json:"text"`
	// Message says what is wrong, for people.
	Message string `json:"message"`
}

// Error implements error.
func (e EnvLineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// ParseEnvLines parses text pasted into an environment box, one
// NAME=value line at a time, as a .env file is written:
//
//   - blank lines and lines starting with # are skipped, and a leading
//     "export " is ignored;
//   - the name is everything before the first =, and must match
//     [A-Za-z_][A-Za-z0-9_]*; the value is everything after it;
//   - a value in single quotes is taken as it is; in double quotes, \n, \"
//     and \\ are a line break, a quote and a backslash (any other backslash
//     is kept); after the closing quote only a # comment may follow;
//   - an unquoted value is trimmed, and a # after a space or a tab starts
//     a comment ("a#b" is a value, "a #b" is "a").
//
// Lines may end in \r\n. The variables come back in the order written and
// duplicates are kept: which one wins is the caller's choice. Each line that
// is not an assignment becomes an EnvLineError and is left out.
func ParseEnvLines(s string) ([]EnvVar, []EnvLineError) {
	var (
		vars []EnvVar
		errs []EnvLineError
	)
	s = strings.TrimPrefix(s, "\uFEFF") // a byte order mark, from some editors
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSuffix(line, "\r")
		v, msg, ok := parseEnvLine(line)
		switch {
		case msg != "":
			errs = append(errs, EnvLineError{Line: i + 1, Text: line, Message: msg})
		case ok:
			vars = append(vars, v)
		}
	}
	return vars, errs
}

// parseEnvLine parses one line: a variable, or a message saying what is
// wrong, or neither for a blank or comment line.
func parseEnvLine(line string) (v EnvVar, msg string, ok bool) {
	rest := strings.TrimSpace(line)
	if rest == "" || rest[0] == '#' {
		return EnvVar{}, "", false
	}
	if after, found := cutExport(rest); found {
		rest = after
	}
	name, value, found := strings.Cut(rest, "=")
	if !found {
		return EnvVar{}, "this is not an assignment: write NAME=value", false
	}
	name = strings.TrimRight(name, " \t")
	if name == "" {
		return EnvVar{}, "the name before = is empty", false
	}
	if !isEnvName(name) {
		return EnvVar{}, fmt.Sprintf("%q is not a valid name: use letters, digits and _, not starting with a digit", name), false
	}
	value, msg = parseEnvValue(value)
	if msg != "" {
		return EnvVar{}, msg, false
	}
	return EnvVar{Name: name, Value: value}, "", true
}

// cutExport removes a leading "export " (with any spaces or tabs after it).
func cutExport(s string) (string, bool) {
	after, found := strings.CutPrefix(s, "export")
	if !found || after == "" || (after[0] != ' ' && after[0] != '\t') {
		return s, false
	}
	return strings.TrimLeft(after, " \t"), true
}

// isEnvName reports whether s matches [A-Za-z_][A-Za-z0-9_]*.
func isEnvName(s string) bool {
	for i, c := range []byte(s) {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// parseEnvValue parses what follows the =.
func parseEnvValue(raw string) (value, msg string) {
	rest := strings.TrimLeft(raw, " \t")
	if rest == "" || (rest[0] != '\'' && rest[0] != '"') {
		return strings.TrimSpace(cutEnvComment(raw)), ""
	}
	quote, kind := rest[0], "single"
	if quote == '"' {
		kind = "double"
	}
	var b strings.Builder
	for i := 1; i < len(rest); i++ {
		c := rest[i]
		if c == quote {
			if after := strings.TrimLeft(rest[i+1:], " \t"); after != "" && after[0] != '#' {
				return "", fmt.Sprintf("unexpected text after the closing %s quote: %q", kind, after)
			}
			return b.String(), ""
		}
		if quote == '"' && c == '\\' && i+1 < len(rest) {
			switch rest[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case '"', '\\':
				b.WriteByte(rest[i+1])
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return "", fmt.Sprintf("the %s quote (%c) is never closed: a quoted value must end on its line", kind, quote)
}

// cutEnvComment cuts an unquoted value at the first # that follows a space
// or a tab.
func cutEnvComment(raw string) string {
	for i := 1; i < len(raw); i++ {
		if raw[i] == '#' && (raw[i-1] == ' ' || raw[i-1] == '\t') {
			return raw[:i]
		}
	}
	return raw
}
