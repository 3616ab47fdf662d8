package main

import (
	stdhtml "html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Del makes memStore (layout_test.go) a draftStore, as sessionStorage is.
func (m memStore) Del(k string) { delete(m, k) }

// loadedDeployPage is the deploy page once the cluster's settings came:
// the user may deploy to team-b only.
func loadedDeployPage(t *testing.T) *deployPage {
	t.Helper()
	p := newDeployPage().Server(&serverLink{perms: newPermissionStore()})
	p.running = true // as if started: the answers are taken
	p.optionsLoaded(app.Context{}, shared.DeploymentOptions{Config: testDeployConfig(), Namespaces: []string{"team-b"}}, nil)
	p.running = false
	return p
}

// htmlOf mounts c in a test engine and returns its HTML.
func htmlOf(t *testing.T, c app.Composer) string {
	t.Helper()
	load(t, c)
	return app.HTMLString(c)
}

// wantIn checks that the HTML, its text unescaped, has each of want and
// none of notWant. (go-app writes an attribute that is "true" bare.)
func wantIn(t *testing.T, html string, want, notWant []string) {
	t.Helper()
	html = sortedAttributes(stdhtml.UnescapeString(html))
	for _, w := range want {
		if !strings.Contains(html, sortedAttributes(w)) {
			t.Errorf("missing %q in:\n%s", w, html)
		}
	}
	for _, w := range notWant {
		if strings.Contains(html, sortedAttributes(w)) {
			t.Errorf("unexpected %q in:\n%s", w, html)
		}
	}
}

var (
	openTag   = regexp.MustCompile(`<([a-zA-Z0-9-]+)((?:\s+[^\s=<>"]+(?:="[^"]*")?)+)\s*>`)
	attribute = regexp.MustCompile(`[^\s=<>"]+(?:="[^"]*")?`)
)

// sortedAttributes writes every opening tag's attributes in sorted order:
// go-app writes them in no fixed order, so a test that looks for a whole
// tag would otherwise pass or fail by chance.
func sortedAttributes(html string) string {
	return openTag.ReplaceAllStringFunc(html, func(tag string) string {
		m := openTag.FindStringSubmatch(tag)
		attrs := attribute.FindAllString(m[2], -1)
		slices.Sort(attrs)
		return "<" + m[1] + " " + strings.Join(attrs, " ") + ">"
	})
}

func TestDeployPageStates(t *testing.T) {
	tests := []struct {
		name          string
		page          func() *deployPage
		want, notWant []string
	}{
		{"loading the settings", func() *deployPage { return newDeployPage() },
			[]string{`id="page-deploy"`, `id="deploy-loading"`, "Loading the cluster's settings for apps…", "Listing your apps…"},
			[]string{`id="deploy-wizard"`}},
		{"the settings failed", func() *deployPage {
			p := newDeployPage()
			p.optStatus, p.optErr = statusFailed, "Kubedeck is not connected to a cluster."
			return p
		}, []string{`role="alert"`, "The cluster's settings for apps could not be loaded: Kubedeck is not connected to a cluster.", "Retry"},
			[]string{`id="deploy-wizard"`}},
		{"a new form", func() *deployPage { return loadedDeployPage(t) },
			[]string{`id="deploy-wizard"`, `id="deploy-step-basics"`, `aria-current="step"`, "Step 1 of 6: Basics",
				`<label for="deploy-name">Name</label>`, `id="deploy-name-error"`, `id="deploy-next"`,
				`id="deploy-next-reason"`, "Still to fix in this step: Name, Image.",
				`<option value="team-b" selected>team-b</option>`},
			[]string{`aria-invalid`, `kd-step-error`}},
		{"an invalid name typed", func() *deployPage {
			p := loadedDeployPage(t)
			p.edit(app.Context{}, "name", "Web")
			return p
		}, []string{`aria-invalid`, "(current step, has errors)", "kd-step-error",
			shared.FieldError(shared.DeploymentSpec{Name: "Web"}.Validate(), "name")}, nil},
		{"a namespace the user may not deploy to", func() *deployPage {
			p := loadedDeployPage(t)
			p.known = permissionSet{"team-a": {Namespace: "team-a", Status: statusLoaded, Me: shared.Me{
				Can:     map[string]bool{shared.ActionCreateDeployments: false, "list pods": true, "get pods": true},
				Reasons: map[string]string{shared.ActionCreateDeployments: "You may not create deployments in team-a."}}}}
			p.edit(app.Context{}, "namespace", "team-a")
			return p
		}, []string{`team-a (you may not deploy here)`, "You may not create deployments in team-a.",
			`id="deploy-permissions"`, "What you may do in team-a", `id="deploy-recheck"`}, nil},
		{"review", func() *deployPage {
			p := loadedDeployPage(t)
			p.form = filledForm(t)
			p.form.Step = stepReview
			p.review = deployReviewState{Status: statusLoaded, Spec: specKey(p.form.Spec), Result: shared.DeploymentValidation{
				Valid: true, YAML: "kind: Deployment\nmetadata:\n  name: web\n",
				Verdicts: []shared.DryRunVerdict{
					{Kind: "Deployment", Name: "web", Allowed: true, Warnings: []string{"spec.x is deprecated"}},
					{Kind: "Pod", Check: "A Pod of the app, never created: the check of quotas and admission on its Pods.",
						Allowed: false, Code: shared.CodeForbidden, Reason: "exceeded quota: cpu"},
				}}}
			return p
		}, []string{`id="deploy-verdicts"`, "✓ Allowed", "✗ Refused (FORBIDDEN)", "exceeded quota: cpu", "spec.x is deprecated",
			`<span class="kd-verdict-check">A Pod of the app, never created: the check of quotas and admission on its Pods.</span>`,
			`id="deploy-yaml"`, `<span class="kd-y-key">kind</span>`, `id="deploy-create"`,
			"Kubernetes would refuse an object; see the verdicts above."}, nil},
		{"progress", func() *deployPage {
			p := loadedDeployPage(t)
			prog := newDeployProgress(withRollout(deployOp(shared.OperationRunning, "deployment:succeeded:Created Deployment web.",
				"rollout:running:Pending: 0 of 1 replicas ready, 1 updated, 0 available. 0/1 nodes are available: insufficient cpu."),
				shared.PhasePending, 0, 1, "0/1 nodes are available: insufficient cpu."))
			p.progress = &prog
			return p
		}, []string{`id="deploy-progress"`, `data-phase="Pending"`, "Deploying team-a/web…", "Created Deployment web.",
			"Why it waits", ">0/1 nodes are available: insufficient cpu.<", `href="/apps/objects?kind=deployments&namespace=team-a&name=web"`, `id="deploy-again"`},
			[]string{`id="deploy-wizard"`}},
		{"my apps", func() *deployPage {
			p := loadedDeployPage(t)
			p.apps.listed([]shared.DeployedApp{
				{Name: "web", Namespace: "team-b", Image: "nginx:1.27", Exposure: shared.ExposePublic, URL: "https://web.apps.example/",
					Progress: shared.DeploymentProgress{Phase: shared.PhaseAvailable, Desired: 2, Ready: 2}},
				{Name: "api", Namespace: "team-b", Image: "api:1", Exposure: shared.ExposeInternal,
					Progress: shared.DeploymentProgress{Phase: shared.PhasePending, Desired: 1, Message: "ImagePullBackOff"}},
			}, nil, time.Now())
			return p
		}, []string{`id="deploy-apps"`, `data-name="web"`, `data-phase="Available"`, "2/2 ready", `href="https://web.apps.example/"`,
			`id="deploy-app-delete-team-b-web"`, "ImagePullBackOff", "Inside the cluster"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantIn(t, htmlOf(t, tc.page()), tc.want, tc.notWant)
		})
	}
}

// The form is kept in sessionStorage as it changes and restored by the
// next page; localStorage gets only the namespace, never a variable's
// value. Creating the app or starting over forgets the draft.
func TestDeployPageKeepsTheDraft(t *testing.T) {
	session, local := memStore{}, memStore{}
	e := app.NewTestEngine()
	probe := &ctxProbe{}
	if err := e.Load(probe); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()

	p := newDeployPage().Server(&serverLink{perms: newPermissionStore()})
	p.start(probe.ctx, session, local)
	p.running = true
	p.optionsLoaded(probe.ctx, shared.DeploymentOptions{Config: testDeployConfig(), Namespaces: []string{"team-a", "team-b"}}, nil)
	p.edit(probe.ctx, "namespace", "team-b")
	p.edit(probe.ctx, "name", "web")
	p.edit(probe.ctx, "image", "nginx:1.27")
	p.rowAction(probe.ctx, "addEnv", 0)
	p.edit(probe.ctx, "env.0.name", "PASSWORD")
	p.edit(probe.ctx, "env.0.value", "hunter2")
	p.goStep(probe.ctx, stepExposure)

	if !strings.Contains(session[draftStorageKey], "hunter2") {
		t.Errorf("the draft lacks the variable: %q", session[draftStorageKey])
	}
	for k, v := range local {
		if strings.Contains(v, "hunter2") {
			t.Errorf("localStorage %s holds a variable's value: %s", k, v)
		}
	}
	if diff := cmp.Diff(memStore{namespaceStorageKey: `"team-b"`}, local); diff != "" {
		t.Errorf("localStorage (-want +got):\n%s", diff)
	}

	// A reload: a new page restores the form.
	q := newDeployPage().Server(&serverLink{perms: newPermissionStore()})
	q.start(probe.ctx, session, local)
	q.running = true
	q.optionsLoaded(probe.ctx, shared.DeploymentOptions{Config: testDeployConfig(), Namespaces: []string{"team-a", "team-b"}}, nil)
	if diff := cmp.Diff(p.form.Spec, q.form.Spec); diff != "" {
		t.Errorf("restored spec (-want +got):\n%s", diff)
	}
	if q.form.Step != stepExposure {
		t.Errorf("restored at step %v", q.form.Step)
	}

	q.startOver(probe.ctx)
	if _, ok := session[draftStorageKey]; ok {
		t.Error("Start over left the draft")
	}
	if q.form.Spec.Name != "" || q.form.Spec.Namespace != "team-b" || q.form.Step != stepBasics {
		t.Errorf("after Start over: %+v at %v", q.form.Spec, q.form.Step)
	}
}

// Create is enabled only for the spec reviewed, when the server found it
// valid and Kubernetes would allow every object.
func TestDeployPageCanCreate(t *testing.T) {
	allowed := shared.DeploymentValidation{Valid: true, Verdicts: []shared.DryRunVerdict{{Kind: "Deployment", Name: "web", Allowed: true}}}
	tests := []struct {
		name   string
		review func(spec shared.DeploymentSpec) deployReviewState
		want   bool
	}{
		{"allowed", func(s shared.DeploymentSpec) deployReviewState {
			return deployReviewState{Status: statusLoaded, Spec: specKey(s), Result: allowed}
		}, true},
		{"checking", func(s shared.DeploymentSpec) deployReviewState {
			return deployReviewState{Status: statusLoading, Spec: specKey(s)}
		}, false},
		{"another spec", func(s shared.DeploymentSpec) deployReviewState {
			s.Replicas = 9
			return deployReviewState{Status: statusLoaded, Spec: specKey(s), Result: allowed}
		}, false},
		{"refused", func(s shared.DeploymentSpec) deployReviewState {
			r := allowed
			r.Verdicts = []shared.DryRunVerdict{{Kind: "Deployment", Name: "web", Allowed: false, Code: shared.CodeConflict}}
			return deployReviewState{Status: statusLoaded, Spec: specKey(s), Result: r}
		}, false},
		{"not valid on the server", func(s shared.DeploymentSpec) deployReviewState {
			return deployReviewState{Status: statusLoaded, Spec: specKey(s), Result: shared.DeploymentValidation{Valid: false}}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := loadedDeployPage(t)
			p.form = filledForm(t)
			p.review = tc.review(p.form.Spec)
			if ok, why := p.canCreate(); ok != tc.want || (!ok && why == "") {
				t.Errorf("canCreate %v (%q), want %v", ok, why, tc.want)
			}
		})
	}
}

// A refusal of the server shows its verdicts and field errors in the
// review.
func TestDeployReviewRefused(t *testing.T) {
	var r deployReviewState
	r.refused(&replyError{Status: 409, API: shared.Error{Code: shared.CodeConflict,
		Message: "Nothing was created: the Service web would be refused. It exists.",
		Details: map[string]any{"kind": "Service", "name": "web", "verdicts": []any{
			map[string]any{"kind": "Deployment", "name": "web", "allowed": true},
			map[string]any{"kind": "Service", "name": "web", "allowed": false, "code": "CONFLICT", "reason": "It exists."},
		}}}})
	want := []shared.DryRunVerdict{{Kind: "Deployment", Name: "web", Allowed: true},
		{Kind: "Service", Name: "web", Code: shared.CodeConflict, Reason: "It exists."}}
	if diff := cmp.Diff(want, r.Result.Verdicts); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	r.refused(&replyError{Status: 400, API: shared.Error{Code: shared.CodeValidation, Message: "not valid",
		Details: map[string]any{"fields": map[string]any{"name": "Name the app.", "env": map[string]any{"1": map[string]any{"name": "Name the variable."}}}}}})
	wantProblems := []fieldProblem{{"env.1.name", "variable 2 name", "Name the variable."}, {"name", "Name", "Name the app."}}
	if diff := cmp.Diff(wantProblems, r.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
