package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// TestNamespacesFromCacheFollowRoleBindings: a developer who may not list
// namespaces across the cluster still sees, in the namespace selector, the
// namespaces a RoleBinding gives them, answered from the cache, and without
// any binding gets FORBIDDEN.
func TestNamespacesFromCacheFollowRoleBindings(t *testing.T) {
	f := newClusterFixture(t, proxyConfig(), time.Millisecond)
	a := f.namespace(t, "nscache-a")
	b := f.namespace(t, "nscache-b")
	user := "carol-" + a // unique per run

	names := func() (int, []string) {
		rec := f.get("/api/v1/namespaces", user, "")
		if rec.Code != http.StatusOK {
			return rec.Code, nil
		}
		var env shared.Envelope
		var nss []shared.Namespace
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || json.Unmarshal(env.Data, &nss) != nil {
			t.Fatalf("bad reply %s", rec.Body)
		}
		var out []string
		for _, ns := range nss {
			if ns.Status != "Active" || ns.Created == 0 {
				t.Errorf("namespace %s lacks its status or age: %+v", ns.Name, ns)
			}
			out = append(out, ns.Name)
		}
		return rec.Code, out
	}
	eventually(t, "the new namespaces are cached", func() bool {
		return slices.Contains(f.s.deps.Objects.Namespaces(), b)
	})
	if code, _ := names(); code != http.StatusForbidden {
		t.Fatalf("without any binding: status %d, want 403", code)
	}
	unbind := f.bind(t, user, "view", a)
	eventually(t, "the view binding counts", func() bool { code, _ := names(); return code == http.StatusOK })
	_, got := names()
	if diff := cmp.Diff([]string{a}, got); diff != "" {
		t.Errorf("visible namespaces (-want +got):\n%s", diff)
	}
	unbind()
	eventually(t, "the binding's removal counts", func() bool { code, _ := names(); return code == http.StatusForbidden })
}
