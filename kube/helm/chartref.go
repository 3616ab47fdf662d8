package helm

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/kube"
)

var (
	// repoName is what a configured repository may be called.
	repoName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	// chartName is what a chart reference may name: Helm's chart names,
	// which can be neither a path nor "." or "..".
	chartName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
)

// ParseChartRef splits a chart reference, "<repository>/<chart>", into one
// of repos and the chart's name. Anything else is refused with an error
// wrapping kube.ErrInvalid before it reaches the Helm SDK (whose own
// reference parsing would accept file paths, URLs and registries): paths,
// "..", file:// and other URLs, and repositories that are not configured.
// An oci:// reference is accepted only under a configured oci:// repository.
func ParseChartRef(ref string, repos []Repository) (repo Repository, chart string, err error) {
	refuse := func(format string, args ...any) (Repository, string, error) {
		return Repository{}, "", kube.NewError(kube.ErrInvalid, fmt.Sprintf(format, args...), nil)
	}
	switch {
	case ref == "":
		return refuse("Name the chart as <repository>/<chart>.")
	case len(ref) > 256:
		return refuse("The chart reference is longer than 256 characters.")
	case strings.ContainsFunc(ref, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }):
		return refuse("The chart reference %q contains spaces, control characters or '\\'; name the chart as <repository>/<chart>.", ref)
	}
	if rest, ok := strings.CutPrefix(ref, "oci://"); ok && rest != "" {
		for _, r := range repos {
			base, isOCI := strings.CutPrefix(r.URL, "oci://")
			if !isOCI {
				continue
			}
			if name, ok := strings.CutPrefix(rest, strings.TrimSuffix(base, "/")+"/"); ok && chartName.MatchString(name) {
				return r, name, nil
			}
		}
		return refuse("The chart %q is not in a configured repository; Kubedeck installs charts only from those.", ref)
	}
	if strings.Contains(ref, "://") || strings.HasPrefix(ref, "file:") {
		return refuse("Kubedeck installs charts only from its configured repositories: name the chart as <repository>/<chart>, not by a URL.")
	}
	repoPart, chart, ok := strings.Cut(ref, "/")
	if !ok || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") || strings.HasPrefix(ref, "~") ||
		strings.Contains(chart, "/") || strings.Contains(ref, "..") {
		return refuse("The chart reference %q is not of the form <repository>/<chart>; paths are not accepted.", ref)
	}
	if !chartName.MatchString(chart) {
		return refuse("%q is not a chart name: use letters, digits, '.', '_' and '-'.", chart)
	}
	i := slices.IndexFunc(repos, func(r Repository) bool { return r.Name == repoPart })
	if i < 0 {
		names := make([]string, 0, len(repos))
		for _, r := range repos {
			names = append(names, r.Name)
		}
		if len(names) == 0 {
			return refuse("No chart repository is configured.")
		}
		return refuse("No repository named %q is configured (the configured ones: %s).", repoPart, strings.Join(names, ", "))
	}
	return repos[i], chart, nil
}
