package helm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// cluster is the package's local cluster; nil when its binaries are not
// built (tests that need it call localcluster.Need).
var cluster *localcluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(localcluster.RunTests(m, localcluster.Options{AuditLog: true}, &cluster))
}

// clusterAdmin is a clientset with the cluster's admin identity, for
// setting tests up and checking what landed where.
func clusterAdmin(t testing.TB) kubernetes.Interface {
	t.Helper()
	localcluster.Need(t, cluster)
	cs, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// kubeClient is a kube.Client acting as Kubedeck does in production: the
// cluster's kubedeck user, allowed to impersonate and nothing else.
func kubeClient(t testing.TB) *kube.Client {
	t.Helper()
	admin := clusterAdmin(t)
	const name = "kubedeck-helm-test-impersonator"
	ctx := context.Background()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"users", "groups"}, Verbs: []string{"impersonate"},
	}}}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser}},
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	waitAllowed(t, admin, localcluster.ServerUser, authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "users"})
	kc, err := kube.NewClient(cluster.UserConfig(localcluster.ServerUser), kube.ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

// offlineKubeClient is a kube.Client for tests that never reach a
// cluster (repositories, charts, values): its API server does not exist.
func offlineKubeClient(t testing.TB) *kube.Client {
	t.Helper()
	kc, err := kube.NewClient(&rest.Config{Host: "http://127.0.0.1:1"}, kube.ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

// teamNamespace makes a fresh namespace "team-a-…" where user may edit
// (the built-in "edit" role), deleted when the test ends.
func teamNamespace(t testing.TB, admin kubernetes.Interface, user string) string {
	t.Helper()
	ns := fmt.Sprintf("team-a-%06d", rand.IntN(1_000_000))
	ctx := context.Background()
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-edit", Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAllowed(t, admin, user, authorizationv1.ResourceAttributes{Namespace: ns, Verb: "create", Resource: "secrets"})
	return ns
}

// waitAllowed returns once the authorizer lets user do what attrs say.
func waitAllowed(t testing.TB, admin kubernetes.Interface, user string, attrs authorizationv1.ResourceAttributes) {
	t.Helper()
	pollUntil(t, user+" may "+attrs.Verb+" "+attrs.Resource, 10*time.Second, func() error {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: user, ResourceAttributes: &attrs}}
		got, err := admin.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), sar, metav1.CreateOptions{})
		if err == nil && !got.Status.Allowed {
			err = errors.New("not yet allowed")
		}
		return err
	})
}

// pollUntil calls f until it returns nil or within has passed, then fails
// with f's last error.
func pollUntil(t testing.TB, what string, within time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// publicMessageOf is the message for people of err.
func publicMessageOf(err error) string {
	var ke *kube.Error
	if errors.As(err, &ke) {
		return ke.PublicMessage()
	}
	return ""
}
