package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// seededSecretValues are values localcluster.Seed puts in Secrets; no row,
// detail or log may show them.
func seededSecretValues() []string {
	return []string{"not-a-real-password", "fake-demo-api-key-0000", "fake-demo-token-1111", "demo-robot"}
}

// seededObjects seeds the package's cluster and starts an informer cache on
// it with the admin identity, synced; it stops with the test.
func seededObjects(t *testing.T, opts ObjectsOptions) (*Objects, *Client, kubernetes.Interface) {
	t.Helper()
	admin := clusterAdmin(t)
	ctx := context.Background()
	if err := localcluster.Seed(ctx, admin); err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(cluster.AdminConfig(), ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewObjects(c.Base(), opts)
	if err != nil {
		t.Fatal(err)
	}
	octx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	o.Start(octx)
	sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
	defer scancel()
	if err := o.WaitForSync(sctx); err != nil {
		t.Fatal(err)
	}
	if !o.Synced() {
		t.Fatal("WaitForSync returned but Synced is false")
	}
	return o, c, admin
}

// waitRow polls the cache until the object's row satisfies ok (60 s: kwok
// moves pods through their stages in a few seconds, CrashLoopBackOff after a
// restart or two).
func waitRow(t *testing.T, o *Objects, kind, namespace, name string, ok func(shared.Row) bool) shared.Row {
	t.Helper()
	k, _ := o.Kind(kind)
	deadline := time.Now().Add(60 * time.Second)
	for {
		row, found := o.Row(k, namespace, name)
		if found && ok(row) {
			return row
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s/%s: row %+v (found %v) never matched", kind, namespace, name, row, found)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func testNamespace(t *testing.T, admin kubernetes.Interface, name string) {
	t.Helper()
	ctx := context.Background()
	_, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
}

func TestObjectsEveryKind(t *testing.T) {
	o, _, _ := seededObjects(t, ObjectsOptions{})
	for _, info := range o.Kinds() {
		t.Run(info.Name, func(t *testing.T) {
			k, ok := o.Kind(info.Name)
			if !ok {
				t.Fatalf("Kind(%q) not found", info.Name)
			}
			res, err := o.List(k, Query{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) == 0 || res.Total != len(res.Rows) || res.ResourceVersion == "" {
				t.Fatalf("list: %d rows of %d, resourceVersion %q", len(res.Rows), res.Total, res.ResourceVersion)
			}
			row := res.Rows[0]
			if row.Kind != info.Kind || row.Name == "" || row.Level == "" || row.Status == "" || row.Created == 0 {
				t.Errorf("row %+v lacks common columns", row)
			}
			d, err := o.Detail(k, row.Namespace, row.Name, DetailOptions{Events: true, Pods: true})
			if err != nil {
				t.Fatal(err)
			}
			if d.Row.UID != row.UID || !strings.Contains(d.YAML, "kind: "+info.Kind+"\n") || len(d.Metadata) == 0 {
				t.Errorf("detail of %s/%s: row %s, YAML:\n%s", row.Namespace, row.Name, d.Row.UID, d.YAML)
			}
			if strings.Contains(d.YAML, "managedFields") {
				t.Errorf("detail YAML keeps managedFields:\n%s", d.YAML)
			}
			if _, err := o.Detail(k, row.Namespace, "no-such-object", DetailOptions{}); !errorsIs(err, ErrNotFound) {
				t.Errorf("detail of a missing object: %v, want ErrNotFound", err)
			}
		})
	}
}

func TestObjectsSecretsHoldNoValues(t *testing.T) {
	o, _, _ := seededObjects(t, ObjectsOptions{})
	k, _ := o.Kind("secrets")
	res, err := o.List(k, Query{Search: "api-credentials", Limit: 10})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("list: %v, %d rows", err, len(res.Rows))
	}
	d, err := o.Detail(k, "team-web", "api-credentials", DetailOptions{Events: true})
	if err != nil {
		t.Fatal(err)
	}
	shown := fmt.Sprintf("%+v %s %s %s", res.Rows, d.Object, d.Spec, d.YAML)
	for _, v := range seededSecretValues() {
		if strings.Contains(shown, v) {
			t.Errorf("secret value %q shown: %s", v, shown)
		}
	}
	if !strings.Contains(d.YAML, "API_KEY: '<redacted: 22 bytes>'") {
		t.Errorf("YAML does not give the value's length:\n%s", d.YAML)
	}
	// Nor does the cache hold them.
	inf, _ := o.kinds["secrets"].informer("team-web")
	for _, item := range inf.GetStore().List() {
		s := item.(*corev1.Secret)
		for key, v := range s.Data {
			if len(v) != 0 {
				t.Errorf("cached secret %s/%s holds a value for %s", s.Namespace, s.Name, key)
			}
		}
	}
}

func TestObjectsStatusLevels(t *testing.T) {
	o, _, admin := seededObjects(t, ObjectsOptions{})
	ctx := context.Background()
	const ns = "objects-levels"
	testNamespace(t, admin, ns)
	gpus := corev1.ResourceList{"nvidia.com/gpu": resource.MustParse("1000")}
	pods := []struct {
		name, image string
		limits      corev1.ResourceList
		status      string
		level       shared.Level
	}{
		{"running", "nginx:1.27", nil, "Running", shared.LevelOK},
		{"crashing", "registry.example.com/crashloop-app:1", nil, "CrashLoopBackOff", shared.LevelError},
		{"bad-image", "registry.example.com/fail-pull:1", nil, "ImagePullBackOff", shared.LevelError},
		{"too-big", "trainer:1", gpus, "Unschedulable", shared.LevelWarning},
	}
	for _, p := range pods {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: p.name, Namespace: ns},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: p.image,
				Resources: corev1.ResourceRequirements{Limits: p.limits, Requests: p.limits}}}}}
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range pods {
		t.Run("pod "+p.name, func(t *testing.T) {
			waitRow(t, o, "pods", ns, p.name, func(r shared.Row) bool { return r.Status == p.status && r.Level == p.level })
		})
	}
	claims := []struct {
		namespace, name, status string
		level                   shared.Level
	}{
		{"team-ml", "training-data", "Bound", shared.LevelOK},
		{"demo", "scratch", "Pending", shared.LevelWarning},
	}
	for _, c := range claims {
		t.Run("claim "+c.name, func(t *testing.T) {
			waitRow(t, o, "persistentvolumeclaims", c.namespace, c.name, func(r shared.Row) bool {
				return r.Status == c.status && r.Level == c.level
			})
		})
	}
}

func TestObjectsWorkloadDetail(t *testing.T) {
	o, _, _ := seededObjects(t, ObjectsOptions{})
	k, _ := o.Kind("deployments")
	waitRow(t, o, "deployments", "team-web", "web-frontend", func(r shared.Row) bool { return r.Level == shared.LevelOK })
	d, err := o.Detail(k, "team-web", "web-frontend", DetailOptions{Events: true, Pods: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Pods) != 3 {
		t.Fatalf("deployment detail has %d pods, want 3: %+v", len(d.Pods), d.Pods)
	}
	for _, p := range d.Pods {
		if !strings.HasPrefix(p.Name, "web-frontend-") || p.Kind != "Pod" {
			t.Errorf("pod row %+v is not one of the deployment's", p)
		}
	}
	podKind, _ := o.Kind("pods")
	var pd shared.ObjectDetail
	deadline := time.Now().Add(20 * time.Second)
	for len(pd.Events) == 0 && time.Now().Before(deadline) {
		if pd, err = o.Detail(podKind, "team-web", d.Pods[0].Name, DetailOptions{Events: true}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !slices.ContainsFunc(pd.Events, func(e shared.ObjectEvent) bool { return e.Reason == "Scheduled" }) {
		t.Errorf("pod events %+v lack the scheduler's", pd.Events)
	}
	if d, _ := o.Detail(k, "team-web", "web-frontend", DetailOptions{}); d.Pods != nil || !slices.Equal(d.Forbidden, []string{"events", "pods"}) {
		t.Errorf("detail without rights: pods %v, forbidden %v", d.Pods, d.Forbidden)
	}
}

func TestObjectsSubscribe(t *testing.T) {
	o, _, admin := seededObjects(t, ObjectsOptions{})
	ctx := context.Background()
	const ns = "objects-events"
	testNamespace(t, admin, ns)
	var mu sync.Mutex
	var got []string
	unsubscribe := o.Subscribe(func(ev Event) {
		if ev.Kind == "configmaps" && ev.Row.Namespace == ns && ev.Row.Name == "settings" {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, string(ev.Type)+" "+ev.Row.Cells["keys"])
		}
	})
	cms := admin.CoreV1().ConfigMaps(ns)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}, Data: map[string]string{"a": "1"}}
	if _, err := cms.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm.Data["b"] = "2"
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cms.Delete(ctx, "settings", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"created 1", "updated 2", "deleted 2"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(got)
		}()
		if n >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	unsubscribe()
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestObjectsListWithoutAPIServer: after the sync, lists and details are
// answered from memory: the API server sees no list or get.
func TestObjectsListWithoutAPIServer(t *testing.T) {
	o, c, _ := seededObjects(t, ObjectsOptions{})
	type counts struct{ Lists, Gets float64 }
	count := func() counts {
		var n counts
		for _, k := range o.Kinds() {
			n.Lists += c.RequestCount("list", k.Name)
			n.Gets += c.RequestCount("get", k.Name)
		}
		return n
	}
	before := count()
	// The informers' initial lists come as lists, or as watches streaming
	// the initial state (client-go's WatchListClient).
	if before.Lists+c.RequestCount("watch", "pods") == 0 {
		t.Fatal("the informers' initial lists were not counted; the counter is not wired")
	}
	for i := range 100 {
		for _, info := range o.Kinds() {
			k, _ := o.Kind(info.Name)
			res, err := o.List(k, Query{Search: "demo", Sort: "age", Page: 1 + i%2, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) > 0 {
				if _, err := o.Detail(k, res.Rows[0].Namespace, res.Rows[0].Name, DetailOptions{Events: true, Pods: true}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if diff := cmp.Diff(before, count()); diff != "" {
		t.Errorf("API server requests during cached reads (-before +after):\n%s", diff)
	}
}

func TestObjectsNamespaceList(t *testing.T) {
	o, _, _ := seededObjects(t, ObjectsOptions{Namespaces: []string{"team-web", "team-ml"}})
	if diff := cmp.Diff([]string{"team-ml", "team-web"}, o.Namespaces()); diff != "" {
		t.Errorf("Namespaces (-want +got):\n%s", diff)
	}
	pods, _ := o.Kind("pods")
	if diff := cmp.Diff([]string{"team-ml", "team-web"}, o.NamespacesOf(pods)); diff != "" {
		t.Errorf("namespaces holding pods (-want +got):\n%s", diff)
	}
	if _, err := o.Detail(pods, "demo", "anything", DetailOptions{}); !errorsIs(err, ErrNotFound) {
		t.Errorf("detail in an unwatched namespace: %v, want ErrNotFound", err)
	}
	pvs, _ := o.Kind("persistentvolumes")
	if res, _ := o.List(pvs, Query{Limit: 10}); res.Total < 2 {
		t.Errorf("persistent volumes (cluster-scoped) not watched: %d", res.Total)
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
