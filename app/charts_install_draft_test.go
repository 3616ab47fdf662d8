package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// draftMem is a sessionStorage in memory.
type draftMem struct{ memStore }

func (d draftMem) Del(k string) { delete(d.memStore, k) }

// What the user typed in the install form survives a reload: the form of
// the same chart opens with it, its namespace once offered; another
// chart's form opens new, and a forgotten draft is gone.
func TestChartInstallDraft(t *testing.T) {
	store := draftMem{memStore{}}
	var f chartInstall
	f.open(webChart, "")
	f.set(installName, "site")
	f.set(installNamespace, "team")
	f.set(installVersion, "1.0.0")
	f.set(installValues, "greeting: hi\n")
	f.saveDraft(store)

	// The reload: a new form, the namespaces not known yet.
	var g chartInstall
	g.open(webChart, "")
	g.restoreDraft(store)
	g.offered([]string{"other", "team"}, nil, "")
	want := shared.ChartInstall{Name: "site", Namespace: "team", Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"}
	if diff := cmp.Diff(want, g.req); diff != "" {
		t.Errorf("restored (-want +got):\n%s", diff)
	}
	if len(g.touched) != 0 || g.errorAt(installName) != "" {
		t.Errorf("a restored form shows errors: touched %v", g.touched)
	}

	// A namespace no longer offered is not chosen.
	var h chartInstall
	h.offered([]string{"other"}, nil, "")
	h.open(webChart, "")
	h.restoreDraft(store)
	if h.req.Namespace != "other" || h.req.Values != "greeting: hi\n" {
		t.Errorf("namespace %q, values %q; want the offered one and the draft's values", h.req.Namespace, h.req.Values)
	}

	// Another chart's form opens new.
	var o chartInstall
	o.open(shared.CatalogChart{Repository: "test", Name: "db", LatestVersion: "3.0.0", Versions: []string{"3.0.0"}}, "")
	o.restoreDraft(store)
	if o.req.Values != "" || o.req.Name != "db" {
		t.Errorf("another chart's form: %+v", o.req)
	}

	// An upgrade form neither keeps nor takes a draft.
	var u chartInstall
	u.openUpgrade(shared.ReleaseRef{Namespace: "team", Name: "site"}, webChart, "1.0.0", "x: 1\n")
	u.restoreDraft(store)
	if u.req.Values != "x: 1\n" {
		t.Errorf("the upgrade form took the install draft: %q", u.req.Values)
	}

	forgetDraft(store)
	var n chartInstall
	n.open(webChart, "")
	n.restoreDraft(store)
	if n.req.Values != "" || n.req.Name != "web" {
		t.Errorf("after the draft was forgotten: %+v", n.req)
	}
}
