package main

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// What the install and upgrade forms show around the values: the chart's
// defaults, the problems the server found on their lines, and a dry run.

// valuesDefaults is the default values of the chart version the form
// names, as its values.yaml says them.
type valuesDefaults struct {
	key    string // defaultsKey of what was asked for
	status loadStatus
	reply  shared.ChartDefaults
	err    string
}

// valuesProblem is what the server found wrong at a line of the values
// (Line 0: nowhere the text says).
type valuesProblem struct {
	Line    int
	Path    string
	Message string
}

// valuesPreview is the dry run of the form as it was when asked for.
type valuesPreview struct {
	status loadStatus
	seq    int // of the form's state it renders
	reply  shared.ReleaseDetail
	err    string
}

// defaultsKey names the chart version whose defaults the form shows ("" for
// none yet).
func (f *chartInstall) defaultsKey() string {
	if f.req.Chart == "" || f.req.Version == "" {
		return ""
	}
	return f.req.Chart + "@" + f.req.Version
}

// wantDefaults says which defaults to load, if the form shows others.
func (f *chartInstall) wantDefaults() (string, bool) {
	key := f.defaultsKey()
	return key, key != "" && key != f.defaults.key
}

// loadingDefaults marks the defaults of key asked for.
func (f *chartInstall) loadingDefaults(key string) {
	f.defaults = valuesDefaults{key: key, status: statusLoading}
}

// loadedDefaults takes the defaults of key, unless the form moved on.
func (f *chartInstall) loadedDefaults(key string, d shared.ChartDefaults, err error) {
	if key != f.defaults.key {
		return
	}
	if err != nil {
		f.defaults.status, f.defaults.err = statusFailed, errorText(err)
		return
	}
	f.defaults.status, f.defaults.reply = statusLoaded, d
}

// canUseDefaults says whether "Start from the defaults" may fill the
// values: only an empty box is filled, so nothing typed is lost.
func (f *chartInstall) canUseDefaults() bool {
	return f.defaults.status == statusLoaded && f.defaults.reply.Values != "" && !f.defaultsTooLong() &&
		strings.TrimSpace(f.req.Values) == "" && !f.busy()
}

// defaultsTooLong says the defaults do not fit in the values box.
func (f *chartInstall) defaultsTooLong() bool {
	return f.defaults.reply.Truncated || len(f.defaults.reply.Values) > maxValuesBytes
}

// useDefaults fills the empty values box with the defaults.
func (f *chartInstall) useDefaults() {
	if f.canUseDefaults() {
		f.set(installValues, f.defaults.reply.Values)
	}
}

// changed is called on every change the user makes: a dry run of what
// the form held no longer says anything of it.
func (f *chartInstall) changed() {
	f.seq++
	if f.preview.status != statusLoading {
		f.preview = valuesPreview{}
	}
}

// startPreview marks every field touched and, when nothing is wrong and
// nothing runs, returns the dry run to ask for and the state it renders.
func (f *chartInstall) startPreview() (shared.ChartPreview, int, bool) {
	if !f.isOpen() || f.busy() || f.following() || f.preview.status == statusLoading {
		return shared.ChartPreview{}, 0, false
	}
	f.touchAll()
	if len(f.problems()) > 0 {
		return shared.ChartPreview{}, 0, false
	}
	f.failure = ""
	f.preview = valuesPreview{status: statusLoading, seq: f.seq}
	return shared.ChartPreview{ChartInstall: f.req, Upgrade: f.upgrade}, f.seq, true
}

// previewed takes the dry run of state seq. A refusal that blames a field
// goes beside it; anything else is the preview's failure. A dry run of a
// form changed since is dropped.
func (f *chartInstall) previewed(seq int, d shared.ReleaseDetail, err error) {
	if f.preview.status != statusLoading || f.preview.seq != seq {
		return
	}
	if seq != f.seq {
		f.preview = valuesPreview{}
		return
	}
	if err == nil {
		f.preview = valuesPreview{status: statusLoaded, seq: seq, reply: d}
		return
	}
	f.preview = valuesPreview{}
	if field := fieldRefused(err); field != "" {
		f.blame(field, *apiErrorOf(err))
		return
	}
	f.preview = valuesPreview{status: statusFailed, seq: seq, err: errorText(err)}
}

// previewShown says whether the dry run shows what the form holds now.
func (f *chartInstall) previewShown() bool {
	return f.preview.status != statusIdle && f.preview.seq == f.seq
}

// problemsOf reads the lines of the values a server error points to: each
// schema violation's, or the one line a YAML error names.
func problemsOf(e shared.Error) []valuesProblem {
	var out []valuesProblem
	if vs, ok := e.Details[shared.DetailViolations].([]any); ok {
		for _, v := range vs {
			m, _ := v.(map[string]any)
			path, _ := m["path"].(string)
			msg, _ := m["message"].(string)
			if msg == "" {
				continue
			}
			out = append(out, valuesProblem{Line: lineNumber(m["line"]), Path: path, Message: msg})
		}
	}
	if len(out) == 0 {
		if line := lineNumber(e.Details[shared.DetailLine]); line > 0 {
			out = append(out, valuesProblem{Line: line, Message: e.Message})
		}
	}
	slices.SortStableFunc(out, func(a, b valuesProblem) int { return cmp.Compare(lineOrder(a.Line), lineOrder(b.Line)) })
	return out
}

// lineOrder puts line 0 (nowhere in the text) last.
func lineOrder(line int) int {
	if line <= 0 {
		return int(^uint(0) >> 1)
	}
	return line
}

// lineNumber is a JSON number that is a line (1 or more), else 0.
func lineNumber(v any) int {
	f, ok := v.(float64)
	if !ok || f < 1 || f > 1e9 || f != float64(int(f)) {
		return 0
	}
	return int(f)
}

// lineProblems are the problems at each line of the values.
func (f *chartInstall) lineProblems() map[int][]string {
	out := map[int][]string{}
	for _, p := range f.valueProblems {
		if p.Line > 0 {
			out[p.Line] = append(out[p.Line], p.Message)
		}
	}
	return out
}

// valuesLines counts the lines of the values, as the editor numbers them.
func (f *chartInstall) valuesLines() int { return strings.Count(f.req.Values, "\n") + 1 }

// problemLabel is how the problems list names where a problem is.
func (p valuesProblem) label() string {
	switch {
	case p.Line > 0:
		return "Line " + strconv.Itoa(p.Line)
	case p.Path != "":
		return p.Path
	}
	return "Values"
}
