package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/cache"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// seededSecretValues are values localcluster.Seed puts in Secrets.
func seededSecretValues() []string {
	return []string{"not-a-real-password", "fake-demo-api-key-0000", "fake-demo-token-1111", "demo-robot"}
}

// readersGroup may get and list every kind of the object viewer across the
// cluster, Secrets included.
const readersGroup = "resources-readers"

// lockedBuffer is a log sink the server's goroutines may write to at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// resourcesFixture is a server on the seeded local cluster, running as the
// kubedeck user with the shipped ClusterRole, its informer cache synced. It
// keeps every reply body and the server's log, and at the end of the test
// checks that no seeded Secret value appears in either.
type resourcesFixture struct {
	s       *Server
	client  *kube.Client
	admin   kubernetes.Interface
	metrics *cache.Metrics
	logs    *lockedBuffer

	mu     sync.Mutex
	bodies [][]byte
}

// newResourcesFixture builds the fixture. With a non-nil redis, access
// decisions are kept in it and /readyz reports on it.
func newResourcesFixture(t *testing.T, redis *cache.Redis) *resourcesFixture {
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
	if err := localcluster.Seed(ctx, admin); err != nil {
		t.Fatal(err)
	}
	grantReaders(t, admin)
	reg := prometheus.NewRegistry()
	client, err := kube.NewClient(cluster.UserConfig(localcluster.ServerUser), kube.ClientOptions{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	objects, err := kube.NewObjects(client.Base(), kube.ObjectsOptions{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	objects.Start(octx)
	metrics, err := cache.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	var store cache.Cache = cache.NewMemory(0)
	checks := []Check{{Name: "informers", Check: objects.Check}}
	if redis != nil {
		store = redis
		checks = append(checks, Check{Name: "redis", Degraded: true, Check: redis.Check})
	}
	access := kube.NewAccess(client, kube.AccessOptions{TTL: time.Minute, Cache: cache.Named(store, "access", metrics)})
	cfg := proxyConfig()
	// This fixture measures the cache and the access reviews; its tests
	// list hundreds of pages in a burst, past a person's read budget
	// (TestReadRateLimitPerUser covers the budget).
	cfg.ReadsPerMinute, cfg.ReadBurst = 1_000_000, 1_000_000
	s, err := New(cfg, Deps{Log: log, Registry: reg, Kube: client, Objects: objects, Access: access, Checks: checks})
	if err != nil {
		t.Fatal(err)
	}
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := objects.WaitForSync(sctx); err != nil {
		t.Fatal(err)
	}
	f := &resourcesFixture{s: s, client: client, admin: admin, metrics: metrics, logs: logs}
	t.Cleanup(func() { f.checkNoSecretShown(t) })
	return f
}

// grantReaders lets readersGroup read every kind across the cluster.
func grantReaders(t *testing.T, admin kubernetes.Interface) {
	t.Helper()
	ctx := context.Background()
	const name = "kubedeck-test-resources-reader"
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Verbs: []string{"get", "list"}, Resources: []string{"pods", "services", "configmaps",
			"secrets", "persistentvolumeclaims", "persistentvolumes", "events"}},
		{APIGroups: []string{"apps"}, Verbs: []string{"get", "list"}, Resources: []string{"deployments", "statefulsets", "daemonsets"}},
	}}
	if _, err := admin.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	b := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: readersGroup}}}
	if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, b, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// get sends a GET from the trusted proxy as user with groups, and keeps the
// body.
func (f *resourcesFixture) get(path, user, groups string) *httptest.ResponseRecorder {
	h := map[string]string{}
	if user != "" {
		h[headerUser] = user
	}
	if groups != "" {
		h[headerGroups] = groups
	}
	rec := do(f.s, http.MethodGet, path, proxyPeer, h)
	func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.bodies = append(f.bodies, bytes.Clone(rec.Body.Bytes()))
	}()
	return rec
}

// reply sends a GET as a reader and decodes the data of its envelope into
// out, failing unless the status is want. It returns the error part.
func (f *resourcesFixture) reply(t *testing.T, path, user, groups string, want int, out any) *shared.Error {
	t.Helper()
	rec := f.get(path, user, groups)
	if rec.Code != want {
		t.Fatalf("GET %s as %s: status %d, want %d; body %s", path, user, rec.Code, want, rec.Body)
	}
	env := decodeEnvelope(t, rec.Body)
	if env.Success && out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			t.Fatal(err)
		}
	}
	return env.Error
}

// list is reply for a list as a reader.
func (f *resourcesFixture) list(t *testing.T, path string) shared.ListResult {
	t.Helper()
	var out shared.ListResult
	f.reply(t, path, "carol", readersGroup, http.StatusOK, &out)
	return out
}

// checkNoSecretShown fails when a seeded Secret value is in any reply body
// or in the log.
func (f *resourcesFixture) checkNoSecretShown(t *testing.T) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.bodies) == 0 {
		return
	}
	logs := f.logs.String()
	for _, v := range seededSecretValues() {
		for _, b := range f.bodies {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("a reply shows the secret value %q: %s", v, b)
			}
		}
		if strings.Contains(logs, v) {
			t.Errorf("the log shows the secret value %q", v)
		}
	}
	t.Logf("%d reply bodies and %d bytes of log hold no seeded secret value", len(f.bodies), len(logs))
}

// readiness reads /readyz.
func (f *resourcesFixture) readiness(t *testing.T) (int, Readiness) {
	t.Helper()
	rec := do(f.s, http.MethodGet, "/readyz", proxyPeer, nil)
	var rd Readiness
	if err := json.Unmarshal(rec.Body.Bytes(), &rd); err != nil {
		t.Fatalf("/readyz: %v: %s", err, rec.Body)
	}
	return rec.Code, rd
}
