package helm

import (
	"context"
	"fmt"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// InstallRequest is an install: release Name in Namespace from Chart
// ("<repository>/<chart>") at Version ("" for the latest stable one; a
// range is accepted), with Values as YAML text. With DryRun, the release
// is rendered and checked against the cluster, and nothing is changed.
type InstallRequest struct {
	Namespace, Name string
	Chart, Version  string
	Values          string
	DryRun          bool
}

// UpgradeRequest is an upgrade of release Name in Namespace to Chart at
// Version. Values replace the release's values whole: the chart's
// defaults apply to what they leave out, and nothing of the previous
// revision's values is kept.
type UpgradeRequest = InstallRequest

// Install installs a chart as u, into req.Namespace (which must exist:
// Kubedeck never creates namespaces for a chart). It fetches the chart from
// its repository, checks the values against the chart's schema, then
// installs and waits up to Options.Timeout for the release's resources,
// Jobs included, to be ready. progress (which may be nil) receives what
// happens, the SDK's log lines included, until Install returns. When ctx
// ends first, Install returns ctx's error and Helm finishes (or fails) the
// release in the background.
func (c *Client) Install(ctx context.Context, u kube.User, req InstallRequest, progress func(message string)) (shared.Release, error) {
	rel, err := c.apply(ctx, u, req, false, progress)
	if err != nil {
		return shared.Release{}, err
	}
	return appliedRelease(rel, req.DryRun), nil
}

// Upgrade upgrades release req.Name as u, the way Install installs: same
// checks, same wait, same progress. An upgrade of a release that another
// operation left pending is refused (ErrConflict): roll it back first.
func (c *Client) Upgrade(ctx context.Context, u kube.User, req UpgradeRequest, progress func(message string)) (shared.Release, error) {
	rel, err := c.apply(ctx, u, req, true, progress)
	if err != nil {
		return shared.Release{}, err
	}
	return appliedRelease(rel, req.DryRun), nil
}

// appliedRelease is the release an install or upgrade returned. A dry run
// leaves it pending, which is not stuck.
func appliedRelease(rel *release.Release, dryRun bool) shared.Release {
	out := toRelease(rel)
	if dryRun {
		out.Stuck = false
	}
	return out
}

// Preview renders an install (or, with upgrade, an upgrade) as u without
// changing anything, as a dry run against the cluster: the release it
// would make with its notes, values, manifest (Secrets masked) and
// objects. Its History is empty.
func (c *Client) Preview(ctx context.Context, u kube.User, req InstallRequest, upgrade bool) (shared.ReleaseDetail, error) {
	req.DryRun = true
	rel, err := c.apply(ctx, u, req, upgrade, nil)
	if err != nil {
		return shared.ReleaseDetail{}, err
	}
	d := shared.ReleaseDetail{
		Release:   appliedRelease(rel, true),
		Notes:     rel.Info.Notes,
		Manifest:  maskManifest(rel.Manifest),
		History:   []shared.ReleaseRevision{},
		Resources: releaseResources(manifestObjects(rel.Manifest), req.Namespace, c.scopeOf(u)),
	}
	if d.Values, err = valuesYAML(rel.Config); err != nil {
		return shared.ReleaseDetail{}, err
	}
	computed, err := chartutil.CoalesceValues(rel.Chart, rel.Config)
	if err != nil {
		return shared.ReleaseDetail{}, fmt.Errorf("helm: computed values: %w", err)
	}
	if d.ComputedValues, err = valuesYAML(computed); err != nil {
		return shared.ReleaseDetail{}, err
	}
	return d, nil
}

// CheckValues checks values (YAML text) against the schema of chart
// (repository/chart) at version, as an install or upgrade would, without
// reaching the cluster: the error is the install's (a SchemaError cause
// with every violation's path), so a request can be refused at once
// instead of failing in its operation.
func (c *Client) CheckValues(ctx context.Context, chart, version, valuesText string) error {
	values, err := parseValues(valuesText)
	if err != nil {
		return err
	}
	p := newProgress(nil, c.log, "chart", chart)
	defer p.close()
	ch, err := c.fetchChart(ctx, chart, version, p)
	if err != nil {
		return err
	}
	merged, err := chartutil.CoalesceValues(ch, values)
	if err != nil {
		return kube.NewError(kube.ErrInvalid, "The values cannot be merged with the chart's defaults: "+clip(err.Error())+".", err)
	}
	return validateValues(ch, merged, valuesText)
}

// apply runs an install or an upgrade.
func (c *Client) apply(ctx context.Context, u kube.User, req InstallRequest, upgrade bool, progress func(string)) (*release.Release, error) {
	if err := checkRelease(req.Namespace, req.Name); err != nil {
		return nil, err
	}
	p := newProgress(progress, c.log, "namespace", req.Namespace, "release", req.Name)
	defer p.close()
	values, err := parseValues(req.Values)
	if err != nil {
		return nil, err
	}
	ch, err := c.fetchChart(ctx, req.Chart, req.Version, p)
	if err != nil {
		return nil, err
	}
	merged, err := chartutil.CoalesceValues(ch, values)
	if err != nil {
		return nil, kube.NewError(kube.ErrInvalid, "The values cannot be merged with the chart's defaults: "+clip(err.Error())+".", err)
	}
	if err := validateValues(ch, merged, req.Values); err != nil {
		return nil, err
	}
	// A chart with CRDs changes what the cluster offers: Helm then reads
	// the capabilities afresh rather than from the user's cached discovery.
	cfg, err := c.configuration(u, req.Namespace, p.logf, len(ch.CRDObjects()) == 0)
	if err != nil {
		return nil, err
	}
	op, verb := "install", "Installing"
	if upgrade {
		op, verb = "upgrade", "Upgrading to"
	}
	switch {
	case req.DryRun:
		p.say(fmt.Sprintf("%s chart %s %s as release %s in namespace %s (dry run)", verb, ch.Name(), ch.Metadata.Version, req.Name, req.Namespace))
	default:
		p.say(fmt.Sprintf("%s chart %s %s as release %s in namespace %s, then waiting up to %v for its resources", verb, ch.Name(), ch.Metadata.Version, req.Name, req.Namespace, c.opts.Timeout))
	}
	var rel *release.Release
	if upgrade {
		act := action.NewUpgrade(cfg)
		act.Namespace = req.Namespace
		act.Timeout, act.Wait, act.WaitForJobs = c.opts.Timeout, true, true
		act.ResetValues = true
		act.MaxHistory = maxHistory
		act.SkipSchemaValidation = true // validateValues did it, without fetching $refs
		act.DryRun = req.DryRun
		if req.DryRun {
			act.DryRunOption = "server"
		}
		rel, err = act.RunWithContext(ctx, req.Name, ch, values)
	} else {
		act := action.NewInstall(cfg)
		act.Namespace, act.ReleaseName = req.Namespace, req.Name
		act.Timeout, act.Wait, act.WaitForJobs = c.opts.Timeout, true, true
		act.CreateNamespace = false
		act.SkipSchemaValidation = true // validateValues did it, without fetching $refs
		act.DryRun = req.DryRun
		if req.DryRun {
			act.DryRunOption = "server"
		}
		rel, err = act.RunWithContext(ctx, ch, values)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("helm: %s of %s/%s: %w", op, req.Namespace, req.Name, ctx.Err())
		}
		return nil, releaseError(err, req.Namespace, req.Name, c.opts.Timeout)
	}
	if !req.DryRun {
		p.say(fmt.Sprintf("Release %s is %s (revision %d)", rel.Name, rel.Info.Status, rel.Version))
	}
	return rel, nil
}
