package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestPermissionsCan(t *testing.T) {
	loaded := shared.Me{
		Can: map[string]bool{
			shared.ActionCreateDeployments: true,
			shared.ActionDeleteDeployments: false,
			shared.ActionInstallCharts:     false,
		},
		Reasons: map[string]string{shared.ActionDeleteDeployments: "RBAC does not let you delete deployments in team-a."},
	}
	tests := []struct {
		name   string
		p      nsPermissions
		action string
		ok     bool
		why    string
	}{
		{"no namespace", nsPermissions{}, shared.ActionCreateDeployments, false, "Choose a namespace first."},
		{"not asked yet", nsPermissions{Namespace: "team-a"}, shared.ActionCreateDeployments, false,
			"Checking whether you may create deployments in team-a…"},
		{"being asked", nsPermissions{Namespace: "team-a", Status: statusLoading}, shared.ActionCreateDeployments, false,
			"Checking whether you may create deployments in team-a…"},
		{"check failed", nsPermissions{Namespace: "team-a", Status: statusFailed, Err: "The cluster is down."},
			shared.ActionCreateDeployments, false, "Your permissions in team-a could not be checked: The cluster is down."},
		{"allowed", nsPermissions{Namespace: "team-a", Status: statusLoaded, Me: loaded},
			shared.ActionCreateDeployments, true, ""},
		{"refused with the server's reason", nsPermissions{Namespace: "team-a", Status: statusLoaded, Me: loaded},
			shared.ActionDeleteDeployments, false, "RBAC does not let you delete deployments in team-a."},
		{"refused without a reason", nsPermissions{Namespace: "team-a", Status: statusLoaded, Me: loaded},
			shared.ActionInstallCharts, false, "You may not install charts in team-a."},
		{"an action the server did not review", nsPermissions{Namespace: "team-a", Status: statusLoaded, Me: loaded},
			"list gizmos", false, "Kubedeck's server did not say whether you may list gizmos in team-a."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := tc.p.can(tc.action)
			if diff := cmp.Diff([]any{tc.ok, tc.why}, []any{ok, why}); diff != "" {
				t.Errorf("can(%q) (-want +got):\n%s", tc.action, diff)
			}
		})
	}
}

// ctxProbe is a component that hands its context to the test (natively
// go-app calls OnPreRender, not OnMount) and observes the permissions.
type ctxProbe struct {
	app.Compo
	ctx  app.Context
	seen permissionSet
}

func (p *ctxProbe) OnPreRender(ctx app.Context) {
	p.ctx = ctx
	ctx.ObserveState(permissionsState, &p.seen)
}

func (p *ctxProbe) Render() app.UI { return app.Div() }

// meAPI answers GET /api/v1/me?namespace= like Kubedeck's server, with
// what answer says at the time, and counts the requests per namespace.
// While hold is open (not nil and not closed), answers wait for it.
type meAPI struct {
	mu     sync.Mutex
	calls  map[string]int
	answer func(namespace string) (int, shared.Me)
	hold   chan struct{}
}

func (m *meAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ns := r.URL.Query().Get("namespace")
	status, me, hold := func() (int, shared.Me, chan struct{}) {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.calls[ns]++
		status, me := m.answer(ns)
		return status, me, m.hold
	}()
	if hold != nil {
		<-hold
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status != http.StatusOK {
		code := codeForStatus(status)
		_ = json.NewEncoder(w).Encode(shared.Envelope{Error: &shared.Error{Code: code, Message: "no: " + string(code)}})
		return
	}
	data, _ := json.Marshal(me)
	_ = json.NewEncoder(w).Encode(shared.Envelope{Success: true, Data: data})
}

func (m *meAPI) count(ns string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[ns]
}

func (m *meAPI) set(answer func(string) (int, shared.Me)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answer = answer
}

func may(create bool) func(string) (int, shared.Me) {
	return func(ns string) (int, shared.Me) {
		me := shared.Me{User: "ada", Namespace: ns, Can: map[string]bool{shared.ActionCreateDeployments: create}}
		if !create {
			me.Reasons = map[string]string{shared.ActionCreateDeployments: "Not in " + ns + "."}
		}
		return http.StatusOK, me
	}
}

func TestPermissionStore(t *testing.T) {
	// The first answer waits until the test has seen the check under way.
	api := &meAPI{calls: map[string]int{}, answer: may(false), hold: make(chan struct{})}
	srv := httptest.NewServer(http.StripPrefix("/api/v1/me", api))
	t.Cleanup(srv.Close)
	var failures []string
	var signIns int
	client := newAPIClient(srv.URL+"/api/v1").Retry(1, 0).
		OnFailure(func(err error) { failures = append(failures, err.Error()) }).
		OnUnauthorized(func() { signIns++ })

	e := app.NewTestEngine()
	probe := &ctxProbe{}
	if err := e.Load(probe); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	store := newPermissionStore()
	store.ensure(probe.ctx, "team-a") // no client yet: nothing happens
	e.ConsumeAll()
	if got := store.lookup("team-a").Status; got != statusIdle || api.count("team-a") != 0 {
		t.Fatalf("without a client: status %v, %d requests", got, api.count("team-a"))
	}
	store.use(probe.ctx, client)

	check := func(step, ns string, wantOK bool, wantWhy string, wantCalls int) {
		t.Helper()
		e.ConsumeAll()
		ok, why := store.lookup(ns).can(shared.ActionCreateDeployments)
		seenOK, seenWhy := probe.seen.of(ns).can(shared.ActionCreateDeployments)
		want := []any{wantOK, wantWhy, wantOK, wantWhy, wantCalls}
		if diff := cmp.Diff(want, []any{ok, why, seenOK, seenWhy, api.count(ns)}); diff != "" {
			t.Errorf("%s: store, published, requests (-want +got):\n%s", step, diff)
		}
	}

	store.ensure(probe.ctx, "team-a")
	if got := store.lookup("team-a").Status; got != statusLoading {
		t.Errorf("while asking: status %v, want loading", got)
	}
	close(api.hold)
	check("first ask", "team-a", false, "Not in team-a.", 1)
	store.ensure(probe.ctx, "team-a")
	check("asked again: kept for the session", "team-a", false, "Not in team-a.", 1)

	api.set(may(true)) // an edit RoleBinding was added
	store.ensure(probe.ctx, "team-a")
	check("still kept", "team-a", false, "Not in team-a.", 1)
	store.refresh(probe.ctx, "team-a")
	check("refreshed", "team-a", true, "", 2)
	store.ensure(probe.ctx, "team-b")
	check("another namespace", "team-b", true, "", 1)

	api.set(func(string) (int, shared.Me) { return http.StatusBadGateway, shared.Me{} })
	store.ensure(probe.ctx, "team-c")
	check("the check fails", "team-c", false, "Your permissions in team-c could not be checked: no: K8S_API_ERROR", 1)
	if diff := cmp.Diff([]string{"no: K8S_API_ERROR"}, failures); diff != "" {
		t.Errorf("failures shown (-want +got):\n%s", diff)
	}
	api.set(may(true))
	store.ensure(probe.ctx, "team-c")
	check("a failed check is tried again", "team-c", true, "", 2)

	api.set(func(string) (int, shared.Me) { return http.StatusUnauthorized, shared.Me{} })
	store.refresh(probe.ctx, "team-b")
	e.ConsumeAll()
	if signIns != 1 || len(failures) != 1 {
		t.Errorf("a 401: %d sign-in prompts (want 1), %d failures shown (want the 1 before)", signIns, len(failures))
	}
	if ok, _ := store.lookup("team-b").can(shared.ActionCreateDeployments); ok {
		t.Error("after a 401 the store still says yes")
	}
}

func TestGuardedButton(t *testing.T) {
	noop := func(app.Context, app.Event) {}
	tests := []struct {
		name   string
		button guardedButton
		want   []string // in the HTML
		absent []string
	}{
		{"allowed", newGuardedButton("go", "Go").Allowed(true, "").OnClick(noop),
			[]string{`id="go"`, `>Go</button>`}, []string{"disabled", "aria-describedby", "go-reason", "title="}},
		{"refused: reason shown", newGuardedButton("go", "Go").Allowed(false, "You may not go.").OnClick(noop),
			[]string{`disabled`, `title="You may not go."`, `aria-describedby="go-reason"`,
				`id="go-reason"`, `class="kd-guard-reason"`, `>You may not go.</span>`}, nil},
		{"refused: reason for screen readers only", newGuardedButton("rm", "Delete").Allowed(false, "No.").ReasonHidden(),
			[]string{`disabled`, `title="No."`, `aria-describedby="rm-reason"`, `class="kd-sr-only"`, `>No.</span>`},
			[]string{"kd-guard-reason"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ui := tc.button.UI()
			if err := app.Match(app.Span().Class("kd-guarded"), ui); err != nil {
				t.Fatal(err)
			}
			want := app.Button().Type("button").ID(tc.button.id).Class("kd-button").Text(tc.button.label)
			if tc.button.onClick != nil && tc.button.allowed {
				want = want.OnClick(noop) // only a refused button has none
			}
			if !tc.button.allowed {
				want = want.Disabled(true).Title(tc.button.reason).Aria("describedby", tc.button.id+"-reason")
			}
			if err := app.Match(want, ui, 0); err != nil {
				t.Errorf("button: %v", err)
			}
			html := app.HTMLString(ui)
			for _, s := range tc.want {
				if !strings.Contains(html, s) {
					t.Errorf("no %s in %s", s, html)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(html, s) {
					t.Errorf("%s in %s", s, html)
				}
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	me := shared.Me{
		Can: map[string]bool{
			shared.ActionCreateDeployments: false, shared.ActionDeleteDeployments: false, shared.ActionInstallCharts: true,
			"list pods": true, "get pods": true, "list nodes": false, "get nodes": false,
			"list secrets": true, "get secrets": false,
		},
		Reasons: map[string]string{shared.ActionCreateDeployments: "No create.", "get secrets": "No get."},
	}
	want := permSummary{
		Changes: []permLine{
			{Action: shared.ActionCreateDeployments, Reason: "No create."},
			{Action: shared.ActionDeleteDeployments},
			{Action: shared.ActionInstallCharts, Allowed: true},
		},
		Readable:   []string{"pods"},
		Unreadable: []string{"nodes"},
		Partial:    []permLine{{Action: "list secrets", Allowed: true}, {Action: "get secrets", Reason: "No get."}},
	}
	if diff := cmp.Diff(want, summarize(me)); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
}
