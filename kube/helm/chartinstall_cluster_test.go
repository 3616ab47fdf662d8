package helm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
)

// kubedeckChartDir is Kubedeck's own chart.
var kubedeckChartDir = filepath.Join("..", "..", "deploy", "chart", "kubedeck")

// TestKubedeckChartInstall installs Kubedeck's chart, with the bundled
// Redis, into a fresh namespace of the local cluster (kwok runs the pods),
// checks every object it renders is there and the Deployments become
// Available, upgrades it keeping the generated secrets, and uninstalls it,
// which removes every object, the cluster-wide ones too.
func TestKubedeckChartInstall(t *testing.T) {
	t.Parallel()
	admin := clusterAdmin(t)
	ctx := t.Context()
	suffix := fmt.Sprintf("%06d", rand.IntN(1_000_000))
	ns := "kubedeck-chart-" + suffix
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	// The chart makes a ClusterRole and its binding: its installer is a
	// cluster admin (Kubedeck drops system: groups, so not system:masters).
	operator := kube.User{Name: "chart-operator-" + suffix}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: operator.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: operator.Name}},
	}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.RbacV1().ClusterRoleBindings().Delete(context.Background(), binding.Name, metav1.DeleteOptions{})
	})
	waitAllowed(t, admin, operator.Name, authorizationv1.ResourceAttributes{Verb: "create", Group: "rbac.authorization.k8s.io", Resource: "clusterroles"})

	r := helmtest.NewRepo(t, helmtest.Chart{Dir: kubedeckChartDir})
	c, err := New(kubeClient(t), Options{Repositories: repositoriesOf(r), Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	const values = "redis:\n  bundled:\n    enabled: true\n"
	want := renderedObjects(t, values, ns)
	req := InstallRequest{Namespace: ns, Name: "kubedeck", Chart: "test/kubedeck", Values: values}
	if _, err := c.Install(ctx, operator, req, nil); err != nil {
		t.Fatalf("install: %v", err)
	}
	for _, o := range want {
		if err := getObject(ctx, admin, ns, o); err != nil {
			t.Errorf("%s %s: %v", o.kind, o.name, err)
		}
	}
	for _, name := range []string{"kubedeck", "kubedeck-redis"} {
		d, err := admin.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !available(d) || d.Status.AvailableReplicas != *d.Spec.Replicas {
			t.Errorf("deployment %s: %d of %d available, conditions %+v", name, d.Status.AvailableReplicas, *d.Spec.Replicas, d.Status.Conditions)
		}
	}

	// An upgrade keeps the secrets the chart generated (lookup).
	before := secretData(t, admin, ns, "kubedeck-proxy-secret", "kubedeck-cookie-secret", "kubedeck-access-key", "kubedeck-redis")
	if _, err := c.Upgrade(ctx, operator, req, nil); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	after := secretData(t, admin, ns, "kubedeck-proxy-secret", "kubedeck-cookie-secret", "kubedeck-access-key", "kubedeck-redis")
	for name, data := range before {
		if after[name] != data {
			t.Errorf("Secret %s changed on upgrade", name)
		}
	}

	if err := c.Uninstall(ctx, operator, ns, "kubedeck", false); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
	pollUntil(t, "every object of the release gone", 30*time.Second, func() error {
		var left []string
		for _, o := range want {
			if err := getObject(ctx, admin, ns, o); !apierrors.IsNotFound(err) {
				left = append(left, fmt.Sprintf("%s %s (%v)", o.kind, o.name, err))
			}
		}
		if len(left) > 0 {
			return fmt.Errorf("still there: %s", strings.Join(left, ", "))
		}
		return nil
	})
}

// object is the kind and name of a rendered object.
type object struct{ kind, name string }

// renderedObjects renders Kubedeck's chart as the install does and lists
// what it makes; there are at least the core objects.
func renderedObjects(t *testing.T, values, namespace string) []object {
	t.Helper()
	var vals map[string]any
	if err := yaml.Unmarshal([]byte(values), &vals); err != nil {
		t.Fatal(err)
	}
	files, err := RenderChart(kubedeckChartDir, vals, namespace)
	if err != nil {
		t.Fatal(err)
	}
	var out []object
	for name, text := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		for doc := range strings.SplitSeq(text, "\n---\n") {
			var m struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(strings.TrimPrefix(doc, "---\n")), &m); err != nil {
				t.Fatal(err)
			}
			if m.Kind != "" {
				out = append(out, object{m.Kind, m.Metadata.Name})
			}
		}
	}
	for _, must := range []object{{"Deployment", "kubedeck"}, {"ClusterRole", namespace + "-kubedeck"}, {"NetworkPolicy", "kubedeck-redis"}} {
		if !slices.Contains(out, must) {
			t.Fatalf("the chart renders no %s %s: %v", must.kind, must.name, out)
		}
	}
	return out
}

// getObject reads o as the admin: nil when it is there.
func getObject(ctx context.Context, admin kubernetes.Interface, ns string, o object) error {
	var err error
	get := metav1.GetOptions{}
	switch o.kind {
	case "Deployment":
		_, err = admin.AppsV1().Deployments(ns).Get(ctx, o.name, get)
	case "Service":
		_, err = admin.CoreV1().Services(ns).Get(ctx, o.name, get)
	case "Secret":
		_, err = admin.CoreV1().Secrets(ns).Get(ctx, o.name, get)
	case "ConfigMap":
		_, err = admin.CoreV1().ConfigMaps(ns).Get(ctx, o.name, get)
	case "ServiceAccount":
		_, err = admin.CoreV1().ServiceAccounts(ns).Get(ctx, o.name, get)
	case "NetworkPolicy":
		_, err = admin.NetworkingV1().NetworkPolicies(ns).Get(ctx, o.name, get)
	case "PodDisruptionBudget":
		_, err = admin.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, o.name, get)
	case "ClusterRole":
		_, err = admin.RbacV1().ClusterRoles().Get(ctx, o.name, get)
	case "ClusterRoleBinding":
		_, err = admin.RbacV1().ClusterRoleBindings().Get(ctx, o.name, get)
	default:
		err = fmt.Errorf("the test does not know how to read a %s", o.kind)
	}
	return err
}

// available says whether d's Available condition is true.
func available(d *appsv1.Deployment) bool {
	return slices.ContainsFunc(d.Status.Conditions, func(c appsv1.DeploymentCondition) bool {
		return c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue
	})
}

// secretData is the data of each named Secret of ns, as text.
func secretData(t *testing.T, admin kubernetes.Interface, ns string, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range names {
		s, err := admin.CoreV1().Secrets(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Data) == 0 {
			t.Fatalf("Secret %s holds nothing", name)
		}
		out[name] = fmt.Sprint(s.Data)
	}
	return out
}
