package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// testKinds are kinds as GET /kinds describes them.
func testKinds() []shared.KindInfo {
	return []shared.KindInfo{
		{Name: "pods", Kind: "Pod", Namespaced: true, Columns: []shared.Column{{Key: "restarts", Title: "Restarts"}}},
		{Name: "deployments", Kind: "Deployment", Namespaced: true, Workload: true},
	}
}

// renderPage mounts p in a test engine and returns its HTML.
func renderPage(t *testing.T, c app.Composer) string {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		t.Fatalf("load: %v", err)
	}
	e.ConsumeAll()
	return app.HTMLString(c)
}

// loadedPage is a page showing rows of pods in namespace demo.
func loadedPage(rows ...shared.Row) *objectsPage {
	p := newObjectsPage()
	p.kinds.loaded(testKinds(), nil)
	p.view = objectsView{Kind: "pods", Namespace: "demo", Sort: "name", Page: 1}
	p.list.listed(p.list.begin(false), p.view, shared.ListResult{Rows: rows, Total: len(rows), Page: 1, Pages: 1, Limit: pageSize}, nil, time.Now())
	return p
}

func TestObjectsPageStates(t *testing.T) {
	tests := []struct {
		name    string
		page    func() *objectsPage
		want    []string
		notWant []string
	}{
		{"before the kinds are known", newObjectsPage,
			[]string{`id="page-objects"`, `kd-state-loading`, "Loading objects…"}, []string{"<table"}},
		{"the kinds failed", func() *objectsPage {
			p := newObjectsPage()
			p.kinds.loaded(nil, objectsErr("Kubedeck is not connected to a cluster."))
			return p
		}, []string{`role="alert"`, "The kinds of objects could not be loaded: Kubedeck is not connected to a cluster.", `kd-retry`}, nil},
		{"the list is loading", func() *objectsPage {
			p := loadedPage()
			p.list.begin(false)
			return p
		}, []string{"Loading Pod objects…", `aria-busy`}, []string{"<table"}},
		{"the list failed", func() *objectsPage {
			p := loadedPage()
			p.list.listed(p.list.begin(false), objectsView{Kind: "pods"}, shared.ListResult{}, objectsErr("The Kubernetes API did not answer; try again shortly."), time.Now())
			return p
		}, []string{`role="alert"`, "The list could not be loaded: The Kubernetes API did not answer", "Retry"}, []string{"<table"}},
		{"nothing matches", func() *objectsPage {
			p := loadedPage()
			p.view.Query = "web"
			return p
		}, []string{`kd-state-empty`, "No Pod objects in namespace demo match “web”."}, []string{"<table"}},
		{"rows", func() *objectsPage {
			p := loadedPage(
				shared.Row{UID: "u1", Name: "web-1", Namespace: "demo", Status: "Running", Level: shared.LevelOK, Cells: map[string]string{"restarts": "0"}},
				shared.Row{UID: "u2", Name: "web-2", Namespace: "demo", Status: "CrashLoopBackOff", Level: shared.LevelError},
			)
			p.list.forbidden = []string{"kube-system", "secret-ns"}
			return p
		}, []string{
			`<table class="kd-table">`,
			`data-name="web-1"`, `data-name="web-2"`,
			// Status in colour (the level's class) and in words.
			`kd-badge kd-badge-ok`, "Running", `kd-badge kd-badge-error`, "CrashLoopBackOff",
			// The sorted column says so; the others are sortable.
			`aria-sort="ascending"`, `aria-sort="none"`, `data-key="restarts"`,
			"1–2 of 2", "page 1 of 1",
			"Not shown: pods in namespaces kube-system and secret-ns, which you may not list.",
			`id="kd-details-u1"`,
		}, []string{"kd-delete"}},
		{"namespaces hidden", func() *objectsPage {
			p := loadedPage(shared.Row{UID: "u1", Name: "web-1", Namespace: "demo", Status: "Running", Level: shared.LevelOK})
			p.list.forbidden, p.list.hidden = []string{"team-ml"}, 3
			return p
		}, []string{
			`data-name="web-1"`,
			"Not shown: pods in namespace team-ml, which you may not list.",
			// go-app writes attributes in no fixed order: match the class
			// and the text, not the whole tag.
			`kd-hidden-note`,
			`>3 namespaces are hidden from you.</p>`,
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			html := renderPage(t, tc.page())
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in:\n%s", w, html)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q in:\n%s", w, html)
				}
			}
		})
	}
}

func TestObjectsPageDeleteFollowsPermissions(t *testing.T) {
	row := shared.Row{UID: "u1", Name: "api", Namespace: "demo", Status: "Available", Level: shared.LevelOK}
	tests := []struct {
		name  string
		perms map[string]shared.Me
		want  []string
		not   []string
	}{
		{"not known yet: hidden", nil, nil, []string{"kd-delete"}},
		{"the server does not say: hidden",
			map[string]shared.Me{"demo": {Can: map[string]bool{"list pods": true}}}, nil, []string{"kd-delete"}},
		{"allowed", map[string]shared.Me{"demo": {Can: map[string]bool{"delete deployments": true}}},
			[]string{`id="kd-delete-u1"`, `aria-label="Delete api"`}, []string{"<delete disabled>"}},
		{"refused: disabled with the reason", map[string]shared.Me{"demo": {
			Can:     map[string]bool{"delete deployments": false},
			Reasons: map[string]string{"delete deployments": "You may not delete deployments in namespace demo."}}},
			[]string{`id="kd-delete-u1"`, `disabled`, `title="You may not delete deployments in namespace demo."`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := loadedPage(row)
			p.view.Kind = "deployments"
			p.list.rows.view.Kind = "deployments"
			p.known = permissionSet{}
			for ns, me := range tc.perms {
				p.known[ns] = nsPermissions{Namespace: ns, Status: statusLoaded, Me: me}
			}
			html := renderPage(t, p)
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in:\n%s", w, html)
				}
			}
			if strings.Contains(tagWith(html, `id="kd-delete-u1"`), "disabled") {
				html += "<delete disabled>"
			}
			for _, w := range tc.not {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q in:\n%s", w, html)
				}
			}
		})
	}
}

func TestObjectsPageMarksLiveRows(t *testing.T) {
	p := loadedPage(shared.Row{UID: "u1", Name: "old", Namespace: "demo", Status: "Running", Level: shared.LevelOK})
	now := time.Now()
	p.list.event(rowEvent(shared.WSCreated, "pods", shared.Row{UID: "u2", Name: "fresh", Namespace: "demo", Status: "Pending", Level: shared.LevelWarning}), now)
	p.list.event(rowEvent(shared.WSDeleted, "pods", shared.Row{UID: "u1", Name: "old", Namespace: "demo", Status: "Running", Level: shared.LevelOK}), now)
	html := renderPage(t, p)
	for _, w := range []string{`kd-row kd-row-new`, `kd-tag kd-tag-new`, `kd-row kd-row-deleted`, `kd-tag kd-tag-deleted`, "1–1 of 1"} {
		if !strings.Contains(html, w) {
			t.Errorf("missing %q in:\n%s", w, html)
		}
	}
}

func TestObjectsPageDrawerAndDialog(t *testing.T) {
	p := loadedPage(shared.Row{UID: "u1", Name: "web-1", Namespace: "demo", Status: "Running", Level: shared.LevelOK})
	p.view = p.view.withDrawer("demo", "web-1")
	p.drawer.open("pods/demo/web-1")
	html := renderPage(t, p)
	for _, w := range []string{`id="kd-drawer"`, `aria-labelledby="kd-drawer-title"`, "demo/web-1", "Loading web-1…",
		`id="kd-tab-Summary"`, `aria-labelledby="kd-tab-Summary"`, `id="kd-tab-Events"`} {
		if !strings.Contains(html, w) {
			t.Errorf("drawer: missing %q in:\n%s", w, html)
		}
	}
	if strings.Contains(html, `id="kd-tab-Pods"`) {
		t.Error("a pod's drawer has a Pods tab")
	}

	p = loadedPage(shared.Row{UID: "u1", Name: "web-1", Namespace: "demo"})
	p.confirm.ask(shared.Row{UID: "u1", Name: "web-1", Namespace: "demo"})
	html = renderPage(t, p)
	for _, w := range []string{`role="alertdialog"`, `aria-modal`, "Delete Pod?", "demo/web-1", `id="kd-confirm-cancel"`, "Delete web-1"} {
		if !strings.Contains(html, w) {
			t.Errorf("dialog: missing %q in:\n%s", w, html)
		}
	}
}

func TestObjectDrawerTabs(t *testing.T) {
	kind := testKinds()[1]
	detail := shared.ObjectDetail{
		Row:    shared.Row{UID: "d1", Name: "api", Namespace: "demo", Status: "Available", Level: shared.LevelOK, Labels: map[string]string{"app": "api"}},
		Spec:   []byte(`{"replicas":2}`),
		YAML:   "kind: Deployment\nmetadata:\n  name: api\n",
		Events: []shared.ObjectEvent{{Type: "Warning", Reason: "FailedCreate", Message: "quota <exceeded>", Count: 3}},
		Pods:   []shared.Row{{UID: "p1", Name: "api-1", Status: "Running", Level: shared.LevelOK, Cells: map[string]string{"ready": "1/1"}}},
	}
	tests := []struct {
		tab  drawerTab
		want []string
	}{
		{tabSummary, []string{"kd-facts kd-summary", "Available", "app=api"}},
		{tabSpec, []string{`&#34;replicas&#34;: 2`}},
		{tabStatus, []string{"This object reports no status."}},
		{tabYAML, []string{`id="kd-copy-yaml"`, `<span class="kd-y-key">kind</span>`, `<span class="kd-y-str">Deployment</span>`}},
		{tabEvents, []string{"FailedCreate", "quota &lt;exceeded&gt;", "kd-badge-warning"}},
		{tabPods, []string{"api-1", "1/1"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.tab), func(t *testing.T) {
			d := newObjectDrawer().Object(kind, "demo", "api").Loaded(statusLoaded, detail, "").At(time.Now().Unix())
			d.of, d.tab = "deployments/demo/api", tc.tab
			html := renderPage(t, d)
			// One tab selected (a true attribute prints bare), and it labels the panel.
			if n := strings.Count(html, `aria-selected="false"`); n != len(d.tabs())-1 {
				t.Errorf("%d tabs not selected, want %d", n, len(d.tabs())-1)
			}
			if !strings.Contains(html, `aria-labelledby="kd-tab-`+string(tc.tab)+`"`) {
				t.Errorf("the panel is not labelled by tab %s", tc.tab)
			}
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in:\n%s", w, html)
				}
			}
		})
	}
}

func TestForbiddenNote(t *testing.T) {
	k := shared.KindInfo{Name: "pods"}
	tests := []struct {
		ns   []string
		want string
	}{
		{[]string{"a"}, "Not shown: pods in namespace a, which you may not list."},
		{[]string{"a", "b"}, "Not shown: pods in namespaces a and b, which you may not list."},
		{[]string{"a", "b", "c"}, "Not shown: pods in namespaces a, b and c, which you may not list."},
		{[]string{"a", "b", "c", "d"}, "Not shown: pods in namespaces a, b, c and d, which you may not list."},
		{[]string{"a", "b", "c", "d", "e"}, "Not shown: pods in namespaces a, b, c and 2 more, which you may not list."},
		{strings.Fields(strings.Repeat("x ", 40)), "Not shown: pods in namespaces x, x, x and 37 more, which you may not list."},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := forbiddenNote(k, tc.ns); got != tc.want {
				t.Errorf("got %q", got)
			}
			if all := allNamespaces(tc.ns); (all != "") != (len(tc.ns) > maxNotedNamespaces) ||
				all != "" && all != strings.Join(tc.ns, ", ") {
				t.Errorf("the note's title is %q", all)
			}
		})
	}
}

// tagWith is the start tag in html that holds marker ("" when none does).
func tagWith(html, marker string) string {
	i := strings.Index(html, marker)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(html[:i], "<")
	end := strings.Index(html[i:], ">")
	return html[start : i+end+1]
}

func TestHiddenNote(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{1, "1 namespace is hidden from you."},
		{2, "2 namespaces are hidden from you."},
		{40, "40 namespaces are hidden from you."},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := hiddenNote(tc.n); got != tc.want {
				t.Errorf("hiddenNote(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}
