package kube

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/kube/cache"
)

// bindGroupView gives group the view ClusterRole in namespace.
func bindGroupView(t *testing.T, admin kubernetes.Interface, namespace, group string) {
	t.Helper()
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "view-" + group, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: group}},
	}
	if _, err := admin.RbacV1().RoleBindings(namespace).Create(context.Background(), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestAccessOnCluster(t *testing.T) {
	admin := clusterAdmin(t)
	ctx := context.Background()
	const nsA, nsB = "access-a", "access-b"
	testNamespace(t, admin, nsA)
	testNamespace(t, admin, nsB)
	bindGroupView(t, admin, nsA, "team-a")

	client, err := NewClient(cluster.AdminConfig(), ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := cache.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	a := NewAccess(client, AccessOptions{TTL: time.Minute, Cache: cache.Named(cache.NewMemory(0), "access", metrics)})
	alice := User{Name: "alice", Groups: []string{"team-a", "system:masters"}}
	bob := User{Name: "bob"}
	pods := Resource{Resource: "pods"}
	reviews := func() float64 { return client.RequestCount("create", "subjectaccessreviews") }

	pollUntil(t, "alice may list pods in "+nsA+" through her group", func() error {
		fresh := NewAccess(client, AccessOptions{})
		if ok, err := fresh.Allowed(ctx, alice, "list", pods, nsA); err != nil || !ok {
			return errString("not yet")
		}
		return nil
	})

	decisions := []struct {
		name      string
		u         User
		verb      string
		namespace string
		want      bool
	}{
		{"group grants list", alice, "list", nsA, true},
		{"group grants get", alice, "get", nsA, true},
		{"view does not grant delete", alice, "delete", nsA, false},
		{"other namespace", alice, "list", nsB, false},
		{"cluster-wide", alice, "list", "", false}, // system:masters was dropped
		{"no bindings", bob, "list", nsA, false},
	}
	for _, d := range decisions {
		t.Run(d.name, func(t *testing.T) {
			got, err := a.Allowed(ctx, d.u, d.verb, pods, d.namespace)
			if err != nil || got != d.want {
				t.Fatalf("Allowed(%s, %s, %q) = %v, %v; want %v", d.u.Name, d.verb, d.namespace, got, err, d.want)
			}
		})
	}

	t.Run("decisions are cached, allow and deny", func(t *testing.T) {
		before := reviews()
		for _, d := range decisions {
			if got, _ := a.Allowed(ctx, d.u, d.verb, pods, d.namespace); got != d.want {
				t.Errorf("cached %s: %v, want %v", d.name, got, d.want)
			}
		}
		if n := reviews() - before; n != 0 {
			t.Errorf("%v reviews for cached decisions", n)
		}
		if hits := metrics.Count("access", "hit"); hits < float64(len(decisions)) {
			t.Errorf("access cache hits = %v, want at least %d", hits, len(decisions))
		}
	})

	t.Run("concurrent identical reviews are made once", func(t *testing.T) {
		before := reviews()
		var wg sync.WaitGroup
		results := make([]bool, 20)
		for i := range results {
			wg.Go(func() { results[i], _ = a.Allowed(ctx, alice, "watch", pods, nsA) })
		}
		wg.Wait()
		if n := reviews() - before; n != 1 {
			t.Errorf("%v reviews for 20 concurrent identical questions, want 1", n)
		}
		for i, ok := range results {
			if !ok {
				t.Errorf("caller %d was refused", i)
			}
		}
	})

	t.Run("list scope", func(t *testing.T) {
		got, err := a.Scope(ctx, alice, "list", pods, []string{nsB, nsA})
		if err != nil {
			t.Fatal(err)
		}
		// alice may not get namespace nsB, so it is counted, not named.
		if diff := cmp.Diff(Scope{Allowed: []string{nsA}, Hidden: 1}, got); diff != "" {
			t.Errorf("scope (-want +got):\n%s", diff)
		}
		admins := User{Name: "root-ish", Groups: []string{"cluster-readers"}}
		applyClusterRole(t, admin, "access-test-reader", []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}})
		bindClusterRole(t, admin, "access-test-reader", rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "cluster-readers"})
		pollUntil(t, "cluster-wide readers see everything", func() error {
			s, err := NewAccess(client, AccessOptions{}).Scope(ctx, admins, "list", pods, []string{nsA, nsB})
			if err != nil {
				return err
			}
			if !s.All || !slices.Equal(s.Allowed, []string{nsA, nsB}) {
				return errString("not all yet")
			}
			return nil
		})
	})

	t.Run("groups are prefixed as impersonation prefixes them", func(t *testing.T) {
		prefixed, err := NewClient(cluster.AdminConfig(), ClientOptions{GroupPrefix: "oidc:"}, prometheus.NewRegistry())
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := NewAccess(prefixed, AccessOptions{}).Allowed(ctx, alice, "list", pods, nsA); err != nil || ok {
			t.Errorf("with the prefix alice's group is oidc:team-a, not bound: got %v, %v", ok, err)
		}
	})

	t.Run("decisions expire", func(t *testing.T) {
		short := NewAccess(client, AccessOptions{TTL: 100 * time.Millisecond})
		_, _ = short.Allowed(ctx, bob, "list", pods, nsB)
		before := reviews()
		_, _ = short.Allowed(ctx, bob, "list", pods, nsB)
		time.Sleep(150 * time.Millisecond)
		_, _ = short.Allowed(ctx, bob, "list", pods, nsB)
		if n := reviews() - before; n != 1 {
			t.Errorf("%v reviews after the TTL, want 1", n)
		}
	})
}

type errString string

func (e errString) Error() string { return string(e) }
