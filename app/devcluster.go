//go:build !wasm

package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// localCluster is the cluster `make run` starts when no kubeconfig is
// reachable: Kubedeck runs as the cluster's "kubedeck" user with exactly the
// shipped RBAC, and the dev user gets what a developer on a shared cluster
// has (see localcluster.Prepare).
type localCluster struct {
	c          *localcluster.Cluster
	kubeconfig string
}

func startLocalCluster(ctx context.Context, log *slog.Logger, dev kube.User) (*localCluster, error) {
	log.Info("starting a local cluster (no kubeconfig is reachable)", "binaries", localcluster.DefaultBinDir())
	start := time.Now()
	c, err := localcluster.Start(ctx, localcluster.Options{})
	if err != nil {
		return nil, fmt.Errorf("start the local cluster: %w", err)
	}
	kubeconfig, err := localcluster.Prepare(ctx, c, dev.Name)
	if err != nil {
		_ = c.Stop()
		return nil, err
	}
	lc := &localCluster{c: c, kubeconfig: kubeconfig}
	log.Info("local cluster ready", "seconds", time.Since(start).Round(100*time.Millisecond).Seconds(),
		"api_server", c.Server(), "admin_kubeconfig", lc.kubeconfig)
	return lc, nil
}

// serverConfig is the config Kubedeck itself uses: the "kubedeck" user.
func (lc *localCluster) serverConfig() *rest.Config { return lc.c.UserConfig(localcluster.ServerUser) }

func (lc *localCluster) stop(log *slog.Logger) {
	if err := lc.c.Stop(); err != nil {
		log.Error("stop the local cluster", "err", err)
		return
	}
	log.Info("local cluster stopped")
}

// grantDeveloper gives user what `make run` gives the dev user; the app's
// tests use it for their own users.
func grantDeveloper(ctx context.Context, admin kubernetes.Interface, user string) error {
	return localcluster.GrantDeveloper(ctx, admin, user)
}
