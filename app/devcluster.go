//go:build !wasm

package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/deploy/rbac"
	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// localCluster is the cluster `make run` starts when no kubeconfig is
// reachable: Kubedeck runs as the cluster's "kubedeck" user with exactly the
// shipped RBAC, and the dev user gets what a developer on a shared cluster
// has: edit rights in the demo namespaces only, and read access to the
// cluster-scoped kinds the dashboard lists.
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
	lc := &localCluster{c: c, kubeconfig: filepath.Join(c.Dir(), "kubeconfig")}
	if err := lc.prepare(ctx, dev); err != nil {
		_ = c.Stop()
		return nil, err
	}
	log.Info("local cluster ready", "seconds", time.Since(start).Round(100*time.Millisecond).Seconds(),
		"api_server", c.Server(), "admin_kubeconfig", lc.kubeconfig)
	return lc, nil
}

// prepare grants the RBAC, seeds the demo and writes an admin kubeconfig for
// kubectl.
func (lc *localCluster) prepare(ctx context.Context, dev kube.User) error {
	admin, err := kubernetes.NewForConfig(lc.c.AdminConfig())
	if err != nil {
		return err
	}
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser}
	if err := rbac.Grant(ctx, admin, subject); err != nil {
		return fmt.Errorf("grant Kubedeck's RBAC: %w", err)
	}
	if err := localcluster.Seed(ctx, admin); err != nil {
		return fmt.Errorf("seed the demo: %w", err)
	}
	if err := grantDeveloper(ctx, admin, dev.Name); err != nil {
		return fmt.Errorf("grant the dev user: %w", err)
	}
	return lc.c.WriteKubeconfig(lc.kubeconfig, localcluster.AdminUser)
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

// grantDeveloper binds the built-in edit role in each demo namespace and a
// read-only role for namespaces and persistent volumes to the dev user.
func grantDeveloper(ctx context.Context, admin kubernetes.Interface, user string) error {
	subject := []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}}
	reader := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "kubedeck-demo-cluster-reader"},
		Rules: []rbacv1.PolicyRule{{
			APIGroups: []string{""},
			Resources: []string{"namespaces", "persistentvolumes", "nodes"},
			Verbs:     []string{"get", "list", "watch"},
		}},
	}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, reader, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubedeck-demo-" + user + "-reader"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: reader.Name},
		Subjects:   subject,
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	for _, ns := range localcluster.DemoNamespaces() {
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "kubedeck-demo-" + user + "-edit", Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
			Subjects:   subject,
		}
		if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}
