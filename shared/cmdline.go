package shared

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A container's command and its arguments are typed into one text field
// each, and split into words the way a POSIX shell would split them, but
// without anything else a shell does: no variables, no globs, no
// operators, no comments. "$HOME", "*", "|", ";" and "#" are plain
// characters of a word, as they are in a Kubernetes command.

// SplitCommand splits s into words as a POSIX shell does. Spaces, tabs and
// line breaks separate words. Single quotes keep everything up to the next
// single quote. Double quotes keep everything up to the next unescaped
// double quote; in them a backslash escapes only ", \, $, ` and a line
// break. Outside quotes a backslash escapes the next character. As in sh,
// an escaped line break joins the lines. Quotes next to other characters
// join them into one word, and "" is an empty word. The error says which
// quote is never closed, or that a backslash ends the text.
func SplitCommand(s string) ([]string, error) {
	var (
		words  []string
		word   strings.Builder
		inWord bool // a word has started, even if it is still empty ("")
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isCommandSpace(c):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
			continue
		case c == '\\':
			if i+1 == len(s) {
				return nil, fmt.Errorf("the text ends with a backslash (\\) that escapes nothing: remove it or write \\\\")
			}
			if n := lineBreakAt(s, i+1); n > 0 {
				i += n // a line continuation
				continue
			}
			i++
			word.WriteByte(s[i])
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, unclosedQuote("single", '\'', s, i)
			}
			word.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			end, ok := readDoubleQuoted(s, i+1, &word)
			if !ok {
				return nil, unclosedQuote("double", '"', s, i)
			}
			i = end
		default:
			word.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

// readDoubleQuoted writes the text of a double-quoted string that starts at
// s[start] to word, and returns the index of the closing quote, or false
// when there is none.
func readDoubleQuoted(s string, start int, word *strings.Builder) (end int, ok bool) {
	for i := start; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i, true
		case c == '\\' && i+1 < len(s):
			if n := lineBreakAt(s, i+1); n > 0 {
				i += n
				continue
			}
			if strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
				i++
				word.WriteByte(s[i])
				continue
			}
			word.WriteByte(c) // any other backslash is kept
		default:
			word.WriteByte(c)
		}
	}
	return 0, false
}

// isCommandSpace reports whether c separates words.
func isCommandSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lineBreakAt returns the length of the line break at s[i] ("\n" or
// "\r\n"), or 0 if there is none.
func lineBreakAt(s string, i int) int {
	switch {
	case strings.HasPrefix(s[i:], "\n"):
		return 1
	case strings.HasPrefix(s[i:], "\r\n"):
		return 2
	}
	return 0
}

func unclosedQuote(kind string, q rune, s string, at int) error {
	return fmt.Errorf("the %s quote (%c) at character %d is never closed: add a closing %c",
		kind, q, utf8.RuneCountInString(s[:at])+1, q)
}

// JoinCommand is the inverse of SplitCommand: it quotes each word that
// needs it, so that SplitCommand(JoinCommand(words)) returns words. Words
// of only letters, digits and the characters _ @ % + = : , . / - are
// written as they are; others are put in single quotes.
func JoinCommand(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = quoteWord(w)
	}
	return strings.Join(quoted, " ")
}

func quoteWord(w string) string {
	if w != "" && strings.IndexFunc(w, needsQuotes) < 0 {
		return w
	}
	// A single quote cannot appear inside single quotes: close them, write
	// an escaped quote and open them again.
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// needsQuotes reports whether a word holding r must be quoted. Letters and
// digits of any script need no quotes; spaces of any script, symbols and
// invalid UTF-8 get them, so the word reads the same to a person.
func needsQuotes(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			strings.ContainsRune("_@%+=:,./-", r))
	case r == utf8.RuneError:
		return true
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
