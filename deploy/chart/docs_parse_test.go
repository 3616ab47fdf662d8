package chart_test

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// block is a fenced block of the doc.
type block struct {
	lang string
	line int // of the block's first line
	text string
}

// fileName is the file a yaml block is, when its first line names it.
func (b block) fileName() (string, bool) {
	first, _, _ := strings.Cut(b.text, "\n")
	name, ok := strings.CutPrefix(first, "# ")
	return name, ok && b.lang == "yaml" && strings.HasSuffix(name, ".yaml") && !strings.Contains(name, " ")
}

func readDoc(t *testing.T) []block {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, docPath))
	if err != nil {
		t.Fatal(err)
	}
	var out []block
	var cur *block
	for i, line := range strings.Split(string(raw), "\n") {
		fence, ok := strings.CutPrefix(line, "```")
		switch {
		case ok && cur == nil:
			cur = &block{lang: fence, line: i + 2}
		case ok:
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s: the block at line %d is not closed", docPath, cur.line)
	}
	return out
}

// command is one command of the doc or of NOTES.txt, split into words as
// a shell does.
type command struct {
	where string   // file:line, or the release whose NOTES.txt printed it
	text  string   // as written, continuation lines joined
	words []string // quotes removed, $(…) replaced by its output
	out   string   // the file a > redirection names
}

// commandsOf splits a sh block into commands: blank and comment lines
// dropped, lines ending in \ joined to the next.
func commandsOf(t *testing.T, text, file string, firstLine int) []command {
	t.Helper()
	var out []command
	var cur strings.Builder
	start := 0
	for i, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if cur.Len() == 0 {
			start = firstLine + i
			if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
		}
		if more, ok := strings.CutSuffix(line, "\\"); ok {
			cur.WriteString(more)
			continue
		}
		cur.WriteString(line)
		c := command{where: fmt.Sprintf("%s:%d", file, start), text: strings.Join(strings.Fields(cur.String()), " ")}
		var err error
		if c.words, c.out, err = splitWords(cur.String()); err != nil {
			t.Fatalf("%s: %s: %v", c.where, c.text, err)
		}
		out = append(out, c)
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Fatalf("%s:%d: the last command ends in a \\", file, start)
	}
	return out
}

// splitWords splits a command line as a shell does: blanks between words,
// '…' and "…" quoting, "$(…)" substitution and one > redirection. Other
// shell syntax is refused: the shapes would not know what it does.
func splitWords(s string) (words []string, out string, err error) {
	var cur strings.Builder
	inWord, redirect := false, false
	flush := func() {
		if !inWord {
			return
		}
		if redirect {
			out, redirect = cur.String(), false
		} else {
			words = append(words, cur.String())
		}
		cur.Reset()
		inWord = false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			flush()
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, "", errors.New("an unclosed '")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i, inWord = i+1+end, true
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return nil, "", errors.New(`an unclosed "`)
			}
			quoted := s[i+1 : i+1+end]
			if strings.ContainsAny(strings.ReplaceAll(quoted, "$(", ""), "$`\\") {
				return nil, "", fmt.Errorf("%q: only $(…) is expanded inside \"…\" here", quoted)
			}
			for {
				before, rest, ok := strings.Cut(quoted, "$(")
				cur.WriteString(before)
				if !ok {
					break
				}
				inner, after, ok := strings.Cut(rest, ")")
				if !ok {
					return nil, "", errors.New("an unclosed $(")
				}
				sub, err := substitute(inner)
				if err != nil {
					return nil, "", err
				}
				cur.WriteString(sub)
				quoted = after
			}
			i, inWord = i+1+end, true
		case c == '>':
			flush()
			if redirect || out != "" {
				return nil, "", errors.New("more than one >")
			}
			redirect = true
		case strings.IndexByte("|&;<`$(){}*?[]~\\!", c) >= 0:
			return nil, "", fmt.Errorf("shell syntax %q the test does not run", c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	if redirect {
		return nil, "", errors.New("a > without a file")
	}
	return words, out, nil
}

// substitute is the output of a $(…), its trailing line ends dropped as a
// shell drops them. Only `openssl rand -base64 N` is known: openssl runs
// when installed; otherwise Go writes the same (lines of 64 characters).
func substitute(inner string) (string, error) {
	f := strings.Fields(inner)
	if len(f) != 4 || f[0] != "openssl" || f[1] != "rand" || f[2] != "-base64" {
		return "", fmt.Errorf("$(%s): the test runs no such command", inner)
	}
	n, err := strconv.Atoi(f[3])
	if err != nil {
		return "", fmt.Errorf("$(%s): %v", inner, err)
	}
	if _, err := exec.LookPath("openssl"); err == nil {
		out, err := exec.Command("openssl", "rand", "-base64", f[3]).Output()
		return strings.TrimRight(string(out), "\n"), err
	}
	b := make([]byte, n)
	_, _ = rand.Read(b)
	enc := base64.StdEncoding.EncodeToString(b)
	var lines []string
	for len(enc) > 64 {
		lines, enc = append(lines, enc[:64]), enc[64:]
	}
	return strings.Join(append(lines, enc), "\n"), nil
}

// invocation is a command's positional words and its flags.
type invocation struct {
	args  []string
	flags map[string][]string
	out   string
}

// valueFlags are the flags that take a value; flagAliases their long names.
var (
	valueFlags  = map[string]bool{"-n": true, "-f": true, "--set": true, "--from-literal": true, "--from-file": true, "--clusterrole": true, "--user": true, "--group": true}
	flagAliases = map[string]string{"--namespace": "-n", "--values": "-f"}
)

func parseInvocation(c command) (invocation, error) {
	inv := invocation{flags: map[string][]string{}, out: c.out}
	for i := 0; i < len(c.words); i++ {
		w := c.words[i]
		if !strings.HasPrefix(w, "-") {
			inv.args = append(inv.args, w)
			continue
		}
		name, value, hasValue := strings.Cut(w, "=")
		if long, ok := flagAliases[name]; ok {
			name = long
		}
		switch {
		case valueFlags[name] && !hasValue:
			if i++; i == len(c.words) {
				return inv, fmt.Errorf("%s without a value", name)
			}
			value = c.words[i]
		case !valueFlags[name] && hasValue:
			return inv, fmt.Errorf("%s takes no value here", name)
		}
		inv.flags[name] = append(inv.flags[name], value)
	}
	return inv, nil
}

// flag is the last value of name ("" when absent).
func (inv invocation) flag(name string) string {
	v := inv.flags[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func startsWith(words []string, prefix string) bool {
	p := strings.Fields(prefix)
	return len(words) >= len(p) && slices.Equal(words[:len(p)], p)
}
