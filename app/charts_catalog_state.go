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
type chartsView struct {
	Catalog bool
	Query   string // the catalog's search
	Chart   string // "<repository>/<chart>" whose install form is open; "" for none
}

// The value of the view parameter that shows the catalog.
const viewCatalog = "catalog"

// maxChartPart bounds each part of a chart reference read from the URL.
const maxChartPart = 100

// parseChartsView reads a view from a URL query. What cannot be right
// falls back to the default: another view is the releases, a chart
// reference not shaped like one is none. The search text is cut to the
// server's limit and loses its control characters (searchText); like the
// object viewer's, it is read only in the browser and shown only through
// the DOM (see chartsPage.OnNav).
func parseChartsView(q url.Values) chartsView {
	v := chartsView{Catalog: q.Get("view") == viewCatalog}
	if !v.Catalog {
		return v
	}
	v.Query = searchText(q.Get("q"))
	v.Chart = keep(strings.TrimSpace(q.Get("chart")), isChartRef)
	return v
}

// encode is the view as a URL query, keys in a fixed order and defaults
// left out.
func (v chartsView) encode() string {
	if !v.Catalog {
		return ""
	}
	q := "view=" + viewCatalog
	if v.Query != "" {
		q += "&q=" + url.QueryEscape(v.Query)
	}
	if v.Chart != "" {
		q += "&chart=" + url.QueryEscape(v.Chart)
	}
	return q
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
