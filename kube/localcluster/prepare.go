package localcluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/deploy/rbac"
)

// Prepare makes a started cluster ready for `make run`: Kubedeck's own
// identity (ServerUser) gets exactly the RBAC the chart ships, the demo is
// seeded, and the developer dev gets what a developer on a shared cluster
// has: edit rights in the demo namespaces only, and read access to the
// cluster-scoped kinds the dashboard lists. It writes an admin kubeconfig
// for kubectl into the cluster's directory and returns its path. It may be
// called again on the same cluster.
func Prepare(ctx context.Context, c *Cluster, dev string) (kubeconfig string, err error) {
	admin, err := kubernetes.NewForConfig(c.AdminConfig())
	if err != nil {
		return "", err
	}
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: ServerUser}
	if err := rbac.Grant(ctx, admin, subject); err != nil {
		return "", fmt.Errorf("grant Kubedeck's RBAC: %w", err)
	}
	if err := Seed(ctx, admin); err != nil {
		return "", fmt.Errorf("seed the demo: %w", err)
	}
	if err := GrantDeveloper(ctx, admin, dev); err != nil {
		return "", fmt.Errorf("grant the dev user: %w", err)
	}
	kubeconfig = filepath.Join(c.Dir(), "kubeconfig")
	if err := c.WriteKubeconfig(kubeconfig, AdminUser); err != nil {
		return "", err
	}
	return kubeconfig, nil
}

// GrantDeveloper binds the built-in edit role in each demo namespace and a
// read-only role for namespaces, persistent volumes and nodes to user.
func GrantDeveloper(ctx context.Context, admin kubernetes.Interface, user string) error {
	if user == "" {
		return errors.New("no developer to grant rights to")
	}
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
	for _, ns := range DemoNamespaces() {
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
