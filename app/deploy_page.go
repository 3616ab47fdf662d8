package main

import (
	"context"
	"slices"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// namespaceStorageKey is where the last namespace chosen is remembered
// (localStorage). It is about the user, so logout removes it.
const namespaceStorageKey = "kubedeck.namespace"

// operationStorageKey is where the page keeps the deploy operation it
// follows (sessionStorage), so that a reload follows it on.
const operationStorageKey = "kubedeck.deploy.operation"

// deployPage is the page at /apps/deploy: the deployment wizard, the
// progress of the app it created, and the user's apps.
//
// The wizard offers the namespaces the server says the user may create
// Deployments in, remembers the one chosen, and explains, as Kubernetes
// answers for the user, what they may and may not do there. The form is
// checked as it is typed (deployForm) and kept in sessionStorage until the
// app is created or the user starts over.
//
// The page does its work in plain methods (deploy_page_load.go,
// deploy_page_actions.go); OnMount, in the browser, only starts it and
// OnDismount stops it.
type deployPage struct {
	app.Compo
	guarded

	link  *serverLink      // the layout's link to the server, as every page has
	perms *permissionStore // link.perms

	known      permissionSet // observed: permissionsState
	remembered string        // the namespace chosen last time (localStorage)

	options   shared.DeploymentOptions
	optStatus loadStatus
	optErr    string

	form     deployForm
	review   deployReviewState
	creating bool            // creating the app, or applying the edit
	editing  deployEdit      // the app the wizard edits, if any
	progress *deployProgress // the app being deployed; nil while the wizard shows
	follower *opFollower

	apps     deployAppsState
	confirm  *shared.DeployedApp // the app the delete dialog asks about
	deleting bool
	undo     *shared.DeployedApp // the app the rollback dialog asks about
	undoing  bool

	// Set while the page runs in the browser.
	running bool
	ui      app.Context
	stopCtx context.Context
	stop    context.CancelFunc
	session draftStore // sessionStorage
	local   draftStore // localStorage
}

// draftStore is where the page keeps what survives a reload: the
// browser's sessionStorage and localStorage are ones (app.BrowserStorage).
type draftStore interface {
	Get(k string, v any) error
	Set(k string, v any) error
	Del(k string)
}

// newDeployPage returns a page with no form yet: start or the cluster's
// settings make it. (The layout builds a page on each of its renders, to
// hand its props over, so this stays cheap.)
func newDeployPage() *deployPage { return &deployPage{} }

// Server sets the layout's link to the server, through which the page asks
// what the user may do and reaches the API.
func (p *deployPage) Server(l *serverLink) *deployPage {
	p.link = l
	if l != nil {
		p.perms = l.perms
	}
	return p
}

// OnMount starts the page in the browser.
func (p *deployPage) OnMount(ctx app.Context) {
	ctx.ObserveState(permissionsState, &p.known).OnChange(p.permissionsChanged)
	p.start(ctx, ctx.SessionStorage(), ctx.LocalStorage())
}

// OnDismount stops what start started.
func (p *deployPage) OnDismount() { p.end() }

// start restores the form, loads the cluster's settings and the user's
// apps, and refreshes the apps while the page is shown.
func (p *deployPage) start(ctx app.Context, session, local draftStore) {
	if p.running {
		return
	}
	p.ui, p.session, p.local = ctx, session, local
	_ = local.Get(namespaceStorageKey, &p.remembered) // nothing remembered: chosen below
	p.form = p.createForm()
	if app.IsClient {
		if ns, name, ok := parseEditQuery(ctx.Page().URL().Query()); ok {
			p.editing = deployEdit{Namespace: ns, Name: name}
		}
	}
	if p.client() == nil {
		return
	}
	p.running = true
	p.stopCtx, p.stop = context.WithCancel(context.Background())
	warmUpChecks()
	p.loadOptions()
	p.loadApps(false)
	p.loadEdit()
	stop := p.stopCtx
	ctx.Async(func() { p.pollApps(stop) })
	var opID string
	_ = session.Get(operationStorageKey, &opID) // none: nothing to follow
	if opID != "" {
		p.resumeOperation(opID)
	}
	if ns := p.form.Spec.Namespace; ns != "" {
		p.perms.ensure(ctx, ns)
	}
}

// end cancels the page's requests, the following of an operation and the
// refresh of the apps.
func (p *deployPage) end() {
	if p.stop != nil {
		p.stop()
	}
	if p.follower != nil {
		p.follower.stop()
	}
	p.running = false
}

// client is the layout's API client, or nil.
func (p *deployPage) client() *apiClient {
	if p.link == nil || p.perms == nil {
		return nil
	}
	return p.link.api
}

// Render shows the page.
func (p *deployPage) Render() app.UI {
	ns := p.form.Spec.Namespace
	perms := p.known.of(ns)
	title := "Deploy an application"
	if p.editing.active() {
		title = "Edit app " + p.editing.app()
	}
	return app.Section().ID("page-deploy").Class("kd-page").Body(
		app.H1().Text(title),
		app.P().Class("kd-lead").Text("Describe a container and Kubedeck creates it as you: Kubernetes decides, "+
			"for the namespace you choose, what you may do there."),
		p.main(),
		newDeployApps().
			Show(p.apps.Apps, p.apps.Status, p.apps.Err).
			BasePath(basePathFromEnv()).
			OnEdit(p.openEdit).OnDelete(p.askDelete).OnRollback(p.askRollback).OnRetry(p.retryApps).
			Guard(p.wrap),
		app.If(ns != "" && p.perms != nil, func() app.UI {
			return newDeployPermissions().Show(perms).OnRecheck(p.recheck).Guard(p.wrap)
		}),
		app.If(p.confirm != nil, func() app.UI {
			a := p.confirm
			return newDeleteDialog().Object("app", a.Namespace, a.Name).Working(p.deleting).
				OnConfirm(p.confirmDelete).OnCancel(p.cancelDelete).Guard(p.wrap)
		}),
		app.If(p.undo != nil, func() app.UI {
			a := p.undo
			return newDeleteDialog().Object("app", a.Namespace, a.Name).Working(p.undoing).
				Asks("Roll back", "rolls back", " to its previous revision: the image, command, env and resources it ran before.", "Rolling back…").
				OnConfirm(p.confirmRollback).OnCancel(p.cancelRollback).Guard(p.wrap)
		}),
	)
}

// main is the progress of the app being deployed, or the wizard, or what
// stands in for it while the cluster's settings load.
func (p *deployPage) main() app.UI {
	switch {
	case p.progress != nil:
		return newDeployProgressView().
			Show(*p.progress).BasePath(basePathFromEnv()).
			OnAgain(p.deployAnother).OnRollback(p.rollbackShown).
			Guard(p.wrap)
	case p.optStatus == statusFailed:
		return failedState("The cluster's settings for apps could not be loaded: "+p.optErr, "options", p.guard(p.retryOptions))
	case p.optStatus != statusLoaded:
		return app.P().ID("deploy-loading").Class("kd-state kd-state-loading").Aria("busy", "true").
			Text("Loading the cluster's settings for apps…")
	case p.editing.active() && p.editing.Status != statusLoaded:
		return p.editState()
	}
	ok, why := p.form.canNext()
	create, createWhy := p.canCreate()
	wizard := newDeployWizard().
		Show(p.form).
		Namespaces(p.namespaceChoices()).
		Next(ok, why).
		Review(p.review).
		Create(create, createWhy, p.creating).
		OnEdit(p.edit).OnRow(p.rowAction).OnStep(p.goStep).
		OnReset(p.startOver).OnCreate(p.create).OnRetryReview(p.retryReview).
		Guard(p.wrap)
	if !p.editing.active() {
		return wizard
	}
	return app.Div().Class("kd-editing").Body(p.editBanner(), wizard.Editing(true, p.editing.changes(p.form.Spec)))
}

// namespaceChoices are the namespaces the wizard offers: those the user
// may create Deployments in, and the chosen one when it is not among them
// (marked, so the field can say why).
func (p *deployPage) namespaceChoices() []nsChoice {
	out := make([]nsChoice, 0, len(p.options.Namespaces)+1)
	for _, n := range p.options.Namespaces {
		out = append(out, nsChoice{Name: n, Allowed: true})
	}
	if ns := p.form.Spec.Namespace; ns != "" && !slices.Contains(p.options.Namespaces, ns) {
		out = append(out, nsChoice{Name: ns})
	}
	return out
}

// wrap is the page's guard, handed to its parts.
func (p *deployPage) wrap(h app.EventHandler) app.EventHandler { return p.guard(h) }

// pickNamespace chooses the namespace the form starts in: the one it has
// when the user may deploy there, else the one remembered, else "default",
// else the first offered. When none is offered the form keeps its own, so
// the field can say why the user may not deploy there.
func pickNamespace(current, remembered string, offered []string) string {
	for _, n := range []string{current, remembered, "default"} {
		if n != "" && slices.Contains(offered, n) {
			return n
		}
	}
	if len(offered) > 0 {
		return offered[0]
	}
	if current == "" {
		return remembered
	}
	return current
}

// namespaceProblem says why the user may not create Deployments in ns,
// "" when they may: the reason Kubernetes gave when it is known.
func namespaceProblem(ns string, offered []string, perms nsPermissions) string {
	if ns == "" || slices.Contains(offered, ns) {
		return ""
	}
	if perms.Status == statusLoaded {
		if ok, why := perms.can(shared.ActionCreateDeployments); !ok && why != "" {
			return why
		}
		return "You may now create Deployments in " + ns + ": check your permissions again below."
	}
	return "You may not create Deployments in " + ns + "."
}

// warmUpChecks runs the spec's checks once on a spec wrong in every field:
// the browser compiles WebAssembly functions when they are first called,
// so without it the user's first wrong keystroke would wait for that.
func warmUpChecks() {
	bad := shared.DeploymentSpec{Name: "Web", Namespace: "-", Image: "Nginx:", PullSecret: "-", Port: -1,
		Exposure: shared.ExposePublic, CPURequest: "x", CPULimit: "1", MemoryRequest: "2Gi", MemoryLimit: "1Gi", GPU: -1,
		Env:     []shared.EnvVar{{Name: "1"}, {Name: "A", SecretKeyRef: &shared.KeyRef{}}},
		Volumes: []shared.Volume{{Type: shared.VolumePVC, MountPath: "x"}}}
	err := bad.ValidateFor(shared.DefaultDeploymentConfig())
	_ = shared.FieldError(err, "env", "0", "name")
	_ = bad.Warnings()
}
