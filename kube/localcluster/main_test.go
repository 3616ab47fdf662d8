package localcluster

import (
	"context"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// cluster is the package's cluster, started by TestMain; nil when the
// binaries are not built.
var cluster *Cluster

// testUser is an extra user the package's cluster knows.
var testUser = User{Name: "dev", Groups: []string{"devs", "qa"}}

func TestMain(m *testing.M) {
	os.Exit(RunTests(m, Options{Users: []User{testUser}}, &cluster))
}

// waitTimeout bounds every wait for the cluster to converge.
const waitTimeout = 60 * time.Second

// adminClientset returns an admin clientset of the package's cluster,
// skipping the test when there is none.
func adminClientset(t *testing.T) kubernetes.Interface {
	t.Helper()
	Need(t, cluster)
	cs, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// newNamespace creates a namespace for one test, waits until pods can be
// created in it (its default ServiceAccount exists) and deletes it after.
func newNamespace(t *testing.T, cs kubernetes.Interface) string {
	t.Helper()
	ctx := t.Context()
	ns, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "test-"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete namespace %s: %v", ns.Name, err)
		}
	})
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(ns.Name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("default ServiceAccount of %s never appeared: %v", ns.Name, err)
	}
	return ns.Name
}
