package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/kubedeck/kubedeck/shared"
)

// chartsPageWith is a page showing the test releases.
func chartsPageWith(t *testing.T, list shared.ReleaseList) *chartsPage {
	t.Helper()
	p := newChartsPage()
	p.list.loaded(p.list.begin(), list, nil)
	return p
}

func TestChartsPageRender(t *testing.T) {
	failed := &replyError{Status: 503, API: shared.Error{Code: shared.CodeUnavailable, Message: "Helm is not configured."}}
	tests := []struct {
		name    string
		page    func() *chartsPage
		want    []string
		notWant []string
	}{
		{"loading", newChartsPage, []string{`id="page-charts"`, "Loading releases…"}, []string{"kd-releases"}},
		{"failed with nothing to show", func() *chartsPage {
			p := newChartsPage()
			p.list.loaded(p.list.begin(), shared.ReleaseList{}, failed)
			return p
		}, []string{`role="alert"`, "The releases could not be loaded: Helm is not configured.", "Retry"}, []string{"kd-releases"}},
		{"none", func() *chartsPage { return chartsPageWith(t, shared.ReleaseList{}) },
			[]string{"No Helm releases that you may see."}, nil},
		{"only notes: never a blank page", func() *chartsPage {
			return chartsPageWith(t, shared.ReleaseList{Forbidden: []string{"team-x", "team-y", "team-z"}, Hidden: 2,
				Errors: map[string]string{"team-q": "the API did not answer"}})
		}, []string{
			"Not shown: releases in namespaces team-x, team-y and team-z, which you may not read.",
			">2 namespaces are hidden from you.</p>",
			"Some releases could not be read: namespace team-q: the API did not answer.",
			"No Helm releases that you may see.",
		}, nil},
		{"a table", func() *chartsPage { return chartsPageWith(t, shared.ReleaseList{Releases: testReleases()}) }, []string{
			`id="kd-releases"`, "kd-release-table", `data-release="team-b/web"`, "web 1.2.0", "A web server", "2.0",
			"kd-badge kd-badge-ok", "kd-badge kd-badge-error", "stuck: pending-upgrade", "kd-release-stuck",
			"kd-release-icon kd-icon-c", `id="kd-select-all"`, `id="kd-select-team-a/db"`, "5 releases",
			`aria-label="Select release team-a/db"`, `id="kd-layout-table"`,
		}, []string{"kd-release-grid", "<img"}},
		{"a grid, filtered and selected", func() *chartsPage {
			p := chartsPageWith(t, shared.ReleaseList{Releases: testReleases()})
			p.layout = layoutGrid
			p.filter = chartsFilter{Namespace: "team-a"}
			p.sel.toggle("team-a/db")
			p.sel.toggle("team-b/web") // filtered out: not counted
			return p
		}, []string{"kd-release-grid", `data-release="team-a/db"`, "2 of 5 releases", "Uninstall selected (1)"},
			[]string{"kd-release-table", `data-release="team-b/web"`}},
		{"nothing matches", func() *chartsPage {
			p := chartsPageWith(t, shared.ReleaseList{Releases: testReleases()})
			p.filter.Query = "nginx"
			return p
		}, []string{"No releases match the filter."}, []string{"kd-releases"}},
		{"a failed refresh keeps the releases", func() *chartsPage {
			p := chartsPageWith(t, shared.ReleaseList{Releases: testReleases()})
			p.list.loaded(p.list.begin(), shared.ReleaseList{}, failed)
			return p
		}, []string{`id="kd-releases"`, "The list could not be refreshed (Helm is not configured.)"}, nil},
		{"the uninstall dialog lists exactly what goes", func() *chartsPage {
			p := chartsPageWith(t, shared.ReleaseList{Releases: testReleases()})
			p.confirm.ask([]shared.ReleaseRef{{Namespace: "team-a", Name: "db"}, {Namespace: "team-b", Name: "web"}})
			return p
		}, []string{`role="alertdialog"`, "Uninstall 2 releases?", ">db</strong>", "in namespace team-a", ">web</strong>", "in namespace team-b"},
			[]string{">cache</strong>"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			html := renderPage(t, tc.page())
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in\n%s", w, html)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

func TestChartsReleaseDrawerTabs(t *testing.T) {
	det := shared.ReleaseDetailReply{
		ReleaseDetail: shared.ReleaseDetail{
			Release:  shared.Release{Name: "web", Namespace: "a", Chart: "web", ChartVersion: "1.0.0", Status: shared.ReleasePendingUpgrade, Stuck: true, Revision: 2},
			Notes:    "Visit <http://web>",
			Values:   "replicas: 2\n",
			Manifest: "kind: Service\n",
			History:  []shared.ReleaseRevision{{Revision: 1, Status: shared.ReleaseSuperseded}, {Revision: 2, Status: shared.ReleasePendingUpgrade}},
		},
		Objects: []shared.ReleaseObject{
			{ReleaseResource: shared.ReleaseResource{Kind: "Deployment", Namespace: "a", Name: "web"}, Found: true, Status: "Available", Level: shared.LevelOK},
			{ReleaseResource: shared.ReleaseResource{Kind: "Widget", Namespace: "a", Name: "w"}},
		},
	}
	tests := []struct {
		tab  releaseTab
		want []string
	}{
		{releaseTabOverview, []string{"Helm release", "a/web", "is stuck in pending-upgrade", "web 1.0.0"}},
		{releaseTabValues, []string{"Values you gave", "replicas", "None."}},
		{releaseTabManifest, []string{"Service"}},
		{releaseTabNotes, []string{"Visit &lt;http://web&gt;"}},
		{releaseTabHistory, []string{`id="kd-rollback-1"`, `aria-label="Roll back to revision 1"`}},
		{releaseTabResources, []string{"Deployment", "kd-badge kd-badge-ok", "Available", "not watched, or gone"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.tab), func(t *testing.T) {
			d := newReleaseDrawer().Release(shared.ReleaseRef{Namespace: "a", Name: "web"}).Loaded(statusLoaded, det, "")
			d.Tab = tc.tab
			html := renderPage(t, d)
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in\n%s", w, html)
				}
			}
			if tc.tab == releaseTabHistory && strings.Contains(html, `id="kd-rollback-2"`) {
				t.Error("the current revision offers a rollback")
			}
		})
	}
	t.Run("values hidden", func(t *testing.T) {
		hidden := det
		hidden.ValuesHidden, hidden.Values, hidden.Manifest = true, "", ""
		d := newReleaseDrawer().Release(shared.ReleaseRef{Namespace: "a", Name: "web"}).Loaded(statusLoaded, hidden, "")
		d.Tab = releaseTabManifest
		if html := renderPage(t, d); !strings.Contains(html, "you may not read this release") {
			t.Errorf("no reason given:\n%s", html)
		}
	})
	t.Run("what the user may not do is disabled, with the reason", func(t *testing.T) {
		may := nsPermissions{Namespace: "a", Status: statusLoaded, Me: shared.Me{
			Can:     map[string]bool{shared.ActionInstallCharts: true, shared.ActionUninstallCharts: false},
			Reasons: map[string]string{shared.ActionUninstallCharts: "You may not delete Secrets in a."}}}
		d := newReleaseDrawer().Release(shared.ReleaseRef{Namespace: "a", Name: "web"}).Loaded(statusLoaded, det, "").Permissions(may)
		d.Tab = releaseTabHistory
		html := renderPage(t, d)
		// A button's tag, its attributes in any order.
		button := func(id string) string {
			return regexp.MustCompile(`<button[^>]*\bid="` + id + `"[^>]*>`).FindString(html)
		}
		if b := button("kd-drawer-uninstall"); !strings.Contains(b, " disabled") || !strings.Contains(b, `title="You may not delete Secrets in a."`) {
			t.Errorf("uninstall not disabled with its reason: %s\n%s", b, html)
		}
		for _, id := range []string{"kd-rollback-1", "kd-drawer-upgrade"} {
			if b := button(id); b == "" || strings.Contains(b, " disabled") {
				t.Errorf("%s disabled (or missing) although the user may install charts: %q", id, b)
			}
		}
		checking := newReleaseDrawer().Release(shared.ReleaseRef{Namespace: "a", Name: "web"}).Loaded(statusLoaded, det, "").
			Permissions(nsPermissions{Namespace: "a", Status: statusLoading})
		checking.Tab = releaseTabHistory
		if html := renderPage(t, checking); strings.Count(html, "Checking whether you may") < 3 {
			t.Errorf("while the rights are checked, upgrade, uninstall and rollback are not all waiting:\n%s", html)
		}
	})
	t.Run("rollback waits for a running operation", func(t *testing.T) {
		d := newReleaseDrawer().Release(shared.ReleaseRef{Namespace: "a", Name: "web"}).Loaded(statusLoaded, det, "").Busy(true)
		d.Tab = releaseTabHistory
		if html := renderPage(t, d); !strings.Contains(html, "An operation on this release is running.") {
			t.Errorf("rollback not disabled:\n%s", html)
		}
	})
}
