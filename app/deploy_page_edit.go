package main

import (
	"context"
	"errors"
	"net/url"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Editing an app the wizard made: My apps' Edit opens the wizard on the
// spec the app runs (/apps/deploy?edit={namespace}/{name}, so a reload
// reads it again), its name and namespace fixed; the review shows what
// changes, and Apply sends PUT /deployments/{name}, followed as a create
// is. Unsaved edits are kept in sessionStorage as the create draft is.

// appPath is the API path of app namespace/name, with suffix
// ("/validate") after its name.
func appPath(namespace, name, suffix string) string {
	return "/deployments/" + url.PathEscape(name) + suffix + "?namespace=" + url.QueryEscape(namespace)
}

// openEdit opens the wizard on app a, from My apps.
func (p *deployPage) openEdit(ctx app.Context, a shared.DeployedApp) {
	p.leaveProgress()
	p.editing = deployEdit{Namespace: a.Namespace, Name: a.Name}
	p.review = deployReviewState{seq: p.review.seq + 1}
	replaceQuery(ctx, p.editing.query())
	p.loadEdit()
	p.focus(ctx, "deploy-edit-title")
}

// loadEdit reads the spec the app being edited runs.
func (p *deployPage) loadEdit() {
	if !p.running || !p.editing.active() {
		return
	}
	e := p.editing
	p.editing.Status, p.editing.Err = statusLoading, ""
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		d, err := apiGet[shared.DeploymentDetails](stop, api, appPath(e.Namespace, e.Name, ""))
		ui.Dispatch(func(ctx app.Context) { p.editLoaded(e, d, err) })
	})
}

func (p *deployPage) retryEdit(ctx app.Context, e app.Event) { p.loadEdit() }

// editLoaded takes the app's spec: the form starts from it, or from the
// draft of unsaved edits of the same app.
func (p *deployPage) editLoaded(e deployEdit, d shared.DeploymentDetails, err error) {
	if !p.running || p.editing.app() != e.app() || errors.Is(err, context.Canceled) {
		return
	}
	switch {
	case err != nil:
		p.editing.Status, p.editing.Err = statusFailed, err.Error()
		return
	case d.Spec == nil:
		p.editing.Status = statusFailed
		p.editing.Err = "Kubedeck keeps no spec for it: it was not made with the wizard, so the wizard cannot edit it."
		return
	}
	p.editing.Status, p.editing.Current = statusLoaded, *d.Spec
	p.editing.Current.Name, p.editing.Current.Namespace = e.Name, e.Namespace
	var draft *editDraft
	if p.session != nil {
		_ = p.session.Get(editDraftStorageKey, &draft) // none, or unreadable: the app's spec
	}
	if e.is(draft) {
		p.form = draft.Form.sanitized()
		p.form.Spec.Name, p.form.Spec.Namespace = e.Name, e.Namespace
	} else {
		p.form = formFromSpec(p.editing.Current, p.options.Config)
	}
	p.recheckForm()
	if p.form.Step == stepReview {
		p.validate()
	}
}

// stopEditing leaves the app's edits for the wizard that makes apps,
// with its draft.
func (p *deployPage) stopEditing(ctx app.Context, ev app.Event) {
	p.endEdit(ctx)
	p.focus(ctx, "deploy-name")
}

// endEdit forgets the edit and its draft and puts the create form back.
func (p *deployPage) endEdit(ctx app.Context) {
	p.editing = deployEdit{}
	if p.session != nil {
		p.session.Del(editDraftStorageKey)
	}
	replaceQuery(ctx, "")
	p.form = p.createForm()
	p.recheckForm()
	p.review = deployReviewState{seq: p.review.seq + 1}
}

// createForm is the form of a new app: its draft, or an empty one.
func (p *deployPage) createForm() deployForm {
	var draft *deployForm
	if p.session != nil {
		_ = p.session.Get(draftStorageKey, &draft) // none, or unreadable: a new form
	}
	if draft != nil {
		return draft.sanitized()
	}
	cfg := p.options.Config
	if p.optStatus != statusLoaded {
		cfg = shared.DefaultDeploymentConfig()
	}
	return newDeployForm(cfg, p.remembered)
}

// updated shows the progress of the update the server started; the edit
// and its draft are done with.
func (p *deployPage) updated(ctx app.Context, op shared.Operation) {
	name := p.editing.app()
	p.endEdit(ctx)
	_ = p.session.Set(operationStorageKey, op.ID) // not kept: a reload shows the wizard
	p.link.toast(ctx, toastInfo, "Updating app "+name+"…")
	p.followOperation(op)
	p.focus(ctx, "deploy-progress-title")
}

// rollbackShown asks to roll back the app the progress view shows.
func (p *deployPage) rollbackShown(ctx app.Context) {
	if p.progress == nil {
		return
	}
	t := p.progress.Op.Target
	p.askRollback(ctx, shared.DeployedApp{Namespace: t.Namespace, Name: t.Name})
}

// editBanner says which app the wizard edits, with Stop editing.
func (p *deployPage) editBanner() app.UI {
	return app.Div().ID("deploy-edit").Class("kd-notice").Body(
		app.P().ID("deploy-edit-title").TabIndex(-1).Body(
			app.Text("You are editing app "), app.Strong().Text(p.editing.app()),
			app.Text(": the review shows what changes, and nothing changes until you apply it."),
		),
		app.Button().Type("button").ID("deploy-edit-stop").Class("kd-button").
			OnClick(p.guard(p.stopEditing), app.EventScope("stop-edit")).Text("Stop editing"),
	)
}

// editState is what stands in for the wizard while the app's spec is
// read, or when it could not be.
func (p *deployPage) editState() app.UI {
	if p.editing.Status == statusFailed {
		return app.Div().ID("deploy-edit-failed").Class("kd-state kd-state-failed kd-card").Role("alert").Body(
			app.P().Text("App "+p.editing.app()+" could not be opened for editing: "+p.editing.Err),
			app.Button().Type("button").Class("kd-button kd-retry").OnClick(p.guard(p.retryEdit), app.EventScope("retry-edit")).Text("Retry"),
			app.Button().Type("button").ID("deploy-edit-stop").Class("kd-button").
				OnClick(p.guard(p.stopEditing), app.EventScope("stop-edit")).Text("Deploy a new app instead"),
		)
	}
	return app.P().ID("deploy-edit-loading").Class("kd-state kd-state-loading").Aria("busy", "true").
		Text("Reading the settings app " + p.editing.app() + " runs with…")
}
