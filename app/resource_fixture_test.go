//go:build !wasm

package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/deploy/rbac"
	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/server"
	"github.com/kubedeck/kubedeck/web"
)

// objectsDevUser is the dev-mode user of the object viewer's tests; it
// gets what `make run` gives the dev user (grantDeveloper).
const objectsDevUser = "ada"

// objectsCluster is the local cluster prepared as `make run` prepares it
// (shipped RBAC, demo seeded, the dev user granted), with Kubedeck's
// client, informer cache and access reviews running on it.
type objectsCluster struct {
	admin   kubernetes.Interface
	client  *kube.Client
	objects *kube.Objects
	access  *kube.Access
}

func newObjectsCluster(t *testing.T) *objectsCluster {
	t.Helper()
	localcluster.Need(t, cluster)
	ctx := context.Background()
	admin, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	subject := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser}
	if err := rbac.Grant(ctx, admin, subject); err != nil {
		t.Fatal(err)
	}
	if err := localcluster.Seed(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if err := grantDeveloper(ctx, admin, objectsDevUser); err != nil {
		t.Fatal(err)
	}
	client, objects := startServerCache(t, ctx)
	return &objectsCluster{admin: admin, client: client, objects: objects,
		access: kube.NewAccess(client, kube.AccessOptions{TTL: 5 * time.Second})}
}

// serve runs Kubedeck on the cluster at addr ("127.0.0.1:0" for any port)
// in dev mode as objectsDevUser, until stop or the end of the test.
func (c *objectsCluster) serve(t *testing.T, addr string) *testServer {
	t.Helper()
	return c.serveAs(t, addr, kube.User{Name: objectsDevUser, Groups: []string{"developers"}})
}

// serveAs is serve in dev mode as user, with operations (scale, restart)
// kept in memory.
func (c *objectsCluster) serveAs(t *testing.T, addr string, user kube.User) *testServer {
	t.Helper()
	wi, err := server.InspectWeb(web.FS)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := buildAppHandler(appHandlerConfig{version: "objects-1", web: wi})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg := server.Config{Version: "objects-1", ShutdownTimeout: 2 * time.Second, Auth: server.AuthConfig{
		Mode: server.AuthDev, DevUser: user,
	}}
	srv, err := server.New(cfg, server.Deps{Log: slog.New(slog.NewJSONHandler(logs, nil)), UI: ui, Web: web.FS,
		Kube: c.client, Objects: c.objects, Access: c.access, Operations: operations.NewMemory(operations.MemoryOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener
	deadline := time.Now().Add(10 * time.Second)
	for { // the port of a server just stopped may take a moment to free
		ln, err = net.Listen("tcp", addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &testServer{origin: "http://" + ln.Addr().String(), logs: logs, stop: stop}
}

// namespaceFor creates a namespace for the test with edit rights for the
// dev user, removed after the test.
func (c *objectsCluster) namespaceFor(t *testing.T, base string) string {
	t.Helper()
	ctx := context.Background()
	name := strings.ToLower(base + "-" + rand.Text()[:6])
	if _, err := c.admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// A namespace takes seconds to go; its Deployments (a release's,
		// say) would show meanwhile in the next test's lists, so they are
		// removed first, and waited for.
		bg := context.Background()
		deployments := c.admin.AppsV1().Deployments(name)
		_ = deployments.DeleteCollection(bg, metav1.DeleteOptions{}, metav1.ListOptions{})
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if l, err := deployments.List(bg, metav1.ListOptions{}); err != nil || len(l.Items) == 0 {
				break
			}
		}
		_ = c.admin.CoreV1().Namespaces().Delete(bg, name, metav1.DeleteOptions{})
	})
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: objectsDevUser + "-edit", Namespace: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: objectsDevUser}},
	}
	if _, err := c.admin.RbacV1().RoleBindings(name).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	return name
}

// scale sets a Deployment's replicas as the cluster admin.
func (c *objectsCluster) scale(t *testing.T, namespace, name string, replicas int32) {
	t.Helper()
	ctx := context.Background()
	s, err := c.admin.AppsV1().Deployments(namespace).GetScale(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Spec.Replicas = replicas
	if _, err := c.admin.AppsV1().Deployments(namespace).UpdateScale(ctx, name, s, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// withoutNoClusterReplies leaves out the browser's report of the 503s a
// server without a cluster answers the object viewer with (it shows them as
// its failed state); the smoke test's server runs so on purpose.
func withoutNoClusterReplies(errs []string) []string {
	var out []string
	for _, e := range errs {
		if !strings.Contains(e, "Failed to load resource: the server responded with a status of 503") {
			out = append(out, e)
		}
	}
	return out
}

// createConfigMaps creates n ConfigMaps cfg-00, cfg-01, … in namespace.
func createConfigMaps(t *testing.T, c *objectsCluster, namespace string, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cfg-%02d", i)}, Data: map[string]string{"i": fmt.Sprint(i)}}
		if _, err := c.admin.CoreV1().ConfigMaps(namespace).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// startServerCache builds Kubedeck's client as the cluster's kubedeck user
// (with the shipped RBAC already granted) and its informer cache, synced;
// the cache stops when the test ends.
func startServerCache(t *testing.T, ctx context.Context) (*kube.Client, *kube.Objects) {
	t.Helper()
	client, err := kube.NewClient(cluster.UserConfig(localcluster.ServerUser), kube.ClientOptions{}, nil)
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
	sctx, scancel := context.WithTimeout(ctx, 60*time.Second)
	defer scancel()
	if err := objects.WaitForSync(sctx); err != nil {
		t.Fatalf("informers as the kubedeck user with the shipped ClusterRole: %v", err)
	}
	return client, objects
}
