package main

import (
	"net/url"
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// What the charts page knows of the chart catalog: which view the URL
// asks for, and the last answer of GET /catalog. Plain structs, changed
// only through their methods.

// chartsView is what the charts page shows, as its URL query says it, so
// that a reload or a shared link shows the same:
//
//	/apps/charts                                      the releases
//	/apps/charts?view=catalog&q=web&chart=stable/web  the catalog, searched, a chart's install form open
//	/apps/charts?release=team-a/web&tab=history       a release's drawer, on its History tab
//	/apps/charts?release=team-a/web&upgrade=1         the release's upgrade form
type chartsView struct {
	Catalog bool
	Query   string // the catalog's search
	Chart   string // "<repository>/<chart>" whose install form is open; "" for none

	Release shared.ReleaseRef // the release whose drawer is open; none when its Name is ""
	Tab     releaseTab        // the drawer's tab; "" for the first (Overview)
	Upgrade bool              // the release's upgrade form shows instead of its drawer
}

// The value of the view parameter that shows the catalog.
const viewCatalog = "catalog"

// maxChartPart bounds each part of a chart reference read from the URL.
const maxChartPart = 100

// parseChartsView reads a view from a URL query. What cannot be right
// falls back to the default: another view is the releases, a chart
// reference not shaped like one is none, a release that is not
// "<namespace>/<name>" by Helm's rules opens no drawer, an unknown tab is
// the first. The search text is cut to the server's limit and loses its
// control characters (searchText); like the object viewer's, it is read
// only in the browser and shown only through the DOM (see
// chartsPage.OnNav).
func parseChartsView(q url.Values) chartsView {
	v := chartsView{Catalog: q.Get("view") == viewCatalog}
	if v.Catalog {
		v.Query = searchText(q.Get("q"))
		v.Chart = keep(strings.TrimSpace(q.Get("chart")), isChartRef)
	}
	if ref, ok := parseReleaseRef(q.Get("release")); ok {
		v.Release = ref
		v.Tab = parseReleaseTab(q.Get("tab"))
		v.Upgrade = q.Get("upgrade") == "1"
	}
	return v
}

// parseReleaseRef reads "<namespace>/<name>": a DNS-1123 label, and a
// release name as Helm allows it (a DNS-1123 subdomain of at most
// maxReleaseName characters).
func parseReleaseRef(s string) (shared.ReleaseRef, bool) {
	ns, name, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || !isDNSLabel(ns) || len(name) > maxReleaseName || !isDNSSubdomain(name) {
		return shared.ReleaseRef{}, false
	}
	return shared.ReleaseRef{Namespace: ns, Name: name}, true
}

// parseReleaseTab is the drawer's tab a URL names in lower case ("history");
// "" (the first) for any other text.
func parseReleaseTab(s string) releaseTab {
	for _, t := range releaseTabs[1:] {
		if s == t.param() {
			return t
		}
	}
	return ""
}

// releasesOnly is the view of the releases, with the drawer v has open.
func (v chartsView) releasesOnly() chartsView {
	return chartsView{Release: v.Release, Tab: v.Tab, Upgrade: v.Upgrade}
}

// withRelease is v with ref's drawer open on tab ("" for the first), or
// with no drawer for the zero ref.
func (v chartsView) withRelease(ref shared.ReleaseRef, tab releaseTab) chartsView {
	v.Release, v.Tab, v.Upgrade = ref, tab, false
	if ref.Name == "" {
		v.Release, v.Tab = shared.ReleaseRef{}, ""
	}
	return v
}

// encode is the view as a URL query, keys in a fixed order and defaults
// left out.
func (v chartsView) encode() string {
	var q []string
	if v.Catalog {
		q = append(q, "view="+viewCatalog)
		if v.Query != "" {
			q = append(q, "q="+url.QueryEscape(v.Query))
		}
		if v.Chart != "" {
			q = append(q, "chart="+url.QueryEscape(v.Chart))
		}
	}
	if v.Release.Name != "" {
		q = append(q, "release="+url.QueryEscape(releaseKey(v.Release.Namespace, v.Release.Name)))
		if v.Tab != "" && v.Tab != releaseTabOverview {
			q = append(q, "tab="+v.Tab.param())
		}
		if v.Upgrade {
			q = append(q, "upgrade=1")
		}
	}
	return strings.Join(q, "&")
}

// isChartRef reports whether s is shaped like "<repository>/<chart>":
// two parts of letters, digits, '.', '_' and '-', neither starting with a
// '.', each at most maxChartPart long.
func isChartRef(s string) bool {
	repo, name, ok := strings.Cut(s, "/")
	return ok && isChartPart(repo) && isChartPart(name)
}

func isChartPart(s string) bool {
	if s == "" || len(s) > maxChartPart || s[0] == '.' {
		return false
	}
	for _, c := range []byte(s) {
		ok := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// chartRef is how the API names a catalog chart: "<repository>/<chart>".
func chartRef(c shared.CatalogChart) string { return c.Repository + "/" + c.Name }

// catalogPath is the API path of the catalog searched for q.
func catalogPath(q string) string {
	if q == "" {
		return "/catalog"
	}
	return "/catalog?q=" + url.QueryEscape(q)
}

// chartsCatalog is the last answer of GET /catalog and where its load
// stands.
type chartsCatalog struct {
	status loadStatus
	seq    int
	query  string // the search the charts answer
	charts []shared.CatalogChart
	stale  []string
	errors map[string]string
	err    string // why the last load failed
}

// begin starts a load of the catalog searched for q and returns its
// number; an outcome with an older number is dropped.
func (c *chartsCatalog) begin(q string) int {
	c.seq++
	c.status, c.query = statusLoading, q
	return c.seq
}

// loaded takes a load's outcome and says whether it was taken. A failure
// keeps the charts shown before (the view says the search failed).
func (c *chartsCatalog) loaded(seq int, cat shared.Catalog, err error) bool {
	if seq != c.seq {
		return false
	}
	if err != nil {
		c.status, c.err = statusFailed, errorText(err)
		return true
	}
	c.status, c.err = statusLoaded, ""
	c.charts = slices.Clone(cat.Charts)
	slices.SortStableFunc(c.charts, func(a, b shared.CatalogChart) int {
		if n := strings.Compare(a.Name, b.Name); n != 0 {
			return n
		}
		return strings.Compare(a.Repository, b.Repository)
	})
	c.stale, c.errors = cat.Stale, cat.Errors
	return true
}

// find returns the chart ref names among those listed.
func (c *chartsCatalog) find(ref string) (shared.CatalogChart, bool) {
	i := slices.IndexFunc(c.charts, func(ch shared.CatalogChart) bool { return chartRef(ch) == ref })
	if i < 0 {
		return shared.CatalogChart{}, false
	}
	return c.charts[i], true
}

// isStale says whether the charts of repository come from the last copy
// read, the repository having failed to answer.
func (c *chartsCatalog) isStale(repository string) bool { return slices.Contains(c.stale, repository) }

// failures say, one per repository, sorted, why a repository has no
// charts in the catalog.
func (c *chartsCatalog) failures() []string {
	out := make([]string, 0, len(c.errors))
	for repo, why := range c.errors {
		out = append(out, "repository "+repo+": "+why)
	}
	slices.Sort(out)
	return out
}

// staleNote is the notice of a chart whose repository failed to answer.
func staleNote(repository string) string {
	return "Repository " + repository + " did not answer: this is the last copy Kubedeck read, which may be out of date."
}
