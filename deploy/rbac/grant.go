package rbac

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

// Grant applies the shipped ClusterRole and binds it to subject (the shipped
// binding names a ServiceAccount; a local cluster's server identity is a
// token user). It may be called again: it updates the role and keeps the
// binding.
func Grant(ctx context.Context, admin kubernetes.Interface, subject rbacv1.Subject) error {
	var role rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict([]byte(ClusterRole), &role); err != nil {
		return fmt.Errorf("deploy/rbac/clusterrole.yaml: %w", err)
	}
	var binding rbacv1.ClusterRoleBinding
	if err := yaml.UnmarshalStrict([]byte(ClusterRoleBinding), &binding); err != nil {
		return fmt.Errorf("deploy/rbac/clusterrolebinding.yaml: %w", err)
	}
	binding.Subjects = []rbacv1.Subject{subject}
	roles := admin.RbacV1().ClusterRoles()
	if _, err := roles.Create(ctx, &role, metav1.CreateOptions{}); apierrors.IsAlreadyExists(err) {
		if _, err := roles.Update(ctx, &role, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("update ClusterRole %s: %w", role.Name, err)
		}
	} else if err != nil {
		return fmt.Errorf("create ClusterRole %s: %w", role.Name, err)
	}
	bindings := admin.RbacV1().ClusterRoleBindings()
	if _, err := bindings.Create(ctx, &binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create ClusterRoleBinding %s: %w", binding.Name, err)
	}
	return nil
}
