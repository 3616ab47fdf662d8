package helm

import (
	"context"
	"fmt"

	"helm.sh/helm/v3/pkg/action"

	"github.com/kubedeck/kubedeck/kube"
)

// Uninstall removes release name of namespace and its objects as u, and
// waits up to Options.Timeout for them to be gone. With keepHistory, the
// release's revisions stay (marked uninstalled), so it can be rolled back.
// When ctx ends first, Uninstall returns ctx's error and Helm carries on
// in the background.
func (c *Client) Uninstall(ctx context.Context, u kube.User, namespace, name string, keepHistory bool) error {
	if err := checkRelease(namespace, name); err != nil {
		return err
	}
	p := newProgress(nil, c.log, "namespace", namespace, "release", name)
	defer p.close()
	cfg, err := c.configuration(u, namespace, p.logf, false)
	if err != nil {
		return err
	}
	act := action.NewUninstall(cfg)
	act.KeepHistory = keepHistory
	act.Timeout, act.Wait = c.opts.Timeout, true
	act.DeletionPropagation = "background"
	err = runCtx(ctx, func() error {
		_, err := act.Run(name)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("helm: uninstall of %s/%s: %w", namespace, name, ctx.Err())
		}
		return releaseError(err, namespace, name, c.opts.Timeout)
	}
	return nil
}
