package shared

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitCommand(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only spaces", " \t\r\n ", nil},
		{"words", "nginx -g daemon off;", []string{"nginx", "-g", "daemon", "off;"}},
		{"runs of spaces", "  a \t b\n\nc  ", []string{"a", "b", "c"}},
		{"single quotes are literal", `'a  b' '$HOME \n "x"'`, []string{"a  b", `$HOME \n "x"`}},
		{"double quotes keep spaces", `"a  b"`, []string{"a  b"}},
		{"double quote escapes", `"\" \\ \$ \` + "`" + `"`, []string{`" \ $ ` + "`"}},
		{"other backslashes in double quotes are kept", `"\n \a \'"`, []string{`\n \a \'`}},
		{"escaped line break in double quotes joins", "\"a\\\nb\"", []string{"ab"}},
		{"line break in quotes is kept", "'a\nb' \"c\nd\"", []string{"a\nb", "c\nd"}},
		{"backslash escapes outside quotes", `a\ b \'c \"d \\e \x`, []string{"a b", "'c", `"d`, `\e`, "x"}},
		{"escaped line break joins", "a\\\nb c\\\r\nd", []string{"ab", "cd"}},
		{"escaped line break alone is nothing", "a \\\n b", []string{"a", "b"}},
		{"empty quotes are a word", `'' "" a""b`, []string{"", "", "ab"}},
		{"quotes join with text", `--name='my app'x"y z"`, []string{"--name=my appxy z"}},
		{"no expansion, globs or operators", `echo $HOME *.go | wc -l; ~ # not a comment &&`,
			[]string{"echo", "$HOME", "*.go", "|", "wc", "-l;", "~", "#", "not", "a", "comment", "&&"}},
		{"shell script in one word", `sh -c 'echo "hi $USER" && sleep 5'`, []string{"sh", "-c", `echo "hi $USER" && sleep 5`}},
		{"quote inside other quotes", `"it's" 'say "hi"'`, []string{"it's", `say "hi"`}},
		{"non-ASCII", "héllo 'wörld' \u00a0", []string{"héllo", "wörld", "\u00a0"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitCommand(tt.in)
			if err != nil {
				t.Fatalf("SplitCommand(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SplitCommand(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSplitCommandErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want string
	}{
		{"unclosed single quote", "echo 'hi", "the single quote (') at character 6 is never closed: add a closing '"},
		{"unclosed double quote", `a "b\"`, `the double quote (") at character 3 is never closed: add a closing "`},
		{"position counts characters", `é "`, `the double quote (") at character 3 is never closed: add a closing "`},
		{"trailing backslash", `echo \`, `the text ends with a backslash (\) that escapes nothing: remove it or write \\`},
		{"backslash ends a double quote", `"a\`, `the double quote (") at character 1 is never closed: add a closing "`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitCommand(tt.in)
			if err == nil {
				t.Fatalf("SplitCommand(%q) = %q, want an error", tt.in, got)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("SplitCommand(%q) error (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestJoinCommand(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, ""},
		{"plain words", []string{"nginx", "-g", "--port=8080", "/etc/a.conf", "user@host:1,2%"}, "nginx -g --port=8080 /etc/a.conf user@host:1,2%"},
		{"empty word", []string{"a", "", "b"}, "a '' b"},
		{"spaces", []string{"daemon off;"}, "'daemon off;'"},
		{"single quote", []string{"it's"}, `'it'\''s'`},
		{"shell characters", []string{"$HOME", "*", "a|b", "#", "~", `"`, `\`}, `'$HOME' '*' 'a|b' '#' '~' '"' '\'`},
		{"line break", []string{"a\nb"}, "'a\nb'"},
		{"letters of any script", []string{"héllo", "日本"}, "héllo 日本"},
		{"unicode space", []string{"a\u00a0b"}, "'a\u00a0b'"},
		{"invalid UTF-8", []string{"a\xffb"}, "'a\xffb'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := JoinCommand(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("JoinCommand(%q) (-want +got):\n%s", tt.in, diff)
			}
			back, err := SplitCommand(got)
			if err != nil {
				t.Fatalf("SplitCommand(%q): %v", got, err)
			}
			if diff := cmp.Diff(tt.in, back); diff != "" {
				t.Errorf("SplitCommand(JoinCommand(x)) (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzSplitCommand checks that SplitCommand never panics, that what it
// splits joins and splits back to the same words, and that any words
// (the input cut at NUL bytes) survive JoinCommand and SplitCommand.
func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{"", "a b", `'a b' "c\"d" e\ f`, "a\\\nb", `'it'\''s'`, "x\x00y z\x00", "\x00", `"\$\`, "'", "é\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if words, err := SplitCommand(s); err == nil {
			roundTrip(t, words)
		}
		roundTrip(t, strings.Split(s, "\x00"))
	})
}

func roundTrip(t *testing.T, words []string) {
	t.Helper()
	joined := JoinCommand(words)
	got, err := SplitCommand(joined)
	if err != nil {
		t.Fatalf("SplitCommand(JoinCommand(%q)) = SplitCommand(%q): %v", words, joined, err)
	}
	if len(words) == 0 && len(got) == 0 {
		return // nil and empty are the same command
	}
	if diff := cmp.Diff(words, got); diff != "" {
		t.Fatalf("SplitCommand(JoinCommand(x)) of %q (-want +got):\n%s", joined, diff)
	}
}
