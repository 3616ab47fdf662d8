package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// testReleases are releases as GET /charts lists them, out of order.
func testReleases() []shared.Release {
	return []shared.Release{
		{Name: "web", Namespace: "team-b", Chart: "web", ChartVersion: "1.2.0", AppVersion: "2.0", Description: "A web server", Status: shared.ReleaseDeployed, Revision: 3},
		{Name: "db", Namespace: "team-a", Chart: "postgres", ChartVersion: "12.1.0", Status: shared.ReleaseFailed, Revision: 1},
		{Name: "cache", Namespace: "team-a", Chart: "redis", ChartVersion: "18.0.0", Status: shared.ReleasePendingUpgrade, Stuck: true, Revision: 2},
		{Name: "queue", Namespace: "team-b", Chart: "rabbitmq", ChartVersion: "1.0.0", Status: shared.ReleasePendingInstall, Revision: 1},
		{Name: "old", Namespace: "team-c", Chart: "web", ChartVersion: "0.1.0", Status: shared.ReleaseUninstalling, Revision: 4},
	}
}

// names are the keys of releases, in order.
func names(rs []shared.Release) []string {
	var out []string
	for _, r := range rs {
		out = append(out, releaseKey(r.Namespace, r.Name))
	}
	return out
}

func loadedList(t *testing.T) *chartsList {
	t.Helper()
	var l chartsList
	if !l.loaded(l.begin(), shared.ReleaseList{Releases: testReleases()}, nil) {
		t.Fatal("the load was not taken")
	}
	return &l
}

func TestChartsListLoad(t *testing.T) {
	l := loadedList(t)
	if diff := cmp.Diff([]string{"team-a/cache", "team-a/db", "team-b/queue", "team-b/web", "team-c/old"}, names(l.releases)); diff != "" {
		t.Errorf("releases sorted by namespace and name (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"team-a", "team-b", "team-c"}, l.namespaces()); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}

	t.Run("an overtaken load is dropped", func(t *testing.T) {
		old := l.begin()
		newer := l.begin()
		if l.loaded(old, shared.ReleaseList{}, nil) {
			t.Error("an older load was taken")
		}
		if !l.loaded(newer, shared.ReleaseList{Releases: testReleases()[:1]}, nil) || len(l.releases) != 1 {
			t.Errorf("the newest load was not taken: %v", names(l.releases))
		}
	})
	t.Run("a failure keeps what was shown and says why", func(t *testing.T) {
		err := &replyError{Status: 503, API: shared.Error{Code: shared.CodeUnavailable, Message: "The cluster did not answer."}}
		l.loaded(l.begin(), shared.ReleaseList{}, err)
		if l.status != statusFailed || l.err != "The cluster did not answer." || len(l.releases) != 1 {
			t.Errorf("status %v, err %q, %d releases", l.status, l.err, len(l.releases))
		}
		l.loaded(l.begin(), shared.ReleaseList{}, errors.New("offline"))
		if l.err != "offline" {
			t.Errorf("err = %q", l.err)
		}
	})
	t.Run("what was left out is kept", func(t *testing.T) {
		l.loaded(l.begin(), shared.ReleaseList{Forbidden: []string{"x"}, Hidden: 2, Errors: map[string]string{"y": "timeout"}}, nil)
		if len(l.forbidden) != 1 || l.hidden != 2 || l.errors["y"] != "timeout" || len(l.releases) != 0 {
			t.Errorf("forbidden %v hidden %d errors %v releases %d", l.forbidden, l.hidden, l.errors, len(l.releases))
		}
	})
}

func TestChartsFilter(t *testing.T) {
	l := loadedList(t)
	tests := []struct {
		name   string
		filter chartsFilter
		want   []string
	}{
		{"nothing", chartsFilter{}, []string{"team-a/cache", "team-a/db", "team-b/queue", "team-b/web", "team-c/old"}},
		{"a namespace", chartsFilter{Namespace: "team-a"}, []string{"team-a/cache", "team-a/db"}},
		{"deployed", chartsFilter{Status: statusFilterDeployed}, []string{"team-b/web"}},
		{"failed", chartsFilter{Status: statusFilterFailed}, []string{"team-a/db"}},
		{"pending takes stuck releases too", chartsFilter{Status: statusFilterPending}, []string{"team-a/cache", "team-b/queue"}},
		{"stuck", chartsFilter{Status: statusFilterStuck}, []string{"team-a/cache"}},
		{"other", chartsFilter{Status: statusFilterOther}, []string{"team-c/old"}},
		{"search by chart, any case", chartsFilter{Query: "  REDIS "}, []string{"team-a/cache"}},
		{"search by description", chartsFilter{Query: "web server"}, []string{"team-b/web"}},
		{"search and namespace", chartsFilter{Namespace: "team-c", Query: "web"}, []string{"team-c/old"}},
		{"no match", chartsFilter{Query: "nginx"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, names(tc.filter.apply(l.releases))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestChartsStatusBadge(t *testing.T) {
	tests := []struct {
		name    string
		release shared.Release
		want    releaseBadge
	}{
		{"deployed", shared.Release{Status: shared.ReleaseDeployed}, releaseBadge{Level: shared.LevelOK, Text: "deployed"}},
		{"failed", shared.Release{Status: shared.ReleaseFailed}, releaseBadge{Level: shared.LevelError, Text: "failed"}},
		{"pending install", shared.Release{Status: shared.ReleasePendingInstall},
			releaseBadge{Level: shared.LevelWarning, Text: "pending-install", Hint: "An operation is working on this release."}},
		{"pending rollback", shared.Release{Status: shared.ReleasePendingRollback},
			releaseBadge{Level: shared.LevelWarning, Text: "pending-rollback", Hint: "An operation is working on this release."}},
		{"stuck", shared.Release{Status: shared.ReleasePendingUpgrade, Stuck: true},
			releaseBadge{Level: shared.LevelError, Text: "stuck: pending-upgrade", Hint: "No operation is working on this release; roll it back to recover."}},
		{"superseded", shared.Release{Status: shared.ReleaseSuperseded}, releaseBadge{Level: shared.LevelUnknown, Text: "superseded"}},
		{"no status", shared.Release{}, releaseBadge{Level: shared.LevelUnknown, Text: "unknown"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, badgeOf(tc.release)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestChartsSelection(t *testing.T) {
	all := loadedList(t).releases
	teamA := chartsFilter{Namespace: "team-a"}.apply(all)
	var s chartsSelection

	s.toggle("team-b/web")
	s.toggle("team-a/db")
	if diff := cmp.Diff([]shared.ReleaseRef{{Namespace: "team-a", Name: "db"}, {Namespace: "team-b", Name: "web"}}, s.picked(all)); diff != "" {
		t.Errorf("picked in the list's order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]shared.ReleaseRef{{Namespace: "team-a", Name: "db"}}, s.picked(teamA)); diff != "" {
		t.Errorf("a release filtered out is not acted on (-want +got):\n%s", diff)
	}
	if s.allOf(teamA) {
		t.Error("all of team-a selected with one of two ticked")
	}
	s.toggleAll(teamA)
	if !s.allOf(teamA) || !s.has("team-b/web") {
		t.Errorf("select all of team-a: %v", s.keys)
	}
	s.toggleAll(teamA)
	if s.has("team-a/db") || s.has("team-a/cache") || !s.has("team-b/web") {
		t.Errorf("select all again unticks the shown only: %v", s.keys)
	}
	s.toggle("team-b/web")
	if s.has("team-b/web") {
		t.Error("toggle did not untick")
	}
	if s.allOf(nil) {
		t.Error("all of nothing is selected")
	}

	s.toggle("team-c/old")
	s.toggle("team-a/db")
	s.prune(all[1:2]) // only team-a/db remains
	if diff := cmp.Diff(map[string]bool{"team-a/db": true}, s.keys); diff != "" {
		t.Errorf("prune (-want +got):\n%s", diff)
	}
}

func TestChartsLayoutPreference(t *testing.T) {
	tests := []struct {
		name  string
		store prefStore
		want  chartsLayout
	}{
		{"no storage", nil, layoutTable},
		{"nothing kept", memStore{}, layoutTable},
		{"grid kept", memStore{layoutStorageKey: `"grid"`}, layoutGrid},
		{"table kept", memStore{layoutStorageKey: `"table"`}, layoutTable},
		{"something else kept", memStore{layoutStorageKey: `"carousel"`}, layoutTable},
		{"unreadable", memStore{layoutStorageKey: "42"}, layoutTable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := readLayout(tc.store); got != tc.want {
				t.Errorf("readLayout = %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("kept and read back", func(t *testing.T) {
		s := memStore{}
		keepLayout(s, layoutGrid)
		if got := readLayout(s); got != layoutGrid {
			t.Errorf("read back %q", got)
		}
		keepLayout(nil, layoutGrid) // no storage: nothing happens
	})
}

func TestChartsFallbackIcon(t *testing.T) {
	tests := []struct{ name, chart, letter string }{
		{"a plain name", "web", "W"},
		{"leading punctuation", "-_nginx", "N"},
		{"a digit", "3scale", "3"},
		{"nothing to show", "", "?"},
		{"not ASCII", "évent", "É"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ic := iconFor(tc.chart)
			if ic.Letter != tc.letter || ic.Colour < 0 || ic.Colour >= iconColours {
				t.Errorf("iconFor(%q) = %+v, want letter %q and a colour in [0,%d)", tc.chart, ic, tc.letter, iconColours)
			}
			if again := iconFor(tc.chart); again != ic {
				t.Errorf("the same name gave %+v, then %+v", ic, again)
			}
		})
	}
	seen := map[int]bool{}
	for _, n := range []string{"web", "postgres", "redis", "rabbitmq", "nginx", "grafana", "loki", "kafka"} {
		seen[iconFor(n).Colour] = true
	}
	if len(seen) < 3 {
		t.Errorf("8 names share %d colours", len(seen))
	}
}

func TestChartsUpdatedText(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 30, 0, 0, time.UTC)
	if got := updatedText(time.Time{}, now); got != "—" {
		t.Errorf("zero time: %q", got)
	}
	if got := updatedText(now.Add(-5*time.Minute), now); got != "5m" {
		t.Errorf("5 minutes: %q", got)
	}
}

func TestIconURL(t *testing.T) {
	const root = "https://kd.example/v2/api/v1"
	tests := []struct{ name, root, path, want string }{
		{"the icon route", root, "catalog/icon?chart=web&repo=test", root + "/catalog/icon?chart=web&repo=test"},
		{"a leading slash", root + "/", "/catalog/icon?repo=test&chart=web", root + "/catalog/icon?repo=test&chart=web"},
		{"no icon", root, "", ""},
		{"not in the browser", "", "catalog/icon?chart=web&repo=test", ""},
		{"another route", root, "charts/web", ""},
		{"another site", root, "https://evil.example/x.svg", ""},
		{"a protocol-relative address", root, "//evil.example/catalog/icon?x", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := iconURL(tc.root, tc.path); got != tc.want {
				t.Errorf("iconURL(%q, %q) = %q, want %q", tc.root, tc.path, got, tc.want)
			}
		})
	}
}

func TestChartIconChoice(t *testing.T) {
	const src = "https://kd.example/api/v1/catalog/icon?chart=web&repo=test"
	tests := []struct {
		name, src, failed string
		want              []string
		notWant           []string
	}{
		{"an icon", src, "", []string{"<img", `src="` + src, `role="presentation"`, "aria-hidden"}, []string{">W</span>"}},
		{"no icon: the letter", "", "", []string{">W</span>", "aria-hidden"}, []string{"<img"}},
		{"the icon failed: the letter", src, src, []string{">W</span>"}, []string{"<img"}},
		{"another icon failed", src, src + "x", []string{"<img"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := showsImage(tc.src, tc.failed), tc.src != "" && tc.src != tc.failed; got != want {
				t.Errorf("showsImage = %v, want %v", got, want)
			}
			c := newChartIcon().Of("web", tc.src)
			c.failed = tc.failed
			html := renderPage(t, c)
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in %s", w, html)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(html, w) {
					t.Errorf("unexpected %q in %s", w, html)
				}
			}
		})
	}
}

func TestReleaseIconsResolved(t *testing.T) {
	rs := []shared.Release{{Name: "a", IconPath: "catalog/icon?chart=web&repo=test"}, {Name: "b"}}
	got := withIconURLs(slices.Clone(rs), "http://h/v2/api/v1")
	want := []string{"http://h/v2/api/v1/catalog/icon?chart=web&repo=test", ""}
	if diff := cmp.Diff(want, []string{got[0].IconPath, got[1].IconPath}); diff != "" {
		t.Errorf("icon URLs (-want +got):\n%s", diff)
	}
	if rs[0].IconPath != "catalog/icon?chart=web&repo=test" {
		t.Errorf("the caller's releases changed: %q", rs[0].IconPath)
	}
}
