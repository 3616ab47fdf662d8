package server

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/helm/helmtest"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// newChartsServer is newChartsFixtureWith for tests and benchmarks that
// choose the server's Config (its rate limits) and how long access
// decisions are kept.
func newChartsServer(tb testing.TB, cfg Config, accessTTL time.Duration, opts helm.Options) *deployFixture {
	tb.Helper()
	f := newClusterFixture(tb, cfg, accessTTL)
	repo := helmtest.NewRepo(tb, helmtest.Chart{Dir: "../kube/helm/testdata/charts/web"})
	opts.Repositories, opts.Timeout = []helm.Repository{{Name: "test", URL: repo.URL}}, 20*time.Second
	hc, err := helm.New(f.client, opts)
	if err != nil {
		tb.Fatal(err)
	}
	logs := &lockedBuffer{}
	cfg.AllowedHosts = append(slices.Clone(cfg.AllowedHosts), "example.com")
	s, err := New(cfg, Deps{Log: slog.New(slog.NewJSONHandler(logs, nil)),
		Kube: f.client, Objects: f.s.deps.Objects, Access: f.s.deps.Access,
		Operations: operations.NewMemory(operations.MemoryOptions{}), Helm: hc})
	if err != nil {
		tb.Fatal(err)
	}
	f.s = s
	return &deployFixture{clusterFixture: f, logs: logs}
}

// operationOf is the operation of a 202 reply.
func operationOf(code int, env shared.Envelope) (shared.Operation, error) {
	var rep shared.OperationReply
	if code != http.StatusAccepted || json.Unmarshal(env.Data, &rep) != nil || rep.Operation.ID == "" {
		return shared.Operation{}, fmt.Errorf("%d %s %+v, want 202 with an operation", code, env.Data, env.Error)
	}
	return rep.Operation, nil
}

// follow polls operation id as user until it is done; stranger asks for
// it at every poll and must get a 404 each time.
func (f *deployFixture) follow(user, stranger, id string, limit time.Duration) (shared.Operation, error) {
	deadline := time.Now().Add(limit)
	for {
		if code, env, err := f.call(http.MethodGet, "/api/v1/operations/"+id, stranger, nil); err != nil || code != http.StatusNotFound {
			return shared.Operation{}, fmt.Errorf("%s's operation %s asked by %s: %d %s %+v %v, want 404", user, id, stranger, code, env.Data, env.Error, err)
		}
		code, env, err := f.call(http.MethodGet, "/api/v1/operations/"+id, user, nil)
		var rep shared.OperationReply
		if err != nil || code != http.StatusOK || json.Unmarshal(env.Data, &rep) != nil {
			return shared.Operation{}, fmt.Errorf("operation %s asked by its owner %s: %d %+v %v", id, user, code, env.Error, err)
		}
		if rep.Operation.Done() {
			return rep.Operation, nil
		}
		if time.Now().After(deadline) {
			return rep.Operation, fmt.Errorf("operation %s not done after %s", id, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// concUser is one of the two users of TestChartsConcurrentUsers: their
// namespace, and the releases they install there before and during the
// concurrent part.
type concUser struct {
	name, ns, other string
	// old are installed first and uninstalled concurrently; new are
	// installed concurrently.
	old, new []string
}

// Two users act at once through the API, 20 operations in parallel (under
// -race in CI): each lists, installs and uninstalls releases in their own
// namespace. Identities never mix: a list shows only the user's own
// namespace's releases, every operation belongs to whoever started it (the
// other user's GET is 404), and the API server's audit log attributes every
// write to a release Secret (Helm's storage) to Kubedeck impersonating the
// user who asked.
func TestChartsConcurrentUsers(t *testing.T) {
	cfg := proxyConfig()
	// Each user makes six changes at once and polls; the budgets are not
	// what is tested.
	cfg.WritesPerMinute, cfg.WriteBurst = 1<<20, 1<<10
	cfg.ReadsPerMinute, cfg.ReadBurst = 1<<20, 1<<10
	f := newChartsServer(t, cfg, time.Second, helm.Options{})
	users := []*concUser{
		{name: "helmconc-ann", old: []string{"ann-old-0", "ann-old-1"}, new: []string{"ann-new-0", "ann-new-1", "ann-new-2", "ann-new-3"}},
		{name: "helmconc-ben", old: []string{"ben-old-0", "ben-old-1"}, new: []string{"ben-new-0", "ben-new-1", "ben-new-2", "ben-new-3"}},
	}
	for _, u := range users {
		u.ns = f.namespace(t, "helmconc")
		f.bind(t, u.name, "edit", u.ns)
	}
	users[0].other, users[1].other = users[1].name, users[0].name
	owner := map[string]*concUser{users[0].ns: users[0], users[1].ns: users[1]}
	started := time.Now()

	// install starts release name as u and follows it to its end.
	install := func(u *concUser, name string) {
		code, env, err := f.call(http.MethodPost, "/api/v1/charts", u.name,
			shared.ChartInstall{Name: name, Namespace: u.ns, Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"})
		if err == nil {
			var op shared.Operation
			if op, err = operationOf(code, env); err == nil {
				err = f.checkOperation(u, op, shared.OperationHelmInstall, name)
			}
		}
		if err != nil {
			t.Errorf("install %s/%s as %s: %v", u.ns, name, u.name, err)
		}
	}
	uninstall := func(u *concUser, name string) {
		code, env, err := f.call(http.MethodDelete, "/api/v1/charts/"+name+"?namespace="+u.ns, u.name, nil)
		if err == nil {
			var op shared.Operation
			if op, err = operationOf(code, env); err == nil {
				err = f.checkOperation(u, op, shared.OperationHelmUninstall, name)
			}
		}
		if err != nil {
			t.Errorf("uninstall %s/%s as %s: %v", u.ns, name, u.name, err)
		}
	}
	// list checks that u's list shows nothing of the other namespace, and
	// returns the names it shows in u's.
	list := func(u *concUser) []string {
		code, env, err := f.call(http.MethodGet, "/api/v1/charts", u.name, nil)
		var l shared.ReleaseList
		if err != nil || code != http.StatusOK || json.Unmarshal(env.Data, &l) != nil {
			t.Errorf("list as %s: %d %+v %v", u.name, code, env.Error, err)
			return nil
		}
		var mine []string
		for _, r := range l.Releases {
			switch o := owner[r.Namespace]; {
			case o == u:
				mine = append(mine, r.Name)
			case o != nil:
				t.Errorf("%s's list shows %s/%s, %s's release", u.name, r.Namespace, r.Name, o.name)
			}
		}
		for ns, msg := range l.Errors {
			if owner[ns] != nil {
				t.Errorf("%s's list: namespace %s failed: %s", u.name, ns, msg)
			}
		}
		return mine
	}

	// The releases to uninstall, installed at once by both users.
	var wg sync.WaitGroup
	for _, u := range users {
		for _, name := range u.old {
			wg.Go(func() { install(u, name) })
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("4 releases installed in %s", time.Since(started).Round(time.Millisecond))

	// 20 operations at once, 10 by each user: 4 installs, 2 uninstalls and
	// 4 lists.
	begin := make(chan struct{})
	for _, u := range users {
		var ops []func()
		for _, name := range u.new {
			ops = append(ops, func() { install(u, name) })
		}
		for _, name := range u.old {
			ops = append(ops, func() { uninstall(u, name) })
		}
		for range 4 {
			ops = append(ops, func() { list(u) })
		}
		for _, op := range ops {
			wg.Go(func() {
				<-begin
				op()
			})
		}
	}
	wave := time.Now()
	close(begin)
	wg.Wait()
	t.Logf("20 concurrent operations done in %s", time.Since(wave).Round(time.Millisecond))

	for _, u := range users {
		got := list(u)
		slices.Sort(got)
		if !slices.Equal(got, u.new) {
			t.Errorf("%s's releases after the operations: %v, want %v", u.name, got, u.new)
		}
	}

	// Every write to a release Secret in the two namespaces is Kubedeck's,
	// impersonating the namespace's user; each install created its
	// revision 1 and each uninstall deleted it.
	want := map[string]bool{} // "verb namespace/secret"
	for _, u := range users {
		for _, name := range slices.Concat(u.old, u.new) {
			want["create "+u.ns+"/sh.helm.release.v1."+name+".v1"] = true
		}
		for _, name := range u.old {
			want["delete "+u.ns+"/sh.helm.release.v1."+name+".v1"] = true
		}
	}
	var (
		missing []string
		checked int
	)
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, err := cluster.AuditEvents()
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		checked = 0
		for _, e := range events {
			if e.ObjectRef == nil || e.ObjectRef.Resource != "secrets" || owner[e.ObjectRef.Namespace] == nil ||
				!helm.IsReleaseSecret(e.ObjectRef.Name) || e.Verb == "get" || e.Verb == "list" || e.Verb == "watch" {
				continue
			}
			u := owner[e.ObjectRef.Namespace]
			if e.User.Username != localcluster.ServerUser || e.ImpersonatedUser == nil || e.ImpersonatedUser.Username != u.name {
				t.Errorf("audit: %s of %s/%s by %+v as %+v, want %s impersonating %s",
					e.Verb, e.ObjectRef.Namespace, e.ObjectRef.Name, e.User, e.ImpersonatedUser, localcluster.ServerUser, u.name)
			}
			seen[e.Verb+" "+e.ObjectRef.Namespace+"/"+e.ObjectRef.Name] = true
			checked++
		}
		missing = missing[:0]
		for w := range want {
			if !seen[w] {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 || t.Failed() || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("the audit log lacks these writes of release Secrets:\n%s", strings.Join(missing, "\n"))
	}
	t.Logf("%d writes of release Secrets audited; the whole test took %s", checked, time.Since(started).Round(time.Millisecond))
}

// checkOperation follows op, started by u for release name, to its end:
// it belongs to u and names the release, the other user never sees it,
// and it succeeds.
func (f *deployFixture) checkOperation(u *concUser, op shared.Operation, kind shared.OperationKind, name string) error {
	wantTarget := shared.OperationTarget{Kind: "release", Namespace: u.ns, Name: name}
	if op.Owner != u.name || op.Kind != kind || op.Target != wantTarget {
		return fmt.Errorf("operation %+v, want %s's %s of %+v", op, u.name, kind, wantTarget)
	}
	end, err := f.follow(u.name, u.other, op.ID, 45*time.Second)
	if err != nil {
		return err
	}
	if end.Owner != u.name || end.Phase != shared.OperationSucceeded {
		return fmt.Errorf("operation ended %+v (error %+v), want %s's, succeeded", end, end.Error, u.name)
	}
	return nil
}
