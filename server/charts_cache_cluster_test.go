package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube/cache"
	"github.com/kubedeck/kubedeck/kube/cache/redistest"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

// Release lists are kept per namespace in the shared cache (a real Redis
// here): a second list, by the same user or another allowed one, decodes
// no Secret; a user who may not list the namespace's Secrets still gets
// 403 (the cache holds lists, never a right); a change made outside
// Kubedeck (the release's Secrets deleted, as the helm CLI would) shows
// in the next list, through the Secret watch.
func TestChartsListSharedCache(t *testing.T) {
	rc, err := cache.NewRedis(cache.RedisOptions{URL: redistest.Start(t).URL(), Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	lists := cache.NewSigned(cache.Named(rc, "charts", nil), []byte("0123456789abcdef0123456789abcdef"))
	f := newChartsFixtureWith(t, helm.Options{Lists: lists})
	ctx := context.Background()
	ns := f.namespace(t, "charts-cache")
	f.bind(t, "helm-ivy", "edit", ns)
	f.bind(t, "helm-jack", "view", ns) // view may not list Secrets
	f.bind(t, "helm-kim", "edit", ns)

	list := func(user string) (int, []string) {
		t.Helper()
		code, env := f.send(t, http.MethodGet, "/api/v1/charts?namespace="+ns, user, nil)
		var l shared.ReleaseList
		if code == http.StatusOK && json.Unmarshal(env.Data, &l) != nil {
			t.Fatalf("list: %s", env.Data)
		}
		var names []string
		for _, r := range l.Releases {
			names = append(names, r.Name+"@"+r.Status)
		}
		return code, names
	}
	secretLists := func() float64 { return f.client.RequestCount("list", "secrets") }

	if op := f.install(t, "helm-ivy", ns, "cached"); op.Phase != shared.OperationSucceeded {
		t.Fatalf("install: %+v", op.Error)
	}
	if code, names := list("helm-ivy"); code != http.StatusOK || len(names) != 1 || names[0] != "cached@deployed" {
		t.Fatalf("ivy's first list: %d %v", code, names)
	}
	before := secretLists()
	if code, names := list("helm-kim"); code != http.StatusOK || len(names) != 1 {
		t.Fatalf("kim's list: %d %v", code, names)
	}
	if got := secretLists(); got != before {
		t.Errorf("kim's list read the Secrets again (%v lists, %v before): not served from the cache", got, before)
	}
	if code, names := list("helm-jack"); code != http.StatusForbidden || names != nil {
		t.Errorf("jack (view) got %d %v, want 403 whatever the cache holds", code, names)
	}

	// The helm CLI, or anyone, removes the release behind Kubedeck's back.
	err = f.admin.CoreV1().Secrets(ns).DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: "owner=helm,name=cached"})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the list no longer shows the release removed outside Kubedeck", func() bool {
		_, names := list("helm-ivy")
		return len(names) == 0
	})
}
