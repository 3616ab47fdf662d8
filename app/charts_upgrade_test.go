//go:build !wasm

package main

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// The release the upgrade tests upgrade: web 1.0.0 in namespace team,
// with the values its user gave.
var (
	upgradeRef     = shared.ReleaseRef{Namespace: "team", Name: "site"}
	upgradeRelease = shared.ReleaseDetailReply{ReleaseDetail: shared.ReleaseDetail{
		Release: shared.Release{Namespace: "team", Name: "site", Chart: "web", ChartVersion: "1.0.0", Revision: 2},
		Values:  "greeting: hi\n",
	}}
	mirrorWeb = shared.CatalogChart{Repository: "mirror", Name: "web", LatestVersion: "1.5.0", Versions: []string{"1.5.0", "1.0.0"}}
	dbChart   = shared.CatalogChart{Repository: "test", Name: "db", LatestVersion: "3.0.0", Versions: []string{"3.0.0"}}
)

// upgradeForm is what the user sees of the upgrade form: nil fields for a
// form not open.
type upgradeForm struct {
	Chart, Version, Values string
	Versions               []string
	Name, Namespace        string
}

func formOf(f chartInstall) *upgradeForm {
	if !f.isOpen() {
		return nil
	}
	return &upgradeForm{Chart: f.req.Chart, Version: f.req.Version, Values: f.req.Values,
		Versions: f.versions(), Name: f.req.Name, Namespace: f.req.Namespace}
}

func TestReleaseUpgradeBegin(t *testing.T) {
	hidden := upgradeRelease
	hidden.Values, hidden.ValuesHidden = "", true
	tests := []struct {
		name       string
		det        shared.ReleaseDetailReply
		wantValues string
	}{
		{"the values the user gave are kept", upgradeRelease, "greeting: hi\n"},
		{"values the user may not read are not", hidden, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u releaseUpgrade
			u.form.openUpgrade(shared.ReleaseRef{Namespace: "old", Name: "before"}, webChart, "", "x: 1\n")
			u.begin(upgradeRef, tc.det)
			if !u.isOpen() || u.ref != upgradeRef || u.chart != "web" || u.values != tc.wantValues {
				t.Errorf("open %v on %v, chart %q, values %q; want %v, web, %q", u.isOpen(), u.ref, u.chart, u.values, upgradeRef, tc.wantValues)
			}
			// The catalog is searched first: no form, no choices, nothing
			// left of an upgrade before.
			if u.status != statusLoading || u.form.isOpen() || u.choices != nil {
				t.Errorf("status %v, form open %v, choices %v", u.status, u.form.isOpen(), u.choices)
			}
		})
	}
}

func TestReleaseUpgradeFound(t *testing.T) {
	tests := []struct {
		name        string
		charts      []shared.CatalogChart
		err         error
		wantStatus  loadStatus
		wantErr     string
		wantChoices []string // the charts offered to pick from
		want        *upgradeForm
	}{
		{
			name: "one repository has the chart: the form opens on it", charts: []shared.CatalogChart{dbChart, webChart},
			wantStatus: statusLoaded,
			// pick opens the form at the chart's latest version, not at
			// the release's own 1.0.0.
			want: &upgradeForm{Chart: "test/web", Version: "2.0.0", Values: "greeting: hi\n",
				Versions: []string{"2.0.0", "1.0.0"}, Name: "site", Namespace: "team"},
		},
		{
			name: "several have it: the user picks one of them", charts: []shared.CatalogChart{webChart, dbChart, mirrorWeb},
			wantStatus: statusLoaded, wantChoices: []string{"test/web", "mirror/web"},
		},
		{
			name: "none has it: the user picks a chart", charts: []shared.CatalogChart{dbChart},
			wantStatus: statusLoaded, wantChoices: []string{"test/db"},
		},
		{
			name: "the catalog is empty", wantStatus: statusFailed,
			wantErr: "No configured repository has a chart named web.",
		},
		{
			name: "the search failed", err: errors.New("offline"), charts: []shared.CatalogChart{webChart},
			wantStatus: statusFailed, wantErr: "offline",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u releaseUpgrade
			u.begin(upgradeRef, upgradeRelease)
			u.found(tc.charts, tc.err)
			if u.status != tc.wantStatus || u.err != tc.wantErr {
				t.Errorf("status %v, error %q; want %v, %q", u.status, u.err, tc.wantStatus, tc.wantErr)
			}
			var choices []string
			for _, ch := range u.choices {
				choices = append(choices, chartRef(ch))
			}
			if diff := cmp.Diff(tc.wantChoices, choices); diff != "" {
				t.Errorf("charts to pick from (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, formOf(u.form)); diff != "" {
				t.Errorf("the form (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReleaseUpgradePick(t *testing.T) {
	found := func(t *testing.T) *releaseUpgrade {
		t.Helper()
		u := &releaseUpgrade{}
		u.begin(upgradeRef, upgradeRelease)
		u.found([]shared.CatalogChart{webChart, mirrorWeb, dbChart}, nil)
		return u
	}
	mirror := &upgradeForm{Chart: "mirror/web", Version: "1.5.0", Values: "greeting: hi\n",
		Versions: []string{"1.5.0", "1.0.0"}, Name: "site", Namespace: "team"}
	tests := []struct {
		name  string
		picks []string
		want  *upgradeForm
	}{
		{"a chart offered", []string{"mirror/web"}, mirror},
		{"a chart not offered", []string{"other/web"}, nil},
		{"nothing chosen", []string{""}, nil},
		{"another chart, before sending", []string{"test/web", "mirror/web"}, mirror},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := found(t)
			for _, ref := range tc.picks {
				u.pickRef(ref)
			}
			if diff := cmp.Diff(tc.want, formOf(u.form)); diff != "" {
				t.Errorf("the form (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("the values the user typed stay while the upgrade runs", func(t *testing.T) {
		u := found(t)
		u.pickRef("test/web")
		u.form.set(installValues, "greeting: hello\n")
		if _, ok := u.form.start(); !ok {
			t.Fatalf("not sent: %v", u.form.problems())
		}
		u.pickRef("mirror/web")
		if u.form.req.Chart != "test/web" || u.form.req.Values != "greeting: hello\n" {
			t.Errorf("a pick while the request was on its way changed the form: %+v", u.form.req)
		}
		u.form.accepted(shared.Operation{ID: "op", Phase: shared.OperationRunning})
		u.pickRef("mirror/web")
		if u.form.req.Chart != "test/web" {
			t.Errorf("a pick while the upgrade ran changed the chart to %q", u.form.req.Chart)
		}
	})
}

func TestChartUpgradeOpen(t *testing.T) {
	onlyVersions := shared.CatalogChart{Repository: "test", Name: "web", Versions: []string{"2.0.0", "1.0.0"}}
	tests := []struct {
		name    string
		chart   shared.CatalogChart
		version string
		want    upgradeForm
	}{
		{"the release's version, listed, stays chosen", webChart, "1.0.0",
			upgradeForm{Chart: "test/web", Version: "1.0.0", Versions: []string{"2.0.0", "1.0.0"}}},
		{"the release's version, not listed, is offered first", webChart, "0.9.0",
			upgradeForm{Chart: "test/web", Version: "0.9.0", Versions: []string{"0.9.0", "2.0.0", "1.0.0"}}},
		{"no version: the latest", webChart, "",
			upgradeForm{Chart: "test/web", Version: "2.0.0", Versions: []string{"2.0.0", "1.0.0"}}},
		{"no latest given: the first listed", onlyVersions, "",
			upgradeForm{Chart: "test/web", Version: "2.0.0", Versions: []string{"2.0.0", "1.0.0"}}},
		{"a chart the catalog does not list", shared.CatalogChart{Repository: "test", Name: "web"}, "1.0.0",
			upgradeForm{Chart: "test/web", Version: "1.0.0", Versions: []string{"1.0.0"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f chartInstall
			f.offered([]string{"team", "other"}, nil, "")
			f.openUpgrade(upgradeRef, tc.chart, tc.version, "greeting: hi\n")
			want := tc.want
			want.Name, want.Namespace, want.Values = "site", "team", "greeting: hi\n"
			if diff := cmp.Diff(&want, formOf(f)); diff != "" {
				t.Errorf("the form (-want +got):\n%s", diff)
			}
			if !f.upgrade || len(f.problems()) != 0 || f.busy() || f.following() {
				t.Errorf("upgrade %v, problems %v, busy %v, following %v", f.upgrade, f.problems(), f.busy(), f.following())
			}
		})
	}
}

func TestChartUpgradeRequest(t *testing.T) {
	tests := []struct {
		name  string
		edits [][2]string // field, value
		want  shared.ChartInstall
	}{
		{"as opened", nil, shared.ChartInstall{Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"}},
		{"name and namespace cannot change", [][2]string{{installName, "other"}, {installNamespace, "elsewhere"}},
			shared.ChartInstall{Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"}},
		{"version and values can", [][2]string{{installVersion, "2.0.0"}, {installValues, ""}},
			shared.ChartInstall{Chart: "test/web", Version: "2.0.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f chartInstall
			f.openUpgrade(upgradeRef, webChart, "1.0.0", "greeting: hi\n")
			for _, e := range tc.edits {
				f.set(e[0], e[1])
			}
			if f.req.Name != "site" || f.req.Namespace != "team" || f.errorAt(installName) != "" || f.errorAt(installNamespace) != "" {
				t.Errorf("the release is %s/%s (errors %q, %q), want team/site",
					f.req.Namespace, f.req.Name, f.errorAt(installNamespace), f.errorAt(installName))
			}
			req, ok := f.start()
			if !ok {
				t.Fatalf("not sent: %v", f.problems())
			}
			// The release is the request's path: the body names none.
			if diff := cmp.Diff(tc.want, req); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			if !f.busy() {
				t.Error("not busy once sent")
			}
			if _, again := f.start(); again {
				t.Error("sent twice")
			}
		})
	}
	t.Run("a version must be chosen", func(t *testing.T) {
		var f chartInstall
		f.openUpgrade(upgradeRef, shared.CatalogChart{Repository: "test", Name: "web"}, "", "")
		if _, ok := f.start(); ok {
			t.Fatal("sent without a version")
		}
		if got := f.errorAt(installVersion); got != "Choose the chart's version." {
			t.Errorf("version error %q", got)
		}
	})
}

func TestChartUpgradeRefused(t *testing.T) {
	bad := badRequest
	schema := "The values do not match the chart's schema: $.replicaCount: maximum: got 9, want 5."
	tests := []refusal{
		{"a 400 naming a path in the values", bad(schema, map[string]any{"path": "$.replicaCount"}), installValues, "$.replicaCount", schema},
		{"a 400 naming the values", bad("The values are not YAML.", map[string]any{"field": "values"}), installValues, "", "The values are not YAML."},
		{"a 400 naming the version", bad("Version 9.9.9 of chart web is not in repository test.", map[string]any{"field": "version"}),
			installVersion, "", "Version 9.9.9 of chart web is not in repository test."},
		{"a conflict", &replyError{Status: http.StatusConflict, API: shared.Error{Code: shared.CodeConflict, Message: "Another operation on the release runs."}},
			"", "", "Another operation on the release runs."},
		{"offline", errors.New("offline"), "", "", "offline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f chartInstall
			f.openUpgrade(upgradeRef, webChart, "1.0.0", "replicaCount: 9\n")
			checkRefusal(t, &f, tc)
			if f.req.Name != "site" || f.req.Namespace != "team" {
				t.Errorf("the refusal changed the release to %s/%s", f.req.Namespace, f.req.Name)
			}
			if _, ok := f.start(); !ok {
				t.Error("the form cannot be sent again")
			}
		})
	}
}

func TestChartUpgradeOperation(t *testing.T) {
	op := func(phase shared.OperationPhase, e *shared.Error) shared.Operation {
		return shared.Operation{ID: "u", Kind: shared.OperationHelmUpgrade, Phase: phase, Error: e,
			Target: shared.OperationTarget{Kind: "release", Namespace: "team", Name: "site"}}
	}
	tests := []struct {
		name          string
		end           shared.Operation
		wantFollowing bool
		wantOutcome   string // once following, else the failure above the button
		wantValues    string
	}{
		{"succeeds", op(shared.OperationSucceeded, nil), true, "Release team/site upgraded.", ""},
		{"fails", op(shared.OperationFailed, &shared.Error{Code: shared.CodeK8sAPI, Message: "The cluster refused."}),
			true, "Release team/site was not upgraded: The cluster refused.", ""},
		{"fails on the values: back to the form", op(shared.OperationFailed, &shared.Error{Code: shared.CodeValidation,
			Message: "The values do not match the chart's schema: $.replicaCount: maximum: got 9, want 5."}),
			false, "Release team/site was not upgraded: The values do not match the chart's schema: $.replicaCount: maximum: got 9, want 5.",
			"The values do not match the chart's schema: $.replicaCount: maximum: got 9, want 5."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var u releaseUpgrade
			u.begin(upgradeRef, upgradeRelease)
			u.found([]shared.CatalogChart{webChart}, nil)
			if _, ok := u.form.start(); !ok {
				t.Fatal("not sent")
			}
			u.form.accepted(op(shared.OperationRunning, nil))
			if u.close() {
				t.Fatal("the upgrade closed while its operation ran")
			}
			if !u.form.progress(tc.end) {
				t.Fatal("the form did not take its operation's end")
			}
			got := u.form.failure
			if u.form.following() {
				got = u.form.outcome()
			}
			if u.form.following() != tc.wantFollowing || got != tc.wantOutcome || u.form.errorAt(installValues) != tc.wantValues {
				t.Errorf("following %v, outcome %q, values error %q; want %v, %q, %q",
					u.form.following(), got, u.form.errorAt(installValues), tc.wantFollowing, tc.wantOutcome, tc.wantValues)
			}
			if !u.close() || u.isOpen() || u.form.isOpen() {
				t.Errorf("the upgrade did not close once its operation ended")
			}
		})
	}
}

// The release's own version is offered, marked, even when the catalog no
// longer lists it; the latest stays chosen. A user who may not read the
// release's values is told the upgrade replaces them.
func TestReleaseUpgradeOffersTheRunningVersion(t *testing.T) {
	old := upgradeRelease
	old.Release.ChartVersion = "0.9.0"
	old.ValuesHidden, old.Values = true, ""
	var u releaseUpgrade
	u.begin(upgradeRef, old)
	u.found([]shared.CatalogChart{webChart}, nil)
	if diff := cmp.Diff([]string{"0.9.0", "2.0.0", "1.0.0"}, u.form.versions()); diff != "" {
		t.Errorf("versions offered (-want +got):\n%s", diff)
	}
	if u.form.req.Version != "2.0.0" || u.form.current != "0.9.0" || !u.form.valuesHidden {
		t.Errorf("chosen %q, current %q, values hidden %v", u.form.req.Version, u.form.current, u.form.valuesHidden)
	}
	// Another chart than the release's: its versions are not the release's.
	u.begin(upgradeRef, old)
	u.found([]shared.CatalogChart{dbChart}, nil)
	u.pickRef("test/db")
	if slices.Contains(u.form.versions(), "0.9.0") {
		t.Errorf("versions of another chart: %v", u.form.versions())
	}
}

// What the user typed in the upgrade form survives a reload: the form of
// the same release and chart opens with the version (when offered) and
// values; another release's or chart's form opens with the release's
// values; a started upgrade, or a forgotten draft, leaves nothing.
func TestChartUpgradeDraft(t *testing.T) {
	store := draftMem{memStore{}}
	opened := func(t *testing.T, ref shared.ReleaseRef, ch shared.CatalogChart) *releaseUpgrade {
		t.Helper()
		u := &releaseUpgrade{}
		rel := upgradeRelease
		rel.Release.Namespace, rel.Release.Name = ref.Namespace, ref.Name
		u.begin(ref, rel)
		u.found([]shared.CatalogChart{ch}, nil)
		u.restoreDraft(store)
		return u
	}
	u := opened(t, upgradeRef, webChart)
	u.form.set(installVersion, "1.0.0")
	u.form.set(installValues, "greeting: hello\n")
	u.saveDraft(store)

	if got := opened(t, upgradeRef, webChart).form.req; got.Version != "1.0.0" || got.Values != "greeting: hello\n" {
		t.Errorf("the same release's form after a reload: %+v", got)
	}
	other := shared.ReleaseRef{Namespace: "team", Name: "blog"}
	if got := opened(t, other, webChart).form.req; got.Version != "2.0.0" || got.Values != "greeting: hi\n" {
		t.Errorf("another release's form took the draft: %+v", got)
	}
	if got := opened(t, upgradeRef, mirrorWeb).form.req; got.Chart != "mirror/web" || got.Values != "greeting: hi\n" {
		t.Errorf("another chart's form took the draft: %+v", got)
	}

	// A version the chart no longer offers, or values over the limit, are
	// not taken from a draft.
	_ = store.Set(upgradeDraftStorageKey, upgradeDraft{Release: upgradeRef, Req: shared.ChartInstall{
		Chart: "test/web", Version: "9.9.9", Values: strings.Repeat("x", maxValuesBytes+1)}})
	if got := opened(t, upgradeRef, webChart).form.req; got.Version != "2.0.0" || got.Values != "greeting: hi\n" {
		t.Errorf("a bad draft was taken: version %q, %d bytes of values", got.Version, len(got.Values))
	}

	// Once the upgrade is sent, edits are not kept; a forgotten draft is gone.
	u = opened(t, upgradeRef, webChart)
	u.form.set(installValues, "greeting: sent\n")
	u.saveDraft(store)
	if _, ok := u.form.start(); !ok {
		t.Fatalf("not sent: %v", u.form.problems())
	}
	u.form.set(installValues, "greeting: after\n")
	u.saveDraft(store)
	if got := opened(t, upgradeRef, webChart).form.req.Values; got != "greeting: sent\n" {
		t.Errorf("values kept while the upgrade was on its way: %q", got)
	}
	forgetUpgradeDraft(store)
	if got := opened(t, upgradeRef, webChart).form.req.Values; got != "greeting: hi\n" {
		t.Errorf("after the draft was forgotten: %q", got)
	}
}
