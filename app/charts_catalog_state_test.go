package main

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func TestChartsViewParse(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  chartsView
	}{
		{"none", "", chartsView{}},
		{"releases ignore the rest", "q=web&chart=test/web", chartsView{}},
		{"another view", "view=secret", chartsView{}},
		{"catalog", "view=catalog", chartsView{Catalog: true}},
		{"search and chart", "view=catalog&q=web+server&chart=test%2Fweb", chartsView{Catalog: true, Query: "web server", Chart: "test/web"}},
		{"control characters dropped", "view=catalog&q=we%00b%0A", chartsView{Catalog: true, Query: "web"}},
		{"markup kept as text", "view=catalog&q=%22%3E%3Cscript%3E", chartsView{Catalog: true, Query: `"><script>`}},
		{"chart without repository", "view=catalog&chart=web", chartsView{Catalog: true}},
		{"chart with a path", "view=catalog&chart=test/../web", chartsView{Catalog: true}},
		{"chart with a quote", "view=catalog&chart=test/we%22b", chartsView{Catalog: true}},
		{"chart URL", "view=catalog&chart=https://x/y", chartsView{Catalog: true}},
		{"dot first", "view=catalog&chart=.test/web", chartsView{Catalog: true}},
		{"part too long", "view=catalog&chart=test/" + strings.Repeat("w", maxChartPart+1), chartsView{Catalog: true}},
		{"a release's drawer", "release=team-a%2Fweb", chartsView{Release: shared.ReleaseRef{Namespace: "team-a", Name: "web"}}},
		{"on a tab", "release=team-a/web&tab=history", chartsView{Release: shared.ReleaseRef{Namespace: "team-a", Name: "web"}, Tab: releaseTabHistory}},
		{"upgrading", "release=team-a/web.v2&tab=values&upgrade=1",
			chartsView{Release: shared.ReleaseRef{Namespace: "team-a", Name: "web.v2"}, Tab: releaseTabValues, Upgrade: true}},
		{"over the catalog", "view=catalog&q=db&release=a/b",
			chartsView{Catalog: true, Query: "db", Release: shared.ReleaseRef{Namespace: "a", Name: "b"}}},
		{"overview is the default tab", "release=a/b&tab=overview", chartsView{Release: shared.ReleaseRef{Namespace: "a", Name: "b"}}},
		{"tab in capitals", "release=a/b&tab=History", chartsView{Release: shared.ReleaseRef{Namespace: "a", Name: "b"}}},
		{"tab and upgrade without a release", "tab=history&upgrade=1", chartsView{}},
		{"upgrade not 1", "release=a/b&upgrade=true", chartsView{Release: shared.ReleaseRef{Namespace: "a", Name: "b"}}},
		{"release without namespace", "release=web", chartsView{}},
		{"release with a path", "release=team-a/../web", chartsView{}},
		{"release of three parts", "release=a/b/c", chartsView{}},
		{"release dotted namespace", "release=a.b/c", chartsView{}},
		{"release with markup", "release=a/%22%3E%3Cscript%3E", chartsView{}},
		{"release name too long", "release=a/" + strings.Repeat("w", maxReleaseName+1), chartsView{}},
		{"release name longest", "release=a/" + strings.Repeat("w", maxReleaseName),
			chartsView{Release: shared.ReleaseRef{Namespace: "a", Name: strings.Repeat("w", maxReleaseName)}}},
		{"release in capitals", "release=A/Web", chartsView{}},
		{"release empty name", "release=a/", chartsView{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, parseChartsView(q)); diff != "" {
				t.Errorf("parseChartsView(%q) (-want +got):\n%s", tc.query, diff)
			}
		})
	}
}

func TestChartsViewEncodeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		view chartsView
		want string
	}{
		{"releases", chartsView{Query: "left over"}, ""},
		{"catalog", chartsView{Catalog: true}, "view=catalog"},
		{"all", chartsView{Catalog: true, Query: "web & more", Chart: "test/web"}, "view=catalog&q=web+%26+more&chart=test%2Fweb"},
		{"drawer", chartsView{Release: shared.ReleaseRef{Namespace: "a", Name: "web"}}, "release=a%2Fweb"},
		{"drawer on a tab, upgrading", chartsView{Release: shared.ReleaseRef{Namespace: "a", Name: "web"}, Tab: releaseTabResources, Upgrade: true},
			"release=a%2Fweb&tab=resources&upgrade=1"},
		{"drawer over the catalog", chartsView{Catalog: true, Chart: "test/web", Release: shared.ReleaseRef{Namespace: "a", Name: "web"}, Tab: releaseTabNotes},
			"view=catalog&chart=test%2Fweb&release=a%2Fweb&tab=notes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.view.encode()
			if got != tc.want {
				t.Errorf("encode = %q, want %q", got, tc.want)
			}
			q, _ := url.ParseQuery(got)
			want := tc.view
			if !want.Catalog {
				want = want.releasesOnly()
			}
			if diff := cmp.Diff(want, parseChartsView(q)); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCatalogPath(t *testing.T) {
	for q, want := range map[string]string{"": "/catalog", "web": "/catalog?q=web", "a b&c": "/catalog?q=a+b%26c"} {
		if got := catalogPath(q); got != want {
			t.Errorf("catalogPath(%q) = %q, want %q", q, got, want)
		}
	}
}

func testCatalog() shared.Catalog {
	return shared.Catalog{
		Charts: []shared.CatalogChart{
			{Repository: "stable", Name: "web", LatestVersion: "2.0.0", Versions: []string{"2.0.0", "1.0.0"}},
			{Repository: "test", Name: "web", LatestVersion: "1.0.0", Versions: []string{"1.0.0"}},
			{Repository: "test", Name: "api", LatestVersion: "0.3.0", Versions: []string{"0.3.0"}},
		},
		Stale:  []string{"stable"},
		Errors: map[string]string{"broken": "its index cannot be read", "down": "it did not answer"},
	}
}

func TestChartsCatalogLoad(t *testing.T) {
	var c chartsCatalog
	first := c.begin("")
	second := c.begin("web")
	if c.loaded(first, shared.Catalog{}, nil) {
		t.Error("an older load was taken")
	}
	if !c.loaded(second, testCatalog(), nil) || c.status != statusLoaded || c.query != "web" {
		t.Fatalf("the load was not taken: %+v", c)
	}
	var refs []string
	for _, ch := range c.charts {
		refs = append(refs, chartRef(ch))
	}
	if diff := cmp.Diff([]string{"test/api", "stable/web", "test/web"}, refs); diff != "" {
		t.Errorf("charts in order (-want +got):\n%s", diff)
	}
	if !c.isStale("stable") || c.isStale("test") {
		t.Errorf("stale: %v", c.stale)
	}
	if diff := cmp.Diff([]string{"repository broken: its index cannot be read", "repository down: it did not answer"}, c.failures()); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if ch, ok := c.find("test/web"); !ok || ch.LatestVersion != "1.0.0" {
		t.Errorf("find test/web = %+v, %v", ch, ok)
	}
	if _, ok := c.find("other/web"); ok {
		t.Error("found a chart not listed")
	}

	// A failed search keeps the charts shown before.
	seq := c.begin("api")
	c.loaded(seq, shared.Catalog{}, &replyError{Status: 503, API: shared.Error{Message: "Helm is not available."}})
	if c.status != statusFailed || c.err != "Helm is not available." || len(c.charts) != 3 {
		t.Errorf("after a failure: status %v, err %q, %d charts", c.status, c.err, len(c.charts))
	}
	seq = c.begin("api")
	c.loaded(seq, shared.Catalog{}, errors.New("offline"))
	if c.err != "offline" {
		t.Errorf("err %q", c.err)
	}
}

func TestStaleNote(t *testing.T) {
	if got := staleNote("stable"); !strings.Contains(got, "stable") || !strings.Contains(got, "last copy") {
		t.Errorf("staleNote = %q", got)
	}
}

// FuzzChartsView reads any query as the charts page's view: it never
// panics, what it keeps reads back the same from its encoding, and nothing
// but the search text (shown only through the DOM) holds a character that
// could end an HTML attribute or a URL's part.
func FuzzChartsView(f *testing.F) {
	for _, q := range []string{"", "view=catalog&q=web&chart=test/web", "release=a/b&tab=history&upgrade=1",
		"release=a/%2e%2e&tab=HISTORY", "release=%00/b", "release=a/b&release=c/d", "view=catalog&chart=a/b&chart=../x"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, ok := viewRoundTrip(t, raw, parseChartsView, chartsView.encode)
		if !ok {
			return
		}
		for _, s := range []string{v.Chart, v.Release.Namespace, v.Release.Name, string(v.Tab)} {
			bad := "<>\"'&?#% \\"
			if s != v.Chart {
				bad += "/"
			}
			if strings.ContainsAny(s, bad) {
				t.Fatalf("parseChartsView(%q) keeps %q", raw, s)
			}
		}
		if v.Release.Name == "" && (v.Tab != "" || v.Upgrade || v.Release.Namespace != "") {
			t.Fatalf("parseChartsView(%q) = %+v: a tab or upgrade without a release", raw, v)
		}
	})
}
