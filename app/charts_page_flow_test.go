package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"github.com/kubedeck/kubedeck/shared"
)

// fakeCharts is the server's Helm API as the page uses it: a list of
// releases, a bulk uninstall whose operations succeed at once, and the
// operations' states.
type fakeCharts struct {
	mu         sync.Mutex
	releases   []shared.Release
	uninstalls []shared.BulkUninstall
	ops        map[string]shared.Operation
}

func (f *fakeCharts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	reply := func(v any) {
		data, _ := json.Marshal(v)
		_ = json.NewEncoder(w).Encode(shared.Envelope{Success: true, Data: data})
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/charts":
		reply(shared.ReleaseList{Releases: f.releases, Forbidden: []string{"secret-ns"}})
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/charts/uninstall":
		var req shared.BulkUninstall
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.uninstalls = append(f.uninstalls, req)
		var res shared.BulkUninstallResult
		for i, ref := range req.Releases {
			out := shared.UninstallResult{ReleaseRef: ref}
			if ref.Namespace == "locked" {
				out.Error = &shared.Error{Code: shared.CodeForbidden, Message: "You may not uninstall releases in namespace locked."}
				res.Results = append(res.Results, out)
				continue
			}
			op := shared.Operation{ID: "op" + string(rune('a'+i)), Kind: shared.OperationHelmUninstall, Phase: shared.OperationRunning,
				Target: shared.OperationTarget{Kind: "release", Namespace: ref.Namespace, Name: ref.Name}}
			out.Operation = &op
			done := op
			done.Phase = shared.OperationSucceeded
			f.ops[op.ID] = done
			f.releases = slices.DeleteFunc(f.releases, func(r shared.Release) bool { return refOf(r) == ref })
			res.Results = append(res.Results, out)
		}
		reply(res)
	case r.Method == http.MethodGet && len(r.URL.Path) > len("/api/v1/operations/"):
		op, ok := f.ops[r.URL.Path[len("/api/v1/operations/"):]]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(shared.Envelope{Error: &shared.Error{Code: shared.CodeNotFound, Message: "gone"}})
			return
		}
		reply(shared.OperationReply{Operation: op})
	default:
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(shared.Envelope{Error: &shared.Error{Code: shared.CodeNotFound, Message: "no route"}})
	}
}

// TestChartsPageUninstallFlow runs the page against a fake API: it lists
// the releases, uninstalls the two selected (one refused), follows the
// operation by polling (no socket) and lists again.
func TestChartsPageUninstallFlow(t *testing.T) {
	fake := &fakeCharts{ops: map[string]shared.Operation{}, releases: []shared.Release{
		{Name: "web", Namespace: "a", Chart: "web", Status: shared.ReleaseDeployed},
		{Name: "api", Namespace: "locked", Chart: "web", Status: shared.ReleaseDeployed},
		{Name: "db", Namespace: "b", Chart: "postgres", Status: shared.ReleaseFailed},
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	var mu sync.Mutex
	var toasts []string
	link := &serverLink{api: newAPIClient(srv.URL+"/api/v1").Retry(1, 0),
		notify: func(_ app.Context, level toastLevel, text string) {
			mu.Lock()
			defer mu.Unlock()
			toasts = append(toasts, string(level)+": "+text)
		}}
	e := app.NewTestEngine()
	probe := &ctxProbe{}
	if err := e.Load(probe); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	p := newChartsPage().Server(link)
	p.start(probe.ctx, memStore{layoutStorageKey: `"grid"`})
	defer p.end()
	if p.layout != layoutGrid {
		t.Errorf("layout %q, want the kept grid", p.layout)
	}
	wait := func(what string, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			e.ConsumeAll()
			if ok() {
				return
			}
		}
		t.Fatalf("timed out waiting for %s", what)
	}
	wait("the list", func() bool { return p.list.status == statusLoaded })
	if len(p.list.releases) != 3 || len(p.list.forbidden) != 1 {
		t.Fatalf("listed %v, forbidden %v", names(p.list.releases), p.list.forbidden)
	}

	p.sel.toggleAll(p.shown())
	p.sel.toggle("b/db") // two of three
	p.askUninstall(p.ui)
	if diff := cmp.Diff([]shared.ReleaseRef{{Namespace: "a", Name: "web"}, {Namespace: "locked", Name: "api"}}, p.confirm.refs); diff != "" {
		t.Fatalf("the dialog lists (-want +got):\n%s", diff)
	}
	p.confirmUninstall(p.ui)
	wait("the operation's end and a new list", func() bool {
		return !p.confirm.open() && len(p.ops.running) == 0 && p.list.status == statusLoaded && len(p.list.releases) == 2
	})
	if diff := cmp.Diff([]string{"b/db", "locked/api"}, names(p.list.releases)); diff != "" {
		t.Errorf("releases left (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"info: Uninstalling release a/web…",
		"error: Release locked/api was not uninstalled: You may not uninstall releases in namespace locked.",
		"success: Release a/web uninstalled.",
	}
	if diff := cmp.Diff(want, toasts); diff != "" {
		t.Errorf("toasts (-want +got):\n%s", diff)
	}
	if p.sel.has("a/web") || !p.sel.has("locked/api") {
		t.Errorf("selection after: %v", p.sel.keys)
	}
}
