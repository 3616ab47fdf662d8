package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

var webChart = shared.CatalogChart{Repository: "test", Name: "web", LatestVersion: "2.0.0", Versions: []string{"2.0.0", "1.0.0"}}

func TestReleaseNameProblem(t *testing.T) {
	tests := []struct {
		name, in, want string // want: a part of the message, "" for none
	}{
		{"ok", "web-1", ""},
		{"empty", "", "Name the release"},
		{"upper case", "Web", "lower case"},
		{"dot", "web.one", "'.'"},
		{"dash at the end", "web-", "start and end"},
		{"53 is fine", strings.Repeat("a", 53), ""},
		{"54 is too long", strings.Repeat("a", 54), "at most 53 characters long (it has 54)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := releaseNameProblem(tc.in)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("releaseNameProblem(%q) = %q, want it to say %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestChartInstallOpen(t *testing.T) {
	var f chartInstall
	f.offered([]string{"a", "team"}, nil, "")
	f.open(webChart, "team")
	want := shared.ChartInstall{Name: "web", Namespace: "team", Chart: "test/web", Version: "2.0.0"}
	if diff := cmp.Diff(want, f.req); diff != "" {
		t.Errorf("a new form (-want +got):\n%s", diff)
	}
	if len(f.problems()) != 0 || f.errorAt(installName) != "" {
		t.Errorf("problems %v", f.problems())
	}
	// A namespace remembered but not offered is not chosen (the first
	// offered is); the namespaces stay when the form closes.
	f.close()
	if f.isOpen() || len(f.namespaces) != 2 {
		t.Fatalf("closed: open %v, namespaces %v", f.isOpen(), f.namespaces)
	}
	f.open(shared.CatalogChart{Repository: "r", Name: "Big_Chart", LatestVersion: "1"}, "gone")
	if f.req.Name != "" || f.req.Namespace != "a" {
		t.Errorf("name %q, namespace %q: want none and a", f.req.Name, f.req.Namespace)
	}
	// The namespaces arrive after the form opened.
	var g chartInstall
	g.open(webChart, "team")
	g.offered([]string{"team"}, nil, "team")
	if g.req.Namespace != "team" || g.nsStatus != statusLoaded {
		t.Errorf("namespace %q, status %v", g.req.Namespace, g.nsStatus)
	}
	g.offered(nil, errors.New("offline"), "")
	if g.nsStatus != statusFailed {
		t.Errorf("status %v after a failure", g.nsStatus)
	}
}

func TestChartInstallVersions(t *testing.T) {
	var f chartInstall
	f.open(webChart, "")
	if diff := cmp.Diff([]string{"2.0.0", "1.0.0"}, f.versions()); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	f.openUpgrade(shared.ReleaseRef{Namespace: "a", Name: "web"}, webChart, "0.9.0", "x: 1\n")
	if diff := cmp.Diff([]string{"0.9.0", "2.0.0", "1.0.0"}, f.versions()); diff != "" {
		t.Errorf("versions with the release's own (-want +got):\n%s", diff)
	}
}

func TestChartInstallErrorsAsTyped(t *testing.T) {
	var f chartInstall
	f.open(webChart, "")
	f.req.Name = ""
	if got := f.errorAt(installName); got != "" {
		t.Errorf("an untouched field shows %q", got)
	}
	f.set(installName, "Web")
	if got := f.errorAt(installName); !strings.Contains(got, "lower case") {
		t.Errorf("name error %q", got)
	}
	// Install marks every field: the namespace none was chosen says so.
	if _, ok := f.start(); ok {
		t.Fatal("a form with problems was sent")
	}
	if got := f.errorAt(installNamespace); got != "Choose the namespace to install into." {
		t.Errorf("namespace error %q", got)
	}
	f.set(installName, "web")
	f.set(installNamespace, "team")
	f.set(installValues, strings.Repeat("x", maxValuesBytes+1))
	if got := f.errorAt(installValues); !strings.Contains(got, "at most 65536") {
		t.Errorf("values error %q", got)
	}
	f.set(installValues, "greeting: hi\n")
	req, ok := f.start()
	if !ok {
		t.Fatalf("not sent: %v", f.problems())
	}
	want := shared.ChartInstall{Name: "web", Namespace: "team", Chart: "test/web", Version: "2.0.0", Values: "greeting: hi\n"}
	if diff := cmp.Diff(want, req); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if _, again := f.start(); again || !f.busy() {
		t.Error("sent twice")
	}
	f.set(installName, "other")
	if f.req.Name != "web" {
		t.Error("a field changed while the request was on its way")
	}
}

// badRequest is the server's 400 with msg and details.
func badRequest(msg string, details map[string]any) error {
	return &replyError{Status: http.StatusBadRequest, API: shared.Error{Code: shared.CodeValidation, Message: msg, Details: details}}
}

// refusal is a server's refusal of a form and where the form shows it.
type refusal struct {
	name      string
	err       error
	field     string // where the error shows; "" above the button
	wantPath  string
	wantError string
}

// checkRefusal sends f, gives it r's refusal and checks where the error
// shows: beside its field alone, or above the button.
func checkRefusal(t *testing.T, f *chartInstall, r refusal) {
	t.Helper()
	if _, ok := f.start(); !ok {
		t.Fatal("not sent")
	}
	f.refused(r.err)
	if f.busy() {
		t.Error("still busy after the refusal")
	}
	got := f.failure
	if r.field != "" {
		got = f.errorAt(r.field)
		if f.failure != "" {
			t.Errorf("also above the button: %q", f.failure)
		}
	}
	if got != r.wantError || f.valuesPath != r.wantPath {
		t.Errorf("error %q at path %q, want %q at %q", got, f.valuesPath, r.wantError, r.wantPath)
	}
}

func TestChartInstallRefused(t *testing.T) {
	bad := badRequest
	tests := []refusal{
		{"values path", bad("The values do not match the chart's schema: $.image.tag: minLength: got 0, want 1.", map[string]any{"path": "$.image.tag"}),
			installValues, "$.image.tag", "The values do not match the chart's schema: $.image.tag: minLength: got 0, want 1."},
		{"path in the message", bad("The values do not match the chart's schema: $.ports[0]: wrong type (and 2 more).", nil),
			installValues, "$.ports[0]", "The values do not match the chart's schema: $.ports[0]: wrong type (and 2 more)."},
		{"values not YAML", bad("The values must be a YAML mapping (key: value lines), not a list or a single value.", nil),
			installValues, "", "The values must be a YAML mapping (key: value lines), not a list or a single value."},
		{"name parameter", bad("The release name \"x\" is not valid.", map[string]any{"parameter": "name"}),
			installName, "", "The release name \"x\" is not valid."},
		{"namespace field", bad("Choose the namespace to install into.", map[string]any{"field": "namespace"}),
			installNamespace, "", "Choose the namespace to install into."},
		{"a 400 about no field", bad("The chart is not in a configured repository.", nil), "", "", "The chart is not in a configured repository."},
		{"a conflict", &replyError{Status: http.StatusConflict, API: shared.Error{Code: shared.CodeConflict, Message: "Busy."}}, "", "", "Busy."},
		{"offline", errors.New("offline"), "", "", "offline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f chartInstall
			f.open(webChart, "")
			f.set(installNamespace, "team")
			checkRefusal(t, &f, tc)
			// Typing in the field clears the server's word on it.
			if tc.field != "" {
				f.set(tc.field, "x")
				if f.server[tc.field] != "" || (tc.field == installValues && f.valuesPath != "") {
					t.Errorf("after typing: %q, path %q", f.server[tc.field], f.valuesPath)
				}
			}
		})
	}
}

func TestChartInstallOperation(t *testing.T) {
	op := func(id string, phase shared.OperationPhase, msg string, e *shared.Error) shared.Operation {
		return shared.Operation{ID: id, Kind: shared.OperationHelmInstall, Phase: phase, Message: msg, Error: e,
			Target: shared.OperationTarget{Kind: "release", Namespace: "team", Name: "web"}}
	}
	start := func(t *testing.T) *chartInstall {
		t.Helper()
		f := &chartInstall{}
		f.open(webChart, "")
		f.set(installNamespace, "team")
		if _, ok := f.start(); !ok {
			t.Fatal("not sent")
		}
		f.accepted(op("a", shared.OperationPending, "Working on release team/web.", nil))
		return f
	}
	t.Run("succeeds", func(t *testing.T) {
		f := start(t)
		for _, o := range []shared.Operation{
			op("other", shared.OperationRunning, "Not this one.", nil),
			op("a", shared.OperationRunning, "Downloading chart web 2.0.0.", nil),
			op("a", shared.OperationRunning, "Downloading chart web 2.0.0.", nil),
			op("a", shared.OperationSucceeded, "Release team/web installed.", nil),
			op("a", shared.OperationFailed, "Too late.", nil),
		} {
			f.progress(o)
		}
		want := []string{"Working on release team/web.", "Downloading chart web 2.0.0.", "Release team/web installed."}
		if diff := cmp.Diff(want, f.log); diff != "" {
			t.Errorf("log (-want +got):\n%s", diff)
		}
		if f.busy() || !f.following() || f.outcome() != "Release team/web installed." {
			t.Errorf("busy %v, following %v, outcome %q", f.busy(), f.following(), f.outcome())
		}
		f.edit() // only after a failure
		if !f.following() {
			t.Error("edit left a succeeded operation")
		}
	})
	t.Run("fails on the values", func(t *testing.T) {
		f := start(t)
		e := &shared.Error{Code: shared.CodeValidation, Message: "The values do not match the chart's schema: $.replicaCount: maximum: got 9, want 5."}
		f.progress(op("a", shared.OperationFailed, "", e))
		if f.following() || f.errorAt(installValues) != e.Message || f.valuesPath != "$.replicaCount" {
			t.Errorf("following %v, values error %q at %q", f.following(), f.errorAt(installValues), f.valuesPath)
		}
		if !strings.Contains(f.failure, "was not installed") {
			t.Errorf("failure %q", f.failure)
		}
		if _, ok := f.start(); !ok {
			t.Error("the form cannot be sent again")
		}
	})
	t.Run("fails otherwise", func(t *testing.T) {
		f := start(t)
		f.progress(op("a", shared.OperationFailed, "", &shared.Error{Code: shared.CodeK8sAPI, Message: "The cluster refused."}))
		if got := f.outcome(); got != "Release team/web was not installed: The cluster refused." {
			t.Errorf("outcome %q", got)
		}
		f.edit()
		if f.following() || f.busy() {
			t.Error("edit did not go back to the form")
		}
	})
	t.Run("lost", func(t *testing.T) {
		f := start(t)
		f.lost("other")
		if !f.busy() {
			t.Fatal("another operation's loss ended this one")
		}
		f.lost("a")
		if f.busy() || !strings.Contains(f.outcome(), "no longer knows") {
			t.Errorf("busy %v, outcome %q", f.busy(), f.outcome())
		}
	})
}

func TestChartUpgradeForm(t *testing.T) {
	var f chartInstall
	f.openUpgrade(shared.ReleaseRef{Namespace: "team", Name: "web"}, webChart, "1.0.0", "a: 1\n")
	f.set(installName, "other")
	f.set(installNamespace, "other")
	f.set(installVersion, "2.0.0")
	req, ok := f.start()
	if !ok {
		t.Fatalf("not sent: %v", f.problems())
	}
	want := shared.ChartInstall{Chart: "test/web", Version: "2.0.0", Values: "a: 1\n"}
	if diff := cmp.Diff(want, req); diff != "" {
		t.Errorf("upgrade request (-want +got):\n%s", diff)
	}
	f.accepted(shared.Operation{ID: "u", Phase: shared.OperationSucceeded})
	if got := f.outcome(); got != "Release team/web upgraded." {
		t.Errorf("outcome %q", got)
	}
}
