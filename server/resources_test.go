package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/cache"
	"github.com/kubedeck/kubedeck/kube/cache/redistest"
	"github.com/kubedeck/kubedeck/shared"
)

func rowNames(rows []shared.Row) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.Name)
	}
	return out
}

// TestResourcesAPI runs the list and detail endpoints against the seeded
// local cluster. Every reply body of the test and the server's log are then
// searched for the seeded Secret values.
func TestResourcesAPI(t *testing.T) {
	f := newResourcesFixture(t, nil)
	ctx := context.Background()

	t.Run("kinds", func(t *testing.T) {
		var kinds []shared.KindInfo
		f.reply(t, "/api/v1/kinds", "carol", readersGroup, http.StatusOK, &kinds)
		var names []string
		for _, k := range kinds {
			names = append(names, k.Name)
		}
		want := []string{"pods", "deployments", "statefulsets", "daemonsets", "services", "configmaps",
			"secrets", "persistentvolumeclaims", "persistentvolumes"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("kinds (-want +got):\n%s", diff)
		}
	})

	t.Run("every kind lists and shows details", func(t *testing.T) {
		for _, name := range f.s.deps.Objects.KindNames() {
			t.Run(name, func(t *testing.T) {
				out := f.list(t, "/api/v1/resources/"+name+"?q=demo")
				if len(out.Rows) == 0 || out.ResourceVersion == "" || len(out.Columns) == 0 {
					t.Fatalf("list: %+v", out)
				}
				r := out.Rows[0]
				ns := r.Namespace
				if ns == "" {
					ns = "-"
				}
				var d shared.ObjectDetail
				f.reply(t, "/api/v1/resources/"+name+"/"+ns+"/"+r.Name, "carol", readersGroup, http.StatusOK, &d)
				if d.Row.UID != r.UID || !strings.Contains(d.YAML, "kind: "+r.Kind+"\n") || len(d.Metadata) == 0 || d.Events == nil {
					t.Errorf("detail: row %+v, YAML:\n%s", d.Row, d.YAML)
				}
			})
		}
	})

	t.Run("a secret's detail gives lengths, not values", func(t *testing.T) {
		var d shared.ObjectDetail
		f.reply(t, "/api/v1/resources/secrets/team-web/api-credentials", "carol", readersGroup, http.StatusOK, &d)
		if !strings.Contains(string(d.Spec), `"API_KEY":"\u003credacted: 22 bytes\u003e"`) {
			t.Errorf("spec %s", d.Spec)
		}
	})

	t.Run("a deployment's detail lists its pods", func(t *testing.T) {
		eventually(t, "web-frontend has its 3 pods", func() bool {
			var d shared.ObjectDetail
			f.reply(t, "/api/v1/resources/deployments/team-web/web-frontend", "carol", readersGroup, http.StatusOK, &d)
			return len(d.Pods) == 3
		})
	})

	t.Run("status levels", func(t *testing.T) {
		const ns = "res-levels"
		if _, err := f.admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
		gpus := corev1.ResourceList{"nvidia.com/gpu": resource.MustParse("1000")}
		pods := map[string]*corev1.Pod{
			"running":  pod("running"),
			"crashing": pod("crashing"),
			"too-big":  pod("too-big"),
		}
		pods["crashing"].Spec.Containers[0].Image = "registry.example/crashloop-app:1"
		pods["too-big"].Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: gpus, Limits: gpus}
		for _, p := range pods {
			if _, err := f.admin.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]string{
			"running":  "Running ok",
			"crashing": "CrashLoopBackOff error",
			"too-big":  "Unschedulable warning",
		}
		var got map[string]string
		deadline := time.Now().Add(60 * time.Second)
		for {
			out := f.list(t, "/api/v1/resources/pods?namespace="+ns)
			got = map[string]string{}
			for _, r := range out.Rows {
				got[r.Name] = r.Status + " " + string(r.Level)
			}
			if cmp.Equal(want, got) || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pod statuses (-want +got):\n%s", diff)
		}
		eventually(t, "claims are bound and pending", func() bool {
			out := f.list(t, "/api/v1/resources/persistentvolumeclaims?sort=name")
			got := map[string]string{}
			for _, r := range out.Rows {
				got[r.Namespace+"/"+r.Name] = r.Status + " " + string(r.Level)
			}
			return got["team-ml/training-data"] == "Bound ok" && got["demo/scratch"] == "Pending warning"
		})
	})

	t.Run("sort, filter and pages", func(t *testing.T) {
		const ns = "res-pages"
		if _, err := f.admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
		for i := range 7 {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i), Labels: map[string]string{"tier": "t" + fmt.Sprint(i%2)}},
				Data: map[string]string{}}
			for k := range i {
				cm.Data[fmt.Sprintf("k%d", k)] = "v"
			}
			if _, err := f.admin.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		base := "/api/v1/resources/configmaps?namespace=" + ns + "&q=cm-"
		eventually(t, "the cache has the config maps", func() bool { return f.list(t, base).Total == 7 })
		type page struct {
			Names              []string
			Total, Page, Pages int
			Limit              int
		}
		tests := []struct {
			name, query string
			want        page
		}{
			{"sorted by keys, descending", "&sort=keys&order=desc&limit=3", page{[]string{"cm-6", "cm-5", "cm-4"}, 7, 1, 3, 3}},
			{"last page", "&sort=keys&order=desc&limit=3&page=3", page{[]string{"cm-0"}, 7, 3, 3, 3}},
			{"past the last page", "&sort=keys&limit=3&page=4", page{[]string{}, 7, 4, 3, 3}},
			{"limit above max", "&sort=name&limit=100000", page{[]string{"cm-0", "cm-1", "cm-2", "cm-3", "cm-4", "cm-5", "cm-6"}, 7, 1, 1, kube.MaxLimit}},
			{"filter by label", "&sort=name&q=tier%3Dt1", page{[]string{"cm-1", "cm-3", "cm-5"}, 3, 1, 1, kube.DefaultLimit}},
			{"filter by name, any case", "&q=CM-4", page{[]string{"cm-4"}, 1, 1, 1, kube.DefaultLimit}},
			{"empty result", "&q=no-such-thing", page{[]string{}, 0, 1, 1, kube.DefaultLimit}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				path := "/api/v1/resources/configmaps?namespace=" + ns + tt.query
				if !strings.Contains(tt.query, "q=") {
					path = base + tt.query
				}
				out := f.list(t, path)
				got := page{rowNames(out.Rows), out.Total, out.Page, out.Pages, out.Limit}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("GET %s (-want +got):\n%s", path, diff)
				}
			})
		}
	})

	t.Run("bad parameters", func(t *testing.T) {
		tests := []struct {
			query, param string
		}{
			{"sort=colour", "sort"},
			{"order=sideways", "order"},
			{"page=0", "page"},
			{"page=two", "page"},
			{"limit=-1", "limit"},
			{"namespace=Not_A_Namespace", "namespace"},
			{"q=" + strings.Repeat("x", 201), "q"},
		}
		for _, tt := range tests {
			t.Run(tt.param+" "+tt.query[:min(len(tt.query), 20)], func(t *testing.T) {
				e := f.reply(t, "/api/v1/resources/pods?"+tt.query, "carol", readersGroup, http.StatusBadRequest, nil)
				if e.Code != shared.CodeValidation || e.Details["parameter"] != tt.param {
					t.Errorf("error %+v, want VALIDATION_ERROR naming %s", e, tt.param)
				}
			})
		}
		e := f.reply(t, "/api/v1/resources/widgets", "carol", readersGroup, http.StatusNotFound, nil)
		if kinds, _ := e.Details["kinds"].([]any); e.Code != shared.CodeNotFound || len(kinds) != 9 || !strings.Contains(e.Message, "persistentvolumeclaims") {
			t.Errorf("unknown kind: %+v", e)
		}
		e = f.reply(t, "/api/v1/resources/pods/team-web/no-such-pod", "carol", readersGroup, http.StatusNotFound, nil)
		if e.Code != shared.CodeNotFound || !strings.Contains(e.Message, "team-web/no-such-pod") {
			t.Errorf("missing object: %+v", e)
		}
		f.reply(t, "/api/v1/resources/persistentvolumes/default/pv", "carol", readersGroup, http.StatusBadRequest, nil)
		f.reply(t, "/api/v1/resources/pods/-/pod", "carol", readersGroup, http.StatusBadRequest, nil)
		f.reply(t, "/api/v1/resources/pods", "", "", http.StatusUnauthorized, nil)
	})

	t.Run("reads are authorized", func(t *testing.T) {
		f.bindView(t, "dave", "team-ml")
		eventually(t, "dave may list pods in team-ml", func() bool {
			return f.get("/api/v1/resources/pods?namespace=team-ml", "dave", "").Code == http.StatusOK
		})
		var out shared.ListResult
		f.reply(t, "/api/v1/resources/pods", "dave", "", http.StatusOK, &out)
		for _, r := range out.Rows {
			if r.Namespace != "team-ml" {
				t.Errorf("dave sees %s/%s", r.Namespace, r.Name)
			}
		}
		// view in team-ml lets dave get team-ml only: the namespaces left
		// out are counted, not named.
		if len(out.Rows) == 0 || len(out.Forbidden) != 0 || out.Hidden == 0 {
			t.Errorf("all namespaces as dave: %d rows, forbidden %v, hidden %d", len(out.Rows), out.Forbidden, out.Hidden)
		}
		e := f.reply(t, "/api/v1/resources/pods?namespace=team-web", "dave", "", http.StatusForbidden, nil)
		if e.Code != shared.CodeForbidden || !strings.Contains(e.Message, "team-web") {
			t.Errorf("list elsewhere: %+v", e)
		}
		f.reply(t, "/api/v1/resources/persistentvolumes", "dave", "", http.StatusForbidden, nil)
		// view does not grant Secrets.
		f.reply(t, "/api/v1/resources/secrets/team-ml/registry-token", "dave", "", http.StatusForbidden, nil)
		var none shared.ListResult
		f.reply(t, "/api/v1/resources/deployments", "erin", "", http.StatusOK, &none)
		if len(none.Rows) != 0 || len(none.Forbidden) != 0 || none.Hidden == 0 {
			t.Errorf("a user without rights: %d rows, forbidden %v, hidden %d", len(none.Rows), none.Forbidden, none.Hidden)
		}
		f.reply(t, "/api/v1/resources/deployments/team-web/web-frontend", "erin", "", http.StatusForbidden, nil)
	})

	t.Run("repeated lists never reach the API server", func(t *testing.T) {
		count := func() (lists, gets float64) {
			for _, k := range f.s.deps.Objects.KindNames() {
				lists += f.client.RequestCount("list", k)
				gets += f.client.RequestCount("get", k)
			}
			return lists, gets
		}
		lists, gets := count()
		for i := range 50 {
			for _, k := range f.s.deps.Objects.KindNames() {
				f.list(t, fmt.Sprintf("/api/v1/resources/%s?sort=age&page=%d", k, 1+i%3))
			}
		}
		f.list(t, "/api/v1/resources/deployments?namespace=team-web")
		var d shared.ObjectDetail
		f.reply(t, "/api/v1/resources/deployments/team-web/web-frontend", "carol", readersGroup, http.StatusOK, &d)
		l, g := count()
		if l != lists || g != gets {
			t.Errorf("API server lists %v → %v, gets %v → %v during cached reads", lists, l, gets, g)
		}
	})

	t.Run("ready once synced", func(t *testing.T) {
		code, rd := f.readiness(t)
		if code != http.StatusOK || rd.Status != "ready" {
			t.Errorf("/readyz: %d %+v", code, rd)
		}
	})
}

// bindView gives user the view ClusterRole in namespace for the test.
func (f *resourcesFixture) bindView(t *testing.T, user, namespace string) {
	t.Helper()
	cf := &clusterFixture{admin: f.admin}
	t.Cleanup(cf.bind(t, user, "view", namespace))
}

// TestResourcesRedis keeps access decisions in a real Redis, kills it
// mid-test and brings it back: requests keep succeeding, /readyz says
// degraded, and once Redis is back the cache serves hits again.
func TestResourcesRedis(t *testing.T) {
	srv := redistest.Start(t)
	redis, err := cache.NewRedis(cache.RedisOptions{URL: srv.URL(), FailureThreshold: 3, Cooldown: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = redis.Close() })
	f := newResourcesFixture(t, redis)
	const path = "/api/v1/resources/pods?namespace=team-web"
	hits := func() float64 { return f.metrics.Count("access", "hit") }
	burst := func(t *testing.T) {
		t.Helper()
		for range 20 {
			f.list(t, path)
		}
	}

	burst(t)
	if h := hits(); h < 19 {
		t.Fatalf("with Redis up: %v access cache hits in 20 requests", h)
	}
	if code, rd := f.readiness(t); code != http.StatusOK || rd.Status != "ready" {
		t.Fatalf("/readyz with Redis up: %d %+v", code, rd)
	}

	srv.Kill()
	t.Run("redis down", func(t *testing.T) {
		before := hits()
		start := time.Now()
		burst(t) // every request still answers 200
		t.Logf("20 requests with Redis down took %v", time.Since(start))
		if h := hits() - before; h != 0 {
			t.Errorf("%v hits from a dead Redis", h)
		}
		if f.metrics.Count("access", "error") == 0 {
			t.Error("no cache errors counted")
		}
		code, rd := f.readiness(t)
		if code != http.StatusOK || rd.Status != "degraded" {
			t.Errorf("/readyz with Redis down: %d %+v, want 200 degraded", code, rd)
		}
	})

	srv.Restart()
	t.Run("redis back", func(t *testing.T) {
		eventually(t, "readiness recovers", func() bool {
			_, rd := f.readiness(t)
			return rd.Status == "ready"
		})
		before := hits()
		burst(t)
		if h := hits() - before; h < 19 {
			t.Errorf("after Redis came back: %v hits in 20 requests, want 19 or more", h)
		}
	})
}
