package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// listReply decodes a list reply, failing the test unless status is want.
func listReply(t *testing.T, f *clusterFixture, path, user, groups string, want int) (shared.ListResult, *shared.Error) {
	t.Helper()
	rec := f.get(path, user, groups)
	if rec.Code != want {
		t.Fatalf("GET %s as %s: status %d, want %d; body %s", path, user, rec.Code, want, rec.Body)
	}
	env := decodeEnvelope(t, rec.Body)
	var out shared.ListResult
	if env.Success {
		if err := json.Unmarshal(env.Data, &out); err != nil {
			t.Fatal(err)
		}
	} else if len(env.Data) != 0 {
		t.Errorf("a refused request carried data: %s", env.Data)
	}
	return out, env.Error
}

func pod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example/app:1"}}}}
}

// TestUserRightsDecide runs a user with view rights in one namespace
// through the server, running as the kubedeck user with the shipped
// ClusterRole: the user's RBAC decides every read and write, forged groups
// add nothing, and the API server's audit log names the user.
func TestUserRightsDecide(t *testing.T) {
	f := newClusterFixture(t, proxyConfig(), time.Second)
	ctx := context.Background()
	nsA, nsB := f.namespace(t, "idt-a"), f.namespace(t, "idt-b")
	for _, ns := range []string{nsA, nsB} {
		if _, err := f.admin.CoreV1().Pods(ns).Create(ctx, pod("web-"+ns), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	f.bind(t, "alice", "view", nsA)

	t.Run("list in the allowed namespace", func(t *testing.T) {
		eventually(t, "alice sees her pod", func() bool {
			out, _ := listReply(t, f, "/api/v1/resources/pods?namespace="+nsA, "alice", "", 200)
			return len(out.Rows) == 1 && out.Rows[0].Name == "web-"+nsA
		})
	})
	t.Run("list in another namespace is forbidden", func(t *testing.T) {
		_, e := listReply(t, f, "/api/v1/resources/pods?namespace="+nsB, "alice", "", 403)
		if e.Code != shared.CodeForbidden {
			t.Errorf("code %s", e.Code)
		}
	})
	t.Run("all namespaces returns only the allowed one", func(t *testing.T) {
		out, _ := listReply(t, f, "/api/v1/resources/pods?q=web-idt-", "alice", "", 200)
		var names []string
		for _, r := range out.Rows {
			names = append(names, r.Namespace+"/"+r.Name)
		}
		if diff := cmp.Diff([]string{nsA + "/web-" + nsA}, names); diff != "" {
			t.Errorf("rows (-want +got):\n%s", diff)
		}
		// alice may not list or get namespaces, so the ones she may not
		// read are counted, never named.
		if len(out.Forbidden) != 0 || out.Hidden == 0 {
			t.Errorf("forbidden %v, hidden %d; want none named and some hidden", out.Forbidden, out.Hidden)
		}
	})
	t.Run("a forged system:masters group gains nothing", func(t *testing.T) {
		_, e := listReply(t, f, "/api/v1/resources/pods?namespace="+nsB, "alice", "system:masters,system:nodes", 403)
		if e.Code != shared.CodeForbidden {
			t.Errorf("code %s", e.Code)
		}
		cs, err := f.client.As(kube.User{Name: "mallory", Groups: []string{"system:masters"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !errors.Is(kube.Translate(err), kube.ErrForbidden) {
			t.Errorf("list namespaces as mallory in system:masters: %v, want forbidden", err)
		}
		rec := f.get("/api/v1/me?namespace="+nsA, "mallory", "system:masters")
		var me shared.Me
		if err := json.Unmarshal(decodeEnvelope(t, rec.Body).Data, &me); err != nil {
			t.Fatal(err)
		}
		if me.Can["list pods"] || me.Can[shared.ActionCreateDeployments] {
			t.Errorf("mallory's /me grants %v", me.Can)
		}
	})
	t.Run("a create is the user's and needs the user's rights", func(t *testing.T) {
		cs, err := f.client.As(kube.User{Name: "alice", Groups: []string{"team-a"}})
		if err != nil {
			t.Fatal(err)
		}
		dep := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "made-by-alice"},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a"}},
					Spec: pod("x").Spec},
			},
		}
		_, err = cs.AppsV1().Deployments(nsA).Create(ctx, dep, metav1.CreateOptions{})
		if !errors.Is(kube.Translate(err), kube.ErrForbidden) {
			t.Fatalf("create with view rights: %v, want forbidden", err)
		}
		f.bind(t, "alice", "edit", nsA)
		eventually(t, "the edit binding lets alice create", func() bool {
			_, err = cs.AppsV1().Deployments(nsA).Create(ctx, dep, metav1.CreateOptions{})
			return err == nil
		})
		if cluster.AuditLogPath() == "" {
			t.Fatal("no audit log")
		}
		eventually(t, "the API server's audit log names alice", func() bool {
			events, err := cluster.AuditEvents()
			if err != nil {
				t.Logf("audit log: %v", err)
				return false
			}
			for _, e := range events {
				if e.Verb == "create" && e.ObjectRef != nil && e.ObjectRef.Resource == "deployments" &&
					e.ObjectRef.Namespace == nsA && e.ResponseStatus != nil && e.ResponseStatus.Code == 201 {
					if e.ImpersonatedUser == nil || e.ImpersonatedUser.Username != "alice" ||
						!slices.Contains(e.ImpersonatedUser.Groups, "team-a") || e.User.Username != "kubedeck" {
						t.Fatalf("audit event attributes the create to %+v as %+v", e.User, e.ImpersonatedUser)
					}
					return true
				}
			}
			return false
		})
	})
}

// meCan fetches /me for namespace as user.
func meCan(t *testing.T, f *clusterFixture, user, namespace string) shared.Me {
	t.Helper()
	rec := f.get("/api/v1/me?namespace="+namespace, user, "team")
	if rec.Code != http.StatusOK {
		t.Fatalf("/me: status %d %s", rec.Code, rec.Body)
	}
	var me shared.Me
	if err := json.Unmarshal(decodeEnvelope(t, rec.Body).Data, &me); err != nil {
		t.Fatal(err)
	}
	return me
}

func TestMeFollowsRoleBindings(t *testing.T) {
	cfg := proxyConfig()
	cfg.PermissionsTTL = 300 * time.Millisecond
	f := newClusterFixture(t, cfg, time.Second)
	ns := f.namespace(t, "idt-me")

	start := time.Now()
	me := meCan(t, f, "carol", ns)
	t.Logf("/me with %d actions reviewed afresh: %v", len(me.Can), time.Since(start))
	want := shared.Me{User: "carol", Groups: []string{"team"}, SignOutURL: "/oauth2/sign_out", Namespace: ns}
	got := me
	got.Can, got.Reasons = nil, nil
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	if me.Can[shared.ActionCreateDeployments] || me.Can["list pods"] {
		t.Errorf("carol may do things before any binding: %v", me.Can)
	}
	if r := me.Reasons[shared.ActionCreateDeployments]; r != fmt.Sprintf("You may not create deployments in namespace %q.", ns) {
		t.Errorf("reason %q", r)
	}
	if r := me.Reasons[shared.ActionInstallCharts]; !strings.Contains(r, "Helm stores each release as a Secret") {
		t.Errorf("install reason %q does not explain the Secret", r)
	}
	if len(me.Can) < 8+2*9 {
		t.Errorf("only %d actions: %v", len(me.Can), me.Can)
	}

	unbind := f.bind(t, "carol", "edit", ns)
	eventually(t, "/me allows creating deployments", func() bool {
		me := meCan(t, f, "carol", ns)
		return me.Can[shared.ActionCreateDeployments] && me.Can[shared.ActionInstallCharts] && me.Can["list pods"] &&
			me.Reasons[shared.ActionCreateDeployments] == ""
	})
	if me := meCan(t, f, "carol", ns); me.Can["list persistentvolumes"] {
		t.Error("a namespaced binding granted a cluster-scoped kind")
	}
	unbind()
	eventually(t, "/me denies creating deployments again", func() bool {
		return !meCan(t, f, "carol", ns).Can[shared.ActionCreateDeployments]
	})
}

func TestAccessReviewsAreCached(t *testing.T) {
	const ttl = 2 * time.Second
	f := newClusterFixture(t, proxyConfig(), ttl)
	ns := f.namespace(t, "idt-sar")
	unbind := f.bind(t, "dave", "view", ns)
	path := "/api/v1/resources/pods?namespace=" + ns
	eventually(t, "dave may list", func() bool { return f.get(path, "dave", "").Code == 200 })

	time.Sleep(ttl) // start from an expired decision
	reviews := func() float64 { return f.client.RequestCount("create", "subjectaccessreviews") }
	before := reviews()
	for range 20 {
		if rec := f.get(path, "dave", ""); rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if n := reviews() - before; n != 1 {
		t.Errorf("20 lists within the TTL made %v reviews, want 1", n)
	}
	unbind()
	// Revoked, the decision still holds until the TTL runs out; then the
	// revocation takes effect.
	eventually(t, "the revocation takes effect", func() bool { return f.get(path, "dave", "").Code == 403 })
}

// TestListLatencyWithAccessReview measures what the access review adds to
// a list answered from the cache: with the decision cached, and with every
// list reviewed afresh (a new user each time). It logs, never asserts.
func TestListLatencyWithAccessReview(t *testing.T) {
	f := newClusterFixture(t, proxyConfig(), time.Minute)
	ns := f.namespace(t, "idt-lat")
	// Bind a group, so fresh users share the right.
	ctx := context.Background()
	_, err := f.admin.RbacV1().RoleBindings(ns).Create(ctx, groupBinding(ns), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/resources/pods?namespace=" + ns
	f.waitAuthorized(t, "warmup", []string{"readers"}, ns)
	eventually(t, "the group may list", func() bool { return f.get(path, "warmup", "readers").Code == 200 })
	// Fewer reviews than the client's burst (kube.DefaultBurst), so the
	// figure is the review's latency, not client-go's rate limiter's.
	const n = 60
	measure := func(user func(i int) string) time.Duration {
		start := time.Now()
		for i := range n {
			if rec := f.get(path, user(i), "readers"); rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
		}
		return time.Since(start) / n
	}
	cached := measure(func(int) string { return "warmup" })
	uncached := measure(func(i int) string { return fmt.Sprintf("fresh-%d", i) })
	t.Logf("list of pods in one namespace, mean of %d: review cached %v, review uncached %v (adds %v)",
		n, cached, uncached, uncached-cached)
}

// groupBinding gives the group "readers" the view ClusterRole in ns.
func groupBinding(ns string) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "readers-view", Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "readers"}},
	}
}
