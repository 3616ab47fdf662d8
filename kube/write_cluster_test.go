package kube

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// editor makes namespace and gives user the built-in "edit" role in it,
// returning once the authorizer lets user delete Services there.
func editor(t *testing.T, admin kubernetes.Interface, namespace, user string) {
	t.Helper()
	testNamespace(t, admin, namespace)
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-edit", Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	ctx := context.Background()
	if _, err := admin.RbacV1().RoleBindings(namespace).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, user+" may edit "+namespace, func() error {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: namespace, Verb: "delete", Resource: "services",
			},
		}}
		got, err := admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err == nil && !got.Status.Allowed {
			err = errors.New("not yet allowed")
		}
		return err
	})
}

// mustObject converts a typed object for the write API.
func mustObject(t *testing.T, obj runtime.Object) *Object {
	t.Helper()
	o, err := objectOf(obj)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func testIngress(namespace, name string) *networkingv1.Ingress {
	prefix := networkingv1.PathTypePrefix
	return &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{
			Host: name + ".example.test",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
				Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{
					Service: &networkingv1.IngressServiceBackend{Name: name, Port: networkingv1.ServiceBackendPort{Number: 80}},
				}}},
			}},
		}}},
	}
}

func testService(namespace, name string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Port: 80}}},
	}
}

func testPodTemplate(name string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example.test/app:1"}}},
	}
}

func testStatefulSet(namespace, name string) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: appsv1.StatefulSetSpec{ServiceName: name,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: testPodTemplate(name)},
	}
}

func testDeployment(namespace, name string) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: testPodTemplate(name)},
	}
}

// writeClient is a Client acting through Kubedeck's impersonating identity,
// with fast retries.
func writeClient(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(impersonatorConfig(t), ClientOptions{Retry: fastRetry}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// getErr is the admin's answer to getting resource/name in namespace.
func getErr(t *testing.T, admin kubernetes.Interface, resource, namespace, name string) error {
	t.Helper()
	ctx := context.Background()
	var err error
	switch resource {
	case "ingresses":
		_, err = admin.NetworkingV1().Ingresses(namespace).Get(ctx, name, metav1.GetOptions{})
	case "services":
		_, err = admin.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
	case "statefulsets":
		_, err = admin.AppsV1().StatefulSets(namespace).Get(ctx, name, metav1.GetOptions{})
	case "deployments":
		_, err = admin.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
	case "configmaps":
		_, err = admin.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	default:
		t.Fatalf("getErr does not know %s", resource)
	}
	return err
}

func TestWriteDeleteAsUser(t *testing.T) {
	admin := clusterAdmin(t)
	const ns = "write-delete"
	editor(t, admin, ns, "alice")
	c := writeClient(t)
	alice, bob := User{Name: "alice"}, User{Name: "bob"}
	ctx := t.Context()

	objects := []struct {
		resource string
		obj      runtime.Object
	}{
		{"ingresses", testIngress(ns, "web")},
		{"services", testService(ns, "web")},
		{"statefulsets", testStatefulSet(ns, "db")},
	}
	for _, o := range objects {
		t.Run(o.resource, func(t *testing.T) {
			created, err := c.Create(ctx, alice, mustObject(t, o.obj))
			if err != nil {
				t.Fatalf("create as alice: %v", err)
			}
			name := created.Name()
			if created.UID() == "" {
				t.Errorf("created %s has no uid", name)
			}
			err = c.Delete(ctx, bob, o.resource, ns, name, DeleteOptions{})
			if !errors.Is(err, ErrForbidden) {
				t.Fatalf("delete as bob: %v, want ErrForbidden", err)
			}
			if msg := publicMessage(err); !strings.Contains(msg, "You may not delete "+o.resource) {
				t.Errorf("bob is told %q", msg)
			}
			if err := getErr(t, admin, o.resource, ns, name); err != nil {
				t.Fatalf("after bob's refused delete: %v", err)
			}
			err = c.Delete(ctx, alice, o.resource, ns, name, DeleteOptions{UID: "00000000-0000-0000-0000-000000000000"})
			if !errors.Is(err, ErrConflict) {
				t.Errorf("delete as alice with another uid: %v, want ErrConflict", err)
			}
			if err := c.Delete(ctx, alice, o.resource, ns, name, DeleteOptions{UID: created.UID()}); err != nil {
				t.Fatalf("delete as alice: %v", err)
			}
			pollUntil(t, o.resource+" gone", func() error {
				if err := getErr(t, admin, o.resource, ns, name); !apierrors.IsNotFound(err) {
					return errors.New("still there")
				}
				return nil
			})
			err = c.Delete(ctx, alice, o.resource, ns, name, DeleteOptions{})
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("deleting it again: %v, want ErrNotFound", err)
			}
		})
	}
	t.Run("a kind Kubedeck does not know", func(t *testing.T) {
		if err := c.Delete(ctx, alice, "widgets", ns, "x", DeleteOptions{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("delete widgets: %v, want ErrInvalid", err)
		}
	})
}

func TestWriteCreateConflict(t *testing.T) {
	admin := clusterAdmin(t)
	const ns = "write-create"
	editor(t, admin, ns, "alice")
	c := writeClient(t)
	alice := User{Name: "alice"}
	ctx := t.Context()
	obj := mustObject(t, testService(ns, "api"))
	if _, err := c.Create(ctx, alice, obj); err != nil {
		t.Fatal(err)
	}
	_, err := c.Create(ctx, alice, obj)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("second create: %v, want ErrConflict", err)
	}
	if msg, want := publicMessage(err), `Service "api" in namespace "write-create" already exists.`; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	if _, err := c.Create(ctx, User{Name: "bob"}, mustObject(t, testService(ns, "other"))); !errors.Is(err, ErrForbidden) {
		t.Errorf("create as bob: %v, want ErrForbidden", err)
	}
}

func TestWriteDryRun(t *testing.T) {
	admin := clusterAdmin(t)
	const ns = "write-dryrun"
	editor(t, admin, ns, "alice")
	c := writeClient(t)
	alice := User{Name: "alice"}
	ctx := t.Context()

	t.Run("allowed, persists nothing, with warnings", func(t *testing.T) {
		d := mustObject(t, testDeployment(ns, "web"))
		// An unknown field draws a warning, and the default field validation
		// (Warn) drops it.
		fields := d.Fields()
		fields["spec"].(map[string]any)["colour"] = "blue"
		d, err := NewObject(fields)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.DryRun(ctx, alice, d)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Allowed || res.Err != nil || res.Object == nil {
			t.Fatalf("verdict %+v, want allowed with the object", res)
		}
		if strategy := stringAt(res.Object.Fields(), "spec", "strategy", "type"); strategy != "RollingUpdate" {
			t.Errorf("dry-run object's strategy %q, want the API server's default RollingUpdate", strategy)
		}
		if len(res.Warnings) == 0 || !strings.Contains(strings.Join(res.Warnings, "\n"), "colour") {
			t.Errorf("warnings %q, want one about the unknown field", res.Warnings)
		}
		if err := getErr(t, admin, "deployments", ns, "web"); !apierrors.IsNotFound(err) {
			t.Errorf("after the dry run, get: %v, want not found", err)
		}
	})
	tests := []struct {
		name    string
		user    User
		obj     *Object
		verdict error
	}{
		{name: "forbidden", user: User{Name: "bob"}, obj: mustObject(t, testDeployment(ns, "web")), verdict: ErrForbidden},
		{name: "invalid", user: alice, obj: mustObject(t, &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "Not_A_Name", Namespace: ns},
		}), verdict: ErrInvalid},
		{name: "exists", user: alice, obj: mustObject(t, testService(ns, "existing")), verdict: ErrConflict},
	}
	if _, err := c.Create(ctx, alice, mustObject(t, testService(ns, "existing"))); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.DryRun(ctx, tt.user, tt.obj)
			if err != nil {
				t.Fatalf("DryRun: %v, want a verdict", err)
			}
			if res.Allowed || !errors.Is(res.Err, tt.verdict) || publicMessage(res.Err) == "" {
				t.Errorf("verdict %+v, want refused with %v and a message", res, tt.verdict)
			}
		})
	}
}

// stringAt is the string at path in fields, "" when there is none.
func stringAt(fields map[string]any, path ...string) string {
	var v any = fields
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func TestWriteRetries(t *testing.T) {
	admin := clusterAdmin(t)
	const ns = "write-retry"
	editor(t, admin, ns, "alice")
	base := impersonatorConfig(t)
	alice := User{Name: "alice"}
	ctx := t.Context()
	const collection = "/api/v1/namespaces/" + ns + "/configmaps"
	configMap := func(name string) *Object {
		return mustObject(t, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		})
	}
	tooMany := statusFault(http.StatusTooManyRequests, metav1.StatusReasonTooManyRequests, 0, false)
	unavailable := statusFault(http.StatusServiceUnavailable, metav1.StatusReasonServiceUnavailable, 0, false)

	t.Run("create retries a 429", func(t *testing.T) {
		p := newFaultyProxy(t, collection, tooMany)
		c, err := NewClient(throughProxy(base, p), ClientOptions{Retry: fastRetry}, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Create(ctx, alice, configMap("after-429")); err != nil {
			t.Fatalf("create: %v", err)
		}
		if n := p.requests(); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("create does not retry a 503", func(t *testing.T) {
		p := newFaultyProxy(t, collection, unavailable)
		c, err := NewClient(throughProxy(base, p), ClientOptions{Retry: fastRetry}, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Create(ctx, alice, configMap("after-503"))
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("create: %v, want ErrUnavailable", err)
		}
		if n := p.requests(); n != 1 {
			t.Errorf("%d requests, want 1: a 503 does not prove the create was not applied", n)
		}
	})
	t.Run("delete whose answer was lost", func(t *testing.T) {
		if _, err := admin.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "lost"}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		// The proxy deletes the object and then answers 503, as if the API
		// server's answer had been lost: the retry finds it gone.
		applied := func(w http.ResponseWriter, r *http.Request) {
			if err := admin.CoreV1().ConfigMaps(ns).Delete(r.Context(), "lost", metav1.DeleteOptions{}); err != nil {
				t.Errorf("the proxy's delete: %v", err)
			}
			unavailable(w, r)
		}
		p := newFaultyProxy(t, collection+"/lost", applied)
		c, err := NewClient(throughProxy(base, p), ClientOptions{Retry: fastRetry}, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Delete(ctx, alice, "configmaps", ns, "lost", DeleteOptions{}); err != nil {
			t.Errorf("delete: %v, want success", err)
		}
		if n := p.requests(); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
}
