package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func TestProblemsOf(t *testing.T) {
	tests := []struct {
		name string
		err  shared.Error
		want []valuesProblem
	}{
		{"violations, in line order, those without a line last", shared.Error{Message: "The values do not match", Details: map[string]any{
			"violations": []any{
				map[string]any{"path": "$.image.tag", "message": "minLength: got 0, want 1", "line": float64(5)},
				map[string]any{"path": "$", "message": "missing property name"},
				map[string]any{"path": "$.replicaCount", "message": "maximum: got 9, want 5", "line": float64(2)},
			}}},
			[]valuesProblem{{2, "$.replicaCount", "maximum: got 9, want 5"}, {5, "$.image.tag", "minLength: got 0, want 1"}, {0, "$", "missing property name"}}},
		{"a YAML error on its line", shared.Error{Message: "The values are not valid YAML: yaml: line 3: found a tab.", Details: map[string]any{"line": float64(3)}},
			[]valuesProblem{{3, "", "The values are not valid YAML: yaml: line 3: found a tab."}}},
		{"lines that are not lines", shared.Error{Message: "m", Details: map[string]any{"violations": []any{
			map[string]any{"message": "a", "line": float64(-1)},
			map[string]any{"message": "b", "line": 2.5},
			map[string]any{"message": "c", "line": "4"},
			map[string]any{"message": "d", "line": 1e12},
			"not a violation",
			map[string]any{"line": float64(1)},
		}}}, []valuesProblem{{0, "", "a"}, {0, "", "b"}, {0, "", "c"}, {0, "", "d"}}},
		{"nothing to point to", shared.Error{Message: "The values are longer than 65536 bytes."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, problemsOf(tt.err)); diff != "" {
				t.Errorf("problemsOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLineSpan(t *testing.T) {
	tests := []struct {
		name       string
		text       string
		line       int
		start, end int
	}{
		{"the first line", "a: 1\nb: 2\n", 1, 0, 4},
		{"the second line", "a: 1\nb: 2\n", 2, 5, 9},
		{"the empty last line", "a: 1\nb: 2\n", 3, 10, 10},
		{"past the end", "a: 1", 7, 4, 4},
		{"after an emoji, in UTF-16 units", "a: 😀\nb: é\n", 2, 6, 10},
		{"an empty text", "", 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, e := lineSpan(tt.text, tt.line); s != tt.start || e != tt.end {
				t.Errorf("lineSpan(%q, %d) = %d, %d; want %d, %d", tt.text, tt.line, s, e, tt.start, tt.end)
			}
		})
	}
}

// The defaults follow the version chosen; a reply for another version is
// dropped, and "Start from the defaults" fills only an empty box.
func TestChartInstallDefaults(t *testing.T) {
	var f chartInstall
	f.offered([]string{"team"}, nil, "")
	f.open(webChart, "")
	key, want := f.wantDefaults()
	if !want || key != "test/web@2.0.0" {
		t.Fatalf("wantDefaults = %q %v", key, want)
	}
	f.loadingDefaults(key)
	f.set(installVersion, "1.0.0")
	key2, want := f.wantDefaults()
	if !want || key2 != "test/web@1.0.0" {
		t.Fatalf("after a version change: %q %v", key2, want)
	}
	f.loadingDefaults(key2)
	f.loadedDefaults(key, shared.ChartDefaults{Version: "2.0.0", Values: "old: 1\n"}, nil)
	if f.defaults.status != statusLoading {
		t.Errorf("the defaults of another version were taken: %+v", f.defaults)
	}
	f.loadedDefaults(key2, shared.ChartDefaults{Version: "1.0.0", Values: "replicaCount: 1\n"}, nil)
	if _, want := f.wantDefaults(); want || f.defaults.status != statusLoaded {
		t.Errorf("loaded defaults: %+v", f.defaults)
	}
	f.set(installValues, "greeting: hi")
	if f.canUseDefaults() {
		t.Error("the defaults may replace what the user typed")
	}
	f.useDefaults()
	if f.req.Values != "greeting: hi" {
		t.Errorf("values %q: what the user typed was lost", f.req.Values)
	}
	f.set(installValues, "  \n")
	f.useDefaults()
	if f.req.Values != "replicaCount: 1\n" {
		t.Errorf("values %q, want the defaults", f.req.Values)
	}
	f.set(installValues, "")
	f.loadedDefaults(key2, shared.ChartDefaults{Version: "1.0.0", Values: strings.Repeat("a: 1\n", maxValuesBytes/5+1)}, nil)
	if f.canUseDefaults() {
		t.Error("defaults longer than the values box takes may be copied into it")
	}
	f.loadedDefaults(key2, shared.ChartDefaults{}, errors.New("boom"))
	if f.defaults.status != statusFailed || f.defaults.err == "" {
		t.Errorf("a failed load: %+v", f.defaults)
	}
}

// A dry run shows only while the form holds what it rendered; a refusal
// that blames the values marks their lines; anything else is the
// preview's failure.
func TestChartInstallPreview(t *testing.T) {
	var f chartInstall
	f.offered([]string{"team"}, nil, "")
	f.open(webChart, "team")
	f.set(installName, "")
	if _, _, ok := f.startPreview(); ok || f.errorAt(installName) == "" {
		t.Fatal("a preview of a form with a problem was sent")
	}
	f.set(installName, "web")
	req, seq, ok := f.startPreview()
	if !ok || !cmp.Equal(req, shared.ChartPreview{ChartInstall: f.req}) {
		t.Fatalf("startPreview = %+v %v", req, ok)
	}
	if _, _, again := f.startPreview(); again {
		t.Error("a second preview was sent while the first runs")
	}
	f.previewed(seq, shared.ReleaseDetail{Release: shared.Release{Revision: 1}}, nil)
	if !f.previewShown() || f.preview.status != statusLoaded {
		t.Fatalf("preview %+v", f.preview)
	}
	f.set(installValues, "greeting: hi")
	if f.previewShown() {
		t.Error("the preview still shows after the values changed")
	}

	// The user types while the dry run renders: its reply is dropped.
	_, seq, _ = f.startPreview()
	f.set(installValues, "greeting: hey")
	f.previewed(seq, shared.ReleaseDetail{}, nil)
	if f.previewShown() || f.preview.status == statusLoading {
		t.Errorf("a stale preview shows: %+v", f.preview)
	}

	_, seq, _ = f.startPreview()
	refusal := &replyError{Status: http.StatusBadRequest, API: shared.Error{Code: shared.CodeValidation,
		Message: "The values do not match the chart's schema: $.replicaCount: maximum: got 9, want 5.",
		Details: map[string]any{"field": "values", "path": "$.replicaCount", "line": float64(2), "violations": []any{
			map[string]any{"path": "$.replicaCount", "message": "maximum: got 9, want 5", "line": float64(2)}}}}}
	f.previewed(seq, shared.ReleaseDetail{}, refusal)
	if f.previewShown() || f.errorAt(installValues) == "" || f.valuesPath != "$.replicaCount" {
		t.Errorf("a refusal of the values: preview %+v, error %q", f.preview, f.errorAt(installValues))
	}
	if diff := cmp.Diff(map[int][]string{2: {"maximum: got 9, want 5"}}, f.lineProblems()); diff != "" {
		t.Errorf("problems by line (-want +got):\n%s", diff)
	}
	f.set(installValues, "greeting: hi\nreplicaCount: 2")
	if len(f.lineProblems()) != 0 || f.errorAt(installValues) != "" {
		t.Error("the values' problems stay after the values changed")
	}

	_, seq, _ = f.startPreview()
	f.previewed(seq, shared.ReleaseDetail{}, &replyError{Status: http.StatusForbidden, API: shared.Error{Code: shared.CodeForbidden, Message: "You may not create Deployments in team."}})
	if !f.previewShown() || f.preview.status != statusFailed || f.preview.err == "" {
		t.Errorf("a forbidden dry run: %+v", f.preview)
	}
}
