package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestParseEditQuery(t *testing.T) {
	tests := []struct {
		name, query     string
		wantNS, wantApp string
		ok              bool
	}{
		{"an app", "edit=team-a%2Fweb", "team-a", "web", true},
		{"unescaped", "edit=team-a/web", "team-a", "web", true},
		{"no edit", "", "", "", false},
		{"no namespace", "edit=/web", "", "", false},
		{"no name", "edit=team-a/", "", "", false},
		{"no slash", "edit=web", "", "", false},
		{"a path", "edit=team-a/web/x", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			ns, name, ok := parseEditQuery(q)
			if ns != tc.wantNS || name != tc.wantApp || ok != tc.ok {
				t.Errorf("parseEditQuery(%q) = %q, %q, %v; want %q, %q, %v", tc.query, ns, name, ok, tc.wantNS, tc.wantApp, tc.ok)
			}
		})
	}
	if got := (deployEdit{Namespace: "team-a", Name: "web"}).query(); got != "edit=team-a%2Fweb" {
		t.Errorf("query() = %q", got)
	}
}

// A command written back into its field splits into the same words.
func TestJoinCommandSplitsBack(t *testing.T) {
	tests := []struct {
		name  string
		words []string
		want  string
	}{
		{"none", nil, ""},
		{"plain", []string{"nginx", "-g", "daemon off;"}, "nginx -g 'daemon off;'"},
		{"quotes", []string{"sh", "-c", `echo "it's $HOME"`}, `sh -c 'echo "it'\''s $HOME"'`},
		{"empty word", []string{"a", "", "b"}, "a '' b"},
		{"flags", []string{"--port=8080", "/bin/app", "a,b@c:1"}, "--port=8080 /bin/app a,b@c:1"},
		{"line break", []string{"a\nb", "\\"}, "'a\nb' '\\'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := joinCommand(tc.words)
			if got != tc.want {
				t.Errorf("joinCommand = %q, want %q", got, tc.want)
			}
			back, err := shared.SplitCommand(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(nilIfEmpty(tc.words), nilIfEmpty(back)); diff != "" {
				t.Errorf("split back (-want +got):\n%s", diff)
			}
		})
	}
}

// editedSpec is an app's spec that uses every part of the form.
func editedSpec() shared.DeploymentSpec {
	return shared.DeploymentSpec{Name: "web", Namespace: "team-a", Image: "nginx:1.27", PullSecret: "regcred",
		Port: 8080, Replicas: 2, Exposure: shared.ExposePrivate, CPURequest: "250m", CPULimit: "500m",
		MemoryRequest: "256Mi", MemoryLimit: "512Mi", GPU: 1,
		Command: []string{"nginx"}, Args: []string{"-g", "daemon off;"},
		Env: []shared.EnvVar{{Name: "MODE", Value: "prod"},
			{Name: "TOKEN", SecretKeyRef: &shared.KeyRef{Name: "tokens", Key: "api"}}},
		Volumes: []shared.Volume{{Type: shared.VolumeSharedPVC, MountPath: "/data", ReadOnly: true}}}
}

// The form made from an app's spec holds that spec: nothing changes until
// the user changes something.
func TestFormFromSpec(t *testing.T) {
	spec := editedSpec()
	f := formFromSpec(spec, testDeployConfig())
	if diff := cmp.Diff(spec, f.Spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
	if changes := shared.SpecChanges(spec, f.Spec); len(changes) != 0 {
		t.Errorf("changes of an untouched form: %+v", changes)
	}
	if !f.valid() || f.Step != stepBasics {
		t.Errorf("valid %v at step %v: %v", f.valid(), f.Step, f.err)
	}
	if f.Text.Port != "8080" || f.Text.Replicas != "2" || !f.Text.GPUOn || f.Text.GPU != "1" || f.Text.Args != "-g 'daemon off;'" {
		t.Errorf("text: %+v", f.Text)
	}
}

// editingPage is the deploy page editing team-a/web (a namespace it does
// not offer for new apps), once its spec was read.
func editingPage(t *testing.T, session memStore) *deployPage {
	t.Helper()
	p := loadedDeployPage(t)
	p.session = session
	p.running = true
	p.editing = deployEdit{Namespace: "team-a", Name: "web"}
	p.editLoaded(p.editing, shared.DeploymentDetails{Spec: new(editedSpec())}, nil)
	p.running = false
	return p
}

// pageCopy is a new page in p's state, to render: a component mounts once.
func pageCopy(p *deployPage) *deployPage {
	q := newDeployPage().Server(p.link)
	q.options, q.optStatus, q.optErr = p.options, p.optStatus, p.optErr
	q.form, q.review, q.editing, q.creating = p.form, p.review, p.editing, p.creating
	return q
}

// The wizard opened on an app: filled with its spec, its name and
// namespace fixed, Apply disabled until something changes, then the
// review lists each change old → new, and the edits are kept apart from
// the create draft.
func TestDeployPageEdit(t *testing.T) {
	session := memStore{}
	p := editingPage(t, session)
	if diff := cmp.Diff(editedSpec(), p.form.Spec); diff != "" {
		t.Fatalf("prefilled spec (-want +got):\n%s", diff)
	}
	wantIn(t, htmlOf(t, pageCopy(p)), []string{"Edit app team-a/web", `id="deploy-edit"`, `id="deploy-edit-stop"`,
		`<input aria-describedby="deploy-fixed-note" aria-readonly class="kd-input" id="deploy-name" readonly type="text" value="web">`,
		`<input aria-describedby="deploy-fixed-note" aria-readonly class="kd-input" id="deploy-namespace" readonly type="text" value="team-a">`,
		`id="deploy-fixed-note"`, `value="nginx:1.27"`, "Undo my changes"},
		[]string{`<select class="kd-select" id="deploy-namespace"`, "you may not deploy here"})

	p.edit(app.Context{}, "name", "other")
	p.edit(app.Context{}, "namespace", "team-b")
	if s := p.form.Spec; s.Name != "web" || s.Namespace != "team-a" {
		t.Errorf("the name and namespace changed: %s/%s", s.Namespace, s.Name)
	}
	allowed := shared.DeploymentValidation{Valid: true, YAML: "kind: Deployment\n", Verdicts: []shared.DryRunVerdict{{Kind: "Deployment", Name: "web", Allowed: true}}}
	p.form.Step = stepReview
	p.review = deployReviewState{Status: statusLoaded, Spec: specKey(p.form.Spec), Result: allowed}
	if ok, why := p.canCreate(); ok || !strings.HasPrefix(why, "Nothing to change") {
		t.Errorf("canCreate without changes: %v %q", ok, why)
	}
	wantIn(t, htmlOf(t, pageCopy(p)), []string{`id="deploy-diff"`, "Nothing to change", `id="deploy-apply"`, "disabled",
		`id="deploy-apply-reason"`}, []string{`id="deploy-create"`, `class="kd-diff-row"`})

	p.edit(app.Context{}, "image", "nginx:1.28")
	p.edit(app.Context{}, "replicas", "3")
	want := []shared.SpecChange{{Field: "image", Old: "nginx:1.27", New: "nginx:1.28"}, {Field: "replicas", Old: "2", New: "3"}}
	if diff := cmp.Diff(want, p.editing.changes(p.form.Spec)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	p.review = deployReviewState{Status: statusLoaded, Spec: specKey(p.form.Spec), Result: allowed}
	if ok, why := p.canCreate(); !ok {
		t.Errorf("canCreate with changes: %q", why)
	}
	wantIn(t, htmlOf(t, pageCopy(p)), []string{`<tr class="kd-diff-row" data-field="image">`, `<th scope="row">Image</th>`,
		`<code>nginx:1.27</code>`, `<code>nginx:1.28</code>`, `<tr class="kd-diff-row" data-field="replicas">`,
		`<th scope="row">Replicas</th>`, `<code>2</code>`, `<code>3</code>`, `id="deploy-apply"`, ">Apply<",
		"The objects as they will be"}, []string{"Nothing to change", `id="deploy-apply-reason"`})

	if _, ok := session[draftStorageKey]; ok {
		t.Error("the edit went into the create draft")
	}
	if !strings.Contains(session[editDraftStorageKey], "nginx:1.28") {
		t.Errorf("the edit draft lacks the new image: %q", session[editDraftStorageKey])
	}
	// A reload of the same edit takes the draft; Undo puts the spec back.
	q := editingPage(t, session)
	if q.form.Spec.Image != "nginx:1.28" || q.form.Spec.Replicas != 3 {
		t.Errorf("the reload lost the edits: %+v", q.form.Spec)
	}
	e := app.NewTestEngine()
	probe := &ctxProbe{}
	if err := e.Load(probe); err != nil {
		t.Fatal(err)
	}
	e.ConsumeAll()
	q.startOver(probe.ctx)
	if diff := cmp.Diff(editedSpec(), q.form.Spec); diff != "" {
		t.Errorf("after Undo (-want +got):\n%s", diff)
	}
	if _, ok := session[editDraftStorageKey]; ok {
		t.Error("Undo left the edit draft")
	}
}

// An app that cannot be read for editing says why, with Retry, instead of
// the wizard.
func TestDeployPageEditFailed(t *testing.T) {
	p := loadedDeployPage(t)
	p.running = true
	p.editing = deployEdit{Namespace: "team-a", Name: "web"}
	p.editLoaded(p.editing, shared.DeploymentDetails{}, &replyError{Status: 403,
		API: shared.Error{Code: shared.CodeForbidden, Message: "You may not read Deployment team-a/web."}})
	p.running = false
	wantIn(t, htmlOf(t, pageCopy(p)), []string{`id="deploy-edit-failed"`, `role="alert"`,
		"App team-a/web could not be opened for editing: You may not read Deployment team-a/web.", "Retry"},
		[]string{`id="deploy-wizard"`})

	p.running = true
	p.editLoaded(p.editing, shared.DeploymentDetails{}, nil)
	p.running = false
	wantIn(t, htmlOf(t, pageCopy(p)), []string{"it was not made with the wizard"}, []string{`id="deploy-wizard"`})
}

// An update's progress says it updates, and once it ended offers Roll
// back; a create's never does.
func TestDeployProgressOfAnUpdate(t *testing.T) {
	tests := []struct {
		name          string
		kind          shared.OperationKind
		phase         shared.OperationPhase
		want, notWant []string
	}{
		{"running", shared.OperationUpdate, shared.OperationRunning,
			[]string{"Updating team-a/web…", "Update the Deployment"}, []string{`id="deploy-progress-rollback"`, "Create the Deployment"}},
		{"ended", shared.OperationUpdate, shared.OperationSucceeded,
			[]string{"team-a/web is available", `id="deploy-progress-rollback"`, ">Roll back<"}, nil},
		{"a create ended", shared.OperationDeploy, shared.OperationSucceeded,
			[]string{"Create the Deployment"}, []string{`id="deploy-progress-rollback"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rollout := "rollout:running"
			if tc.phase == shared.OperationSucceeded {
				rollout = "rollout:succeeded"
			}
			op := withRollout(deployOp(tc.phase, "deployment:succeeded", rollout), shared.PhaseAvailable, 2, 2, "")
			op.Kind = tc.kind
			v := newDeployProgressView().Show(newDeployProgress(op))
			wantIn(t, htmlOf(t, v), tc.want, tc.notWant)
		})
	}
}
