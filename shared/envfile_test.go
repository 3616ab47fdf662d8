package shared

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEnvLines(t *testing.T) {
	for _, tt := range []struct {
		name     string
		in       string
		want     []EnvVar
		wantErrs []EnvLineError
	}{
		{name: "empty", in: ""},
		{name: "one", in: "A=1", want: []EnvVar{{Name: "A", Value: "1"}}},
		{name: "blank and comment lines", in: "\n  \n# a comment\n   # indented\nA=1\n\n",
			want: []EnvVar{{Name: "A", Value: "1"}}},
		{name: "Windows line endings", in: "A=1\r\nB=2\r\n", want: []EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}}},
		{name: "byte order mark", in: "\uFEFFA=1", want: []EnvVar{{Name: "A", Value: "1"}}},
		{name: "export", in: "export A=1\nexport\tB=2\nexport  C=3", want: []EnvVar{
			{Name: "A", Value: "1"}, {Name: "B", Value: "2"}, {Name: "C", Value: "3"}}},
		{name: "a variable named export", in: "export=1\nexported=2", want: []EnvVar{
			{Name: "export", Value: "1"}, {Name: "exported", Value: "2"}}},
		{name: "split on the first =", in: "URL=postgres://h/db?sslmode=disable&a==b",
			want: []EnvVar{{Name: "URL", Value: "postgres://h/db?sslmode=disable&a==b"}}},
		{name: "empty value", in: "A=\nB=''\nC=\"\"", want: []EnvVar{{Name: "A"}, {Name: "B"}, {Name: "C"}}},
		{name: "unquoted values are trimmed", in: "  A =  hello world  \t", want: []EnvVar{{Name: "A", Value: "hello world"}}},
		{name: "unquoted comment", in: "A=1 # one\nB=2\t#two\nC=a#b\nD= #nothing\nE=#x",
			want: []EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}, {Name: "C", Value: "a#b"}, {Name: "D"}, {Name: "E", Value: "#x"}}},
		{name: "single quotes are literal", in: `A='  a \n "b" # c  '`, want: []EnvVar{{Name: "A", Value: `  a \n "b" # c  `}}},
		{name: "double quote escapes", in: `A="line1\nline2 \"q\" \\ \t \$"`,
			want: []EnvVar{{Name: "A", Value: "line1\nline2 \"q\" \\ \\t \\$"}}},
		{name: "quote inside other quotes", in: `A="it's"` + "\n" + `B='say "hi"'`,
			want: []EnvVar{{Name: "A", Value: "it's"}, {Name: "B", Value: `say "hi"`}}},
		{name: "comment after quotes", in: `A="x" # note` + "\nB='y'#note", want: []EnvVar{{Name: "A", Value: "x"}, {Name: "B", Value: "y"}}},
		{name: "quote inside an unquoted value", in: "A=it's", want: []EnvVar{{Name: "A", Value: "it's"}}},
		{name: "duplicates are kept in order", in: "A=1\nB=2\nA=3",
			want: []EnvVar{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}, {Name: "A", Value: "3"}}},
		{name: "names", in: "_=1\n_a9=2\nlower=3", want: []EnvVar{{Name: "_", Value: "1"}, {Name: "_a9", Value: "2"}, {Name: "lower", Value: "3"}}},
		{name: "bad lines are reported and skipped",
			in:   "A=1\nJUST_A_NAME\r\n=value\n1A=x\nMY KEY=v\nB-C=1\nexport D\nE=\"open\nF='x'y\nG=2",
			want: []EnvVar{{Name: "A", Value: "1"}, {Name: "G", Value: "2"}},
			wantErrs: []EnvLineError{
				{Line: 2, Text: "JUST_A_NAME", Message: "this is not an assignment: write NAME=value"},
				{Line: 3, Text: "=value", Message: "the name before = is empty"},
				{Line: 4, Text: "1A=x", Message: `"1A" is not a valid name: use letters, digits and _, not starting with a digit`},
				{Line: 5, Text: "MY KEY=v", Message: `"MY KEY" is not a valid name: use letters, digits and _, not starting with a digit`},
				{Line: 6, Text: "B-C=1", Message: `"B-C" is not a valid name: use letters, digits and _, not starting with a digit`},
				{Line: 7, Text: "export D", Message: "this is not an assignment: write NAME=value"},
				{Line: 8, Text: `E="open`, Message: "the double quote (\") is never closed: a quoted value must end on its line"},
				{Line: 9, Text: "F='x'y", Message: `unexpected text after the closing single quote: "y"`},
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, gotErrs := ParseEnvLines(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseEnvLines(%q) variables (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantErrs, gotErrs); diff != "" {
				t.Errorf("ParseEnvLines(%q) errors (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestEnvLineErrorError(t *testing.T) {
	err := EnvLineError{Line: 3, Text: "x", Message: "this is not an assignment: write NAME=value"}
	if diff := cmp.Diff("line 3: this is not an assignment: write NAME=value", err.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
}

// FuzzParseEnvLines checks that ParseEnvLines never panics, keeps only
// valid names and numbers its errors within the input's lines.
func FuzzParseEnvLines(f *testing.F) {
	for _, s := range []string{"", "A=1", "export A='x' # c\r\nB=\"a\\nb\"", "=", "A=\"\\", "'", "A= #", "\uFEFF\n#\nexport"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vars, errs := ParseEnvLines(s)
		for _, v := range vars {
			if !isEnvName(v.Name) {
				t.Fatalf("ParseEnvLines(%q) returned the invalid name %q", s, v.Name)
			}
		}
		lines := 1
		for _, c := range []byte(s) {
			if c == '\n' {
				lines++
			}
		}
		for _, e := range errs {
			if e.Line < 1 || e.Line > lines || e.Message == "" {
				t.Fatalf("ParseEnvLines(%q) returned %+v for %d lines", s, e, lines)
			}
		}
	})
}
