package main

import (
	"strconv"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What the user does on the deploy page. Every change of the form is
// checked at once, in the browser, and kept in sessionStorage; nothing is
// sent to the server until the review.

// edit takes a value typed or chosen in the wizard's field at path.
func (p *deployPage) edit(ctx app.Context, path, value string) {
	if p.editing.active() && (path == "name" || path == "namespace") {
		return // an app keeps its name and namespace
	}
	p.form.set(path, value)
	if path == "namespace" {
		p.remember(ctx, value)
		p.recheckForm()
	}
	p.saveDraft()
}

// rowAction adds or removes a variable or a volume, or adds the pasted
// variables.
func (p *deployPage) rowAction(ctx app.Context, action string, i int) {
	switch action {
	case "addEnv":
		p.form.addEnv()
		p.focus(ctx, "deploy-env-"+strconv.Itoa(len(p.form.Spec.Env)-1)+"-name")
	case "removeEnv":
		p.form.removeEnv(i)
		p.focus(ctx, "deploy-env-add")
	case "pasteEnv":
		p.form.pasteEnv()
	case "addVolume":
		p.form.addVolume()
		p.focus(ctx, "deploy-volumes-"+strconv.Itoa(len(p.form.Spec.Volumes)-1)+"-type")
	case "removeVolume":
		p.form.removeVolume(i)
		p.focus(ctx, "deploy-volume-add")
	default:
		return
	}
	p.saveDraft()
}

// goStep shows step s, when the fields before it are valid; the review
// asks the server to check the spec.
func (p *deployPage) goStep(ctx app.Context, s wizardStep) {
	if !p.form.goTo(s) {
		return
	}
	p.saveDraft()
	if s == stepReview && p.review.Spec != specKey(p.form.Spec) {
		p.validate()
	}
	p.focus(ctx, "deploy-step-title")
}

// startOver empties the form (keeping the namespace) and forgets the
// draft; when the wizard edits an app, it puts back the spec the app runs.
func (p *deployPage) startOver(ctx app.Context) {
	if p.editing.active() {
		p.form = formFromSpec(p.editing.Current, p.options.Config)
		p.recheckForm()
		p.review = deployReviewState{seq: p.review.seq + 1}
		if p.session != nil {
			p.session.Del(editDraftStorageKey)
		}
		p.focus(ctx, "deploy-image")
		return
	}
	p.form = newDeployForm(p.options.Config, p.form.Spec.Namespace)
	p.recheckForm()
	p.review = deployReviewState{seq: p.review.seq + 1}
	if p.session != nil {
		p.session.Del(draftStorageKey)
	}
	p.focus(ctx, "deploy-name")
}

// deployAnother leaves the progress view for the wizard.
func (p *deployPage) deployAnother(ctx app.Context) {
	p.leaveProgress()
	p.focus(ctx, "deploy-name")
}

// leaveProgress stops following the operation shown and forgets it.
func (p *deployPage) leaveProgress() {
	if p.follower != nil {
		p.follower.stop()
		p.follower = nil
	}
	p.progress = nil
	if p.session != nil {
		p.session.Del(operationStorageKey)
	}
}

// saveDraft keeps the form in sessionStorage, so that it survives a
// reload.
func (p *deployPage) saveDraft() {
	if p.session == nil {
		return
	}
	var key string
	var draft any
	switch e := p.editing; {
	case !e.active():
		key, draft = draftStorageKey, p.form
	case e.Status == statusLoaded:
		key, draft = editDraftStorageKey, editDraft{Namespace: e.Namespace, Name: e.Name, Form: p.form}
	default:
		return
	}
	if err := p.session.Set(key, draft); err != nil && p.ui.Src() != nil {
		p.link.toast(p.ui, toastError, "The form could not be kept for a reload: "+err.Error())
	}
}

// remember makes namespace the one chosen next time and checks the user's
// permissions there.
func (p *deployPage) remember(ctx app.Context, namespace string) {
	if namespace == "" {
		return
	}
	p.remembered = namespace
	if p.local != nil {
		_ = p.local.Set(namespaceStorageKey, namespace) // not remembered: chosen again next time
	}
	if p.perms != nil {
		p.perms.ensure(ctx, namespace)
	}
}

// recheck asks Kubernetes again what the user may do in the namespace, and
// the server again where they may deploy.
func (p *deployPage) recheck(ctx app.Context, e app.Event) {
	if p.perms != nil {
		p.perms.refresh(ctx, p.form.Spec.Namespace)
	}
	if p.running {
		p.loadOptions()
	}
}

// askDelete opens the confirmation for deleting one of the user's apps.
func (p *deployPage) askDelete(ctx app.Context, a shared.DeployedApp) {
	p.confirm = &a
	p.focus(ctx, "kd-confirm-cancel")
}

func (p *deployPage) cancelDelete(ctx app.Context) {
	p.confirm = nil
	p.focus(ctx, "deploy-apps-title")
}

// focus moves the focus to the element with id once the update is
// rendered. It defers on the page's own context while the page runs: the
// element the event came from may be gone after the update (a row's
// Remove), and go-app drops what such a context defers.
func (p *deployPage) focus(ctx app.Context, id string) {
	if p.running {
		ctx = p.ui
	}
	focusLater(ctx, id)
}
