package helm

import (
	"context"
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/action"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// Rollback rolls release name of namespace back to revision (0: the one
// before the latest) as u, making a new revision, and waits up to
// Options.Timeout for its resources. It also gets a release out of a
// pending status that an interrupted operation left. progress (which may
// be nil) receives what happens until Rollback returns. When ctx ends
// first, Rollback returns ctx's error and Helm carries on in the
// background.
func (c *Client) Rollback(ctx context.Context, u kube.User, namespace, name string, revision int, progress func(message string)) (shared.Release, error) {
	if err := checkRelease(namespace, name); err != nil {
		return shared.Release{}, err
	}
	if revision < 0 {
		return shared.Release{}, kube.NewError(kube.ErrInvalid, "The revision to roll back to must be positive (or 0 for the previous one).", nil)
	}
	p := newProgress(progress, c.log, "namespace", namespace, "release", name)
	defer p.close()
	cfg, err := c.configuration(u, namespace, p.logf, true)
	if err != nil {
		return shared.Release{}, err
	}
	act := action.NewRollback(cfg)
	act.Version = revision
	act.Timeout, act.Wait, act.WaitForJobs = c.opts.Timeout, true, true
	act.MaxHistory = maxHistory
	if revision == 0 {
		p.say(fmt.Sprintf("Rolling back release %s in namespace %s to its previous revision", name, namespace))
	} else {
		p.say(fmt.Sprintf("Rolling back release %s in namespace %s to revision %d", name, namespace, revision))
	}
	if err := runCtx(ctx, func() error { return act.Run(name) }); err != nil {
		if ctx.Err() != nil {
			return shared.Release{}, fmt.Errorf("helm: rollback of %s/%s: %w", namespace, name, ctx.Err())
		}
		if strings.Contains(err.Error(), "release has no") {
			return shared.Release{}, kube.NewError(kube.ErrNotFound, fmt.Sprintf("Release %q in namespace %q has no revision %d.", name, namespace, revision), err)
		}
		return shared.Release{}, releaseError(err, namespace, name, c.opts.Timeout)
	}
	rel, err := cfg.Releases.Last(name)
	if err != nil {
		return shared.Release{}, releaseError(err, namespace, name, c.opts.Timeout)
	}
	p.say(fmt.Sprintf("Release %s is %s (revision %d)", name, rel.Info.Status, rel.Version))
	return toRelease(rel), nil
}

// runCtx runs fn, an SDK call that takes no context, and returns its
// error, or ctx's when ctx ends first (fn then goes on in the background
// with its own configuration, which nothing else uses).
func runCtx(ctx context.Context, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
