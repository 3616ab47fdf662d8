package server

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/deploy/rbac"
	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// grantShippedRBAC applies deploy/rbac's ClusterRole and binds it to the
// local cluster's kubedeck user, so tests run the server with exactly the
// rights Kubedeck ships with. It may be called again.
func grantShippedRBAC(ctx context.Context, admin kubernetes.Interface) error {
	return rbac.Grant(ctx, admin, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser})
}

// clusterFixture is a server on the local cluster running as the kubedeck
// user with the shipped ClusterRole, its informer cache started.
type clusterFixture struct {
	s      *Server
	client *kube.Client
	admin  kubernetes.Interface
}

// newClusterFixture builds a clusterFixture in cfg's identity settings, with
// access decisions kept for accessTTL.
func newClusterFixture(t testing.TB, cfg Config, accessTTL time.Duration) *clusterFixture {
	t.Helper()
	localcluster.Need(t, cluster)
	ctx := context.Background()
	admin, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := grantShippedRBAC(ctx, admin); err != nil {
		t.Fatal(err)
	}
	client, err := kube.NewClient(cluster.UserConfig(localcluster.ServerUser), kube.ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	objects, err := kube.NewObjects(client.Base(), kube.ObjectsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	objects.Start(octx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := objects.WaitForSync(sctx); err != nil {
		t.Fatalf("informers as the kubedeck user with the shipped ClusterRole: %v", err)
	}
	access := kube.NewAccess(client, kube.AccessOptions{TTL: accessTTL})
	if cfg.Auth.Mode == "" && cfg.Auth.ProxySecret == "" {
		cfg.Auth.ProxySecret = testProxySecret // do sends it, as oauth2-proxy would
	}
	cfg.AllowedHosts = append(cfg.AllowedHosts, "example.com")
	s, err := New(cfg, Deps{Kube: client, Objects: objects, Access: access})
	if err != nil {
		t.Fatal(err)
	}
	return &clusterFixture{s: s, client: client, admin: admin}
}

// namespace creates a namespace named base plus a random suffix for the
// test (removed after it), so runs do not meet namespaces still being
// deleted, and returns its name.
func (f *clusterFixture) namespace(t testing.TB, base string) string {
	t.Helper()
	ctx := context.Background()
	name := base + "-" + rand.Text()[:6]
	name = strings.ToLower(name)
	_, err := f.admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.admin.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	return name
}

// bind gives user the built-in ClusterRole role ("view", "edit") in
// namespace and returns a func that takes it back.
func (f *clusterFixture) bind(t testing.TB, user, role, namespace string) (unbind func()) {
	t.Helper()
	ctx := context.Background()
	name := user + "-" + role
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := f.admin.RbacV1().RoleBindings(namespace).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	f.waitAuthorized(t, user, nil, namespace)
	return func() {
		t.Helper()
		if err := f.admin.RbacV1().RoleBindings(namespace).Delete(context.Background(), name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// waitAuthorized waits until the API server itself says user (with groups)
// may list pods in namespace. Its authorizer learns of a new binding through
// its own informer, a little later; a test's first request made before
// that is denied, and the server caches the denial for the access TTL.
func (f *clusterFixture) waitAuthorized(t testing.TB, user string, groups []string, namespace string) {
	t.Helper()
	eventually(t, user+" may list pods in "+namespace+" per the API server", func() bool {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               user,
			Groups:             groups,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods", Namespace: namespace},
		}}
		got, err := f.admin.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), sar, metav1.CreateOptions{})
		return err == nil && got.Status.Allowed
	})
}

// get sends a GET from the trusted proxy as user with groups.
func (f *clusterFixture) get(path, user string, groups string) *httptest.ResponseRecorder {
	h := map[string]string{headerUser: user}
	if groups != "" {
		h[headerGroups] = groups
	}
	return do(f.s, http.MethodGet, path, proxyPeer, h)
}

// eventually polls cond every 100 ms for up to 10 s (RBAC changes reach the
// API server's authorizer through its informers, a little later).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
