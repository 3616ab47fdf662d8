package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestHighlightYAML(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []yamlToken
	}{
		{"key and string", "name: web\n", []yamlToken{
			{yamlKey, "name"}, {yamlPunct, ":"}, {"", " "}, {yamlString, "web"}, {"", "\n"}}},
		{"nested number and literal", "spec:\n  replicas: 3\n  paused: false", []yamlToken{
			{yamlKey, "spec"}, {yamlPunct, ":"}, {"", "\n  "}, {yamlKey, "replicas"}, {yamlPunct, ":"}, {"", " "},
			{yamlNumber, "3"}, {"", "\n  "}, {yamlKey, "paused"}, {yamlPunct, ":"}, {"", " "}, {yamlLiteral, "false"}}},
		{"list item with a key", "- name: a\n", []yamlToken{
			{yamlPunct, "-"}, {"", " "}, {yamlKey, "name"}, {yamlPunct, ":"}, {"", " "}, {yamlString, "a"}, {"", "\n"}}},
		{"quoted value with a colon", `image: "nginx:1.27"`, []yamlToken{
			{yamlKey, "image"}, {yamlPunct, ":"}, {"", " "}, {yamlString, `"nginx:1.27"`}}},
		{"url value keeps its colon", "url: http://x", []yamlToken{
			{yamlKey, "url"}, {yamlPunct, ":"}, {"", " "}, {yamlString, "http://x"}}},
		{"comment", "# note", []yamlToken{{yamlComment, "# note"}}},
		{"markup stays text", "note: <script>alert(1)</script>", []yamlToken{
			{yamlKey, "note"}, {yamlPunct, ":"}, {"", " "}, {yamlString, "<script>alert(1)</script>"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := highlightYAML(tc.src)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tokens (-want +got):\n%s", diff)
			}
			var b strings.Builder
			for _, tok := range got {
				b.WriteString(tok.Text)
			}
			if b.String() != tc.src {
				t.Errorf("tokens join to %q, want the source %q", b.String(), tc.src)
			}
		})
	}
}

func TestYAMLViewEscapesMarkup(t *testing.T) {
	v := newYAMLView().YAML("note: <img src=x onerror=alert(1)>\n")
	e := app.NewTestEngine()
	if err := e.Load(v); err != nil {
		t.Fatal(err)
	}
	html := app.HTMLString(v)
	if strings.Contains(html, "<img") {
		t.Fatalf("markup in a value became an element:\n%s", html)
	}
	if !strings.Contains(html, "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(html, `<span class="kd-y-key">note</span>`) {
		t.Errorf("unexpected rendering:\n%s", html)
	}
}
