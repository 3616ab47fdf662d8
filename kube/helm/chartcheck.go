package helm

import (
	"fmt"
	"maps"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/releaseutil"
)

// RenderChart renders the chart source in dir with values as a release
// named after the chart in namespace, the way `helm template` does: a
// client-only dry-run install that reaches no cluster (so `lookup` finds
// nothing). Values are checked against the chart's schema first. It returns
// each template's manifest by template path ("kubedeck/templates/x.yaml";
// NOTES.txt under its own path), for tests of charts Kubedeck ships.
func RenderChart(dir string, values map[string]any, namespace string) (map[string]string, error) {
	ch, err := loader.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.ClientOnly, install.DryRun, install.Replace = true, true, true
	install.ReleaseName, install.Namespace = ch.Name(), namespace
	rel, err := install.Run(ch, maps.Clone(values))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, doc := range releaseutil.SplitManifests(rel.Manifest) {
		source, _, _ := strings.Cut(strings.TrimPrefix(doc, "---\n"), "\n")
		name, ok := strings.CutPrefix(source, "# Source: ")
		if !ok {
			return nil, fmt.Errorf("a rendered manifest names no template: %.80q", doc)
		}
		out[name] += "---\n" + doc + "\n"
	}
	if rel.Info.Notes != "" {
		out[ch.Name()+"/templates/NOTES.txt"] = rel.Info.Notes
	}
	return out, nil
}

// LintChart runs Helm's linter (`helm lint`) over the chart source in dir
// with values, and returns its messages of warning level or above (a chart
// it cannot load is one of them).
func LintChart(dir string, values map[string]any) []string {
	linter := lint.All(dir, values, "default", false)
	var out []string
	for _, m := range linter.Messages {
		if m.Severity >= support.WarningSev {
			out = append(out, m.Error())
		}
	}
	return out
}
