package helm

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/repo"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// Catalog lists the charts of every configured repository whose name,
// description or keywords contain q (case-insensitive; every chart for an
// empty q), sorted by repository and name. Repositories are read in
// parallel through the index cache. A repository that fails is served
// from its last copy and named in Stale; one that has never answered has
// its reason in Errors. The catalog is the same for every user: the
// repositories are the server's.
func (c *Client) Catalog(ctx context.Context, q string) (shared.Catalog, error) {
	q = strings.ToLower(strings.TrimSpace(q))
	out := shared.Catalog{Charts: []shared.CatalogChart{}}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, r := range c.opts.Repositories {
		wg.Go(func() {
			st := c.repositoryCharts(ctx, r)
			charts := search(st.charts, q)
			mu.Lock()
			defer mu.Unlock()
			out.Charts = append(out.Charts, charts...)
			switch {
			case st.stale:
				out.Stale = append(out.Stale, r.Name)
			case st.charts == nil:
				if out.Errors == nil {
					out.Errors = map[string]string{}
				}
				out.Errors[r.Name] = publicMessage(st.err)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return shared.Catalog{}, err
	}
	slices.SortFunc(out.Charts, func(a, b shared.CatalogChart) int {
		if c := strings.Compare(a.Repository, b.Repository); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	slices.Sort(out.Stale)
	return out, nil
}

// catalogItem is one chart of an index as the catalog lists it, with the
// lower-case text a search looks in.
type catalogItem struct {
	chart    shared.CatalogChart
	haystack []string
}

// catalogOf lists the charts of an index once, when it is read, so that a
// search only compares text.
func catalogOf(repository string, idx *repo.IndexFile) []catalogItem {
	out := make([]catalogItem, 0, len(idx.Entries))
	for name, versions := range idx.Entries {
		latest := latestVersion(idx, name)
		if latest == nil {
			continue
		}
		ch := shared.CatalogChart{
			Repository:    repository,
			Name:          name,
			Description:   latest.Description,
			Icon:          latest.Icon,
			IconPath:      iconPathOf(repository, name, latest.Icon),
			LatestVersion: latest.Version,
			AppVersion:    latest.AppVersion,
			Versions:      make([]string, 0, len(versions)),
		}
		for _, v := range versions {
			ch.Versions = append(ch.Versions, v.Version)
		}
		hay := []string{strings.ToLower(name), strings.ToLower(latest.Description)}
		for _, k := range latest.Keywords {
			hay = append(hay, strings.ToLower(k))
		}
		out = append(out, catalogItem{chart: ch, haystack: hay})
	}
	return out
}

// search lists the charts whose name, description or keywords contain q
// (lower case; every chart for ""). The charts are copies the caller may
// keep.
func search(items []catalogItem, q string) []shared.CatalogChart {
	var out []shared.CatalogChart
	for _, it := range items {
		if q == "" || slices.ContainsFunc(it.haystack, func(h string) bool { return strings.Contains(h, q) }) {
			ch := it.chart
			ch.Versions = slices.Clone(ch.Versions)
			out = append(out, ch)
		}
	}
	return out
}

// latestVersion is the newest stable version of chart name in idx, or the
// newest of all when every one is a pre-release (versions are sorted newest
// first); nil when the index has none.
func latestVersion(idx *repo.IndexFile, name string) *repo.ChartVersion {
	versions := idx.Entries[name]
	if len(versions) == 0 {
		return nil
	}
	if v, err := idx.Get(name, ""); err == nil {
		return v
	}
	return versions[0]
}

// iconPathOf is CatalogIconPath for a chart with an icon, "" without.
func iconPathOf(repository, chart, icon string) string {
	if icon == "" {
		return ""
	}
	return CatalogIconPath(repository, chart)
}

// publicMessage is the message for people of an error from this package.
func publicMessage(err error) string {
	var ke *kube.Error
	if err == nil {
		return ""
	}
	if errors.As(err, &ke) {
		return ke.PublicMessage()
	}
	return "The repository could not be read."
}
