package helm

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// List returns the releases of namespace as u may read them (Helm keeps
// them in Secrets there): the latest revision of each, whatever its status,
// pending and failed included, sorted by name. Pending releases are marked
// Stuck; the server, which knows the operations it runs, refines that.
// namespace is required: the server decides which namespaces to read.
func (c *Client) List(ctx context.Context, u kube.User, namespace string) ([]shared.Release, error) {
	if namespace == "" {
		return nil, kube.NewError(kube.ErrInvalid, "Name the namespace whose releases to list.", nil)
	}
	secrets, err := c.releaseSecrets(ctx, u, namespace, "")
	if err != nil {
		return nil, err
	}
	out := []shared.Release{}
	for _, s := range latestRevisions(secrets) {
		r, err := decodeRelease(s)
		if err != nil {
			c.log.Warn("skipping a release that cannot be read", "namespace", namespace, "secret", s.Name, "err", err)
			continue
		}
		out = append(out, toRelease(r))
	}
	slices.SortFunc(out, func(a, b shared.Release) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Get returns release name of namespace in full, as u may read it: its
// latest revision, notes, history (oldest first) and objects. withValues
// says whether u may see its values and manifest (the server decides: it
// asks whether u may read the release's Secrets); without, Values,
// ComputedValues and Manifest stay empty and ValuesHidden is true. The
// data of Secrets in the manifest is always masked.
func (c *Client) Get(ctx context.Context, u kube.User, namespace, name string, withValues bool) (shared.ReleaseDetail, error) {
	if err := checkRelease(namespace, name); err != nil {
		return shared.ReleaseDetail{}, err
	}
	secrets, err := c.releaseSecrets(ctx, u, namespace, name)
	if err != nil {
		return shared.ReleaseDetail{}, err
	}
	var history []*release.Release
	for i := range secrets {
		r, err := decodeRelease(&secrets[i])
		if err != nil {
			c.log.Warn("skipping a revision that cannot be read", "namespace", namespace, "secret", secrets[i].Name, "err", err)
			continue
		}
		if r.Name == name {
			history = append(history, r)
		}
	}
	if len(history) == 0 {
		return shared.ReleaseDetail{}, kube.NewError(kube.ErrNotFound, fmt.Sprintf("Release %q in namespace %q was not found.", name, namespace), nil)
	}
	slices.SortFunc(history, func(a, b *release.Release) int { return a.Version - b.Version })
	latest := history[len(history)-1]
	d := shared.ReleaseDetail{
		Release:   toRelease(latest),
		Notes:     latest.Info.Notes,
		History:   make([]shared.ReleaseRevision, 0, len(history)),
		Resources: releaseResources(manifestObjects(latest.Manifest), namespace, c.scopeOf(u)),
	}
	for _, r := range history {
		d.History = append(d.History, toRevision(r))
	}
	if !withValues {
		d.ValuesHidden = true
		return d, nil
	}
	if d.Values, err = valuesYAML(latest.Config); err != nil {
		return shared.ReleaseDetail{}, err
	}
	if latest.Chart != nil {
		computed, err := chartutil.CoalesceValues(latest.Chart, latest.Config)
		if err != nil {
			return shared.ReleaseDetail{}, fmt.Errorf("helm: computed values of %s/%s: %w", namespace, name, err)
		}
		if d.ComputedValues, err = valuesYAML(computed); err != nil {
			return shared.ReleaseDetail{}, err
		}
	}
	d.Manifest = maskManifest(latest.Manifest)
	return d, nil
}

// checkRelease refuses a call without a namespace or with a name Helm
// would not give a release.
func checkRelease(namespace, name string) error {
	if namespace == "" {
		return kube.NewError(kube.ErrInvalid, "Name the release's namespace.", nil)
	}
	if err := chartutil.ValidateReleaseName(name); err != nil {
		return kube.NewError(kube.ErrInvalid, fmt.Sprintf("%q is not a valid release name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 53 characters.", name), err)
	}
	return nil
}

// scopeOf says, from u's discovery, whether objects of a kind live in a
// namespace. Kinds it cannot tell are taken as namespaced.
func (c *Client) scopeOf(u kube.User) func(apiVersion, kind string) bool {
	rc, err := c.kc.ConfigAs(u)
	if err != nil {
		return func(string, string) bool { return true }
	}
	disc, err := c.discovery.forConfig(rc)
	if err != nil {
		return func(string, string) bool { return true }
	}
	return func(apiVersion, kind string) bool {
		gv, err := schema.ParseGroupVersion(apiVersion)
		if err != nil {
			return true
		}
		m, err := disc.mapper.RESTMapping(gv.WithKind(kind).GroupKind(), gv.Version)
		if err != nil {
			return true
		}
		return m.Scope.Name() != meta.RESTScopeNameRoot
	}
}

// toRelease is the latest revision r of a release as Kubedeck shows it.
func toRelease(r *release.Release) shared.Release {
	out := shared.Release{Name: r.Name, Namespace: r.Namespace, Revision: r.Version}
	if r.Chart != nil && r.Chart.Metadata != nil {
		md := r.Chart.Metadata
		out.Chart, out.ChartVersion, out.AppVersion = md.Name, md.Version, md.AppVersion
		out.Description, out.Icon = md.Description, md.Icon
	}
	if r.Info != nil {
		out.Status = string(r.Info.Status)
		out.Updated = r.Info.LastDeployed.Time
		out.Stuck = r.Info.Status.IsPending()
	}
	return out
}

// toRevision is one revision of a release's history.
func toRevision(r *release.Release) shared.ReleaseRevision {
	out := shared.ReleaseRevision{Revision: r.Version}
	if r.Chart != nil && r.Chart.Metadata != nil {
		out.ChartVersion, out.AppVersion = r.Chart.Metadata.Version, r.Chart.Metadata.AppVersion
	}
	if r.Info != nil {
		out.Status, out.Description, out.Updated = string(r.Info.Status), r.Info.Description, r.Info.LastDeployed.Time
	}
	return out
}

// valuesYAML writes values as YAML; no values is "".
func valuesYAML(values map[string]any) (string, error) {
	if len(values) == 0 {
		return "", nil
	}
	b, err := yaml.Marshal(values)
	if err != nil {
		return "", fmt.Errorf("helm: values as YAML: %w", err)
	}
	return string(b), nil
}
