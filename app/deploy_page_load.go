package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What the deploy page asks the server. Each call runs in a goroutine and
// hands its outcome to the UI goroutine, which drops it when the page has
// stopped meanwhile.

// appsEvery is how often the user's apps are listed again while the page
// is shown; opPollEvery how often an operation is asked for while the
// socket does not bring its states.
const (
	appsEvery   = 5 * time.Second
	opPollEvery = 1500 * time.Millisecond
)

// loadOptions asks for the cluster's settings for the wizard and the
// namespaces the user may deploy to.
func (p *deployPage) loadOptions() {
	if p.optStatus != statusLoaded {
		p.optStatus = statusLoading
	}
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		opts, err := apiGet[shared.DeploymentOptions](stop, api, "/deployments/config")
		ui.Dispatch(func(ctx app.Context) { p.optionsLoaded(ctx, opts, err) })
	})
}

// optionsLoaded takes the settings: the form is checked against them, in
// a namespace the user may deploy to when there is one.
func (p *deployPage) optionsLoaded(ctx app.Context, opts shared.DeploymentOptions, err error) {
	if !p.running || errors.Is(err, context.Canceled) {
		return
	}
	if err != nil {
		if p.optStatus != statusLoaded {
			p.optStatus, p.optErr = statusFailed, err.Error()
		}
		return
	}
	p.options, p.optStatus, p.optErr = opts, statusLoaded, ""
	if p.form.Spec.Exposure == "" { // not started (native tests): a new form
		p.form = newDeployForm(opts.Config, p.remembered)
	}
	if ns := pickNamespace(p.form.Spec.Namespace, p.remembered, opts.Namespaces); ns != p.form.Spec.Namespace && !p.editing.active() {
		p.form.own()
		p.form.Spec.Namespace = ns
	}
	p.recheckForm()
	if ns := p.form.Spec.Namespace; ns != "" && p.perms != nil {
		p.perms.ensure(ctx, ns)
	}
	if p.form.Step == stepReview {
		p.validate()
	}
}

func (p *deployPage) retryOptions(ctx app.Context, e app.Event) { p.loadOptions() }

// recheckForm checks the form against the settings and the user's
// permissions in its namespace as they are known now.
func (p *deployPage) recheckForm() {
	cfg := p.options.Config
	if p.optStatus != statusLoaded {
		cfg = shared.DefaultDeploymentConfig()
	}
	problem := ""
	if p.optStatus == statusLoaded && !p.editing.active() { // an app edited stays where it is
		ns := p.form.Spec.Namespace
		problem = namespaceProblem(ns, p.options.Namespaces, p.known.of(ns))
	}
	p.form = p.form.withConfig(cfg, problem)
}

// permissionsChanged follows what the permission store learnt: the
// namespace field says why the user may not deploy there.
func (p *deployPage) permissionsChanged() {
	if p.optStatus == statusLoaded {
		p.recheckForm()
	}
}

// loadApps lists the user's apps. A background refresh is quiet: when it
// fails the list stays, with a note.
func (p *deployPage) loadApps(background bool) {
	if !p.running {
		return
	}
	var opts []callOption
	if background {
		opts = append(opts, quiet())
	}
	if p.apps.Status != statusLoaded {
		p.apps.Status = statusLoading
	}
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		apps, err := apiGet[[]shared.DeployedApp](stop, api, "/deployments", opts...)
		ui.Dispatch(func(ctx app.Context) {
			if p.running && !errors.Is(err, context.Canceled) {
				p.apps.listed(apps, err, time.Now())
			}
		})
	})
}

// pollApps lists the apps every appsEvery until stop, while the tab is
// visible.
func (p *deployPage) pollApps(stop context.Context) {
	t := time.NewTicker(appsEvery)
	defer t.Stop()
	ui := p.ui
	for {
		select {
		case <-stop.Done():
			return
		case <-t.C:
		}
		if app.IsClient && app.Window().Get("document").Get("visibilityState").String() == "hidden" {
			continue
		}
		ui.Dispatch(func(ctx app.Context) { p.loadApps(true) })
	}
}

func (p *deployPage) retryApps(ctx app.Context) { p.loadApps(false) }

// validate asks the server to check the spec with a dry run, for the
// review: its YAML and the API server's verdict on each object (of the
// update, when the wizard edits an app).
func (p *deployPage) validate() {
	if !p.running || p.editing.active() && p.editing.Status != statusLoaded {
		return
	}
	spec := p.form.Spec
	key := specKey(spec)
	p.review = deployReviewState{Status: statusLoading, Spec: key, seq: p.review.seq + 1}
	seq := p.review.seq
	path := "/deployments/validate"
	if e := p.editing; e.active() {
		path = appPath(e.Namespace, e.Name, "/validate")
	}
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		var res shared.DeploymentUpdateCheck
		err := api.post(stop, path, spec, &res)
		ui.Dispatch(func(ctx app.Context) {
			if !p.running || seq != p.review.seq || errors.Is(err, context.Canceled) {
				return
			}
			p.review.reviewed(res.DeploymentValidation, err)
		})
	})
}

func (p *deployPage) retryReview(ctx app.Context) { p.validate() }

// specKey tells specs apart: the review holds the key of the spec it
// checked, so Create is enabled only for that spec.
func specKey(s shared.DeploymentSpec) string {
	b, _ := json.Marshal(s) // plain data always encodes
	return string(b)
}

// canCreate says whether Create is enabled and, when not, why: the review
// must be of the form as it is, and allow every object.
func (p *deployPage) canCreate() (bool, string) {
	r := p.review
	switch {
	case p.creating:
		return false, "Creating…"
	case p.editing.active() && len(p.editing.changes(p.form.Spec)) == 0:
		return false, "Nothing to change: this is how the app runs now."
	case !p.form.valid():
		return false, "Fix the fields marked in the steps above first."
	case r.Status == statusLoading || r.Spec != specKey(p.form.Spec):
		return false, "Waiting for the server's check…"
	case r.Status == statusFailed:
		return false, "The server could not check the app; try again."
	case !r.Result.Valid:
		return false, "The server found errors in the settings; see above."
	case !r.Result.Allowed():
		return false, "Kubernetes would refuse an object; see the verdicts above."
	}
	return true, ""
}

// create sends the spec: the server answers with the operation that
// creates the app (or, when the wizard edits one, updates it), which the
// page then follows.
func (p *deployPage) create(ctx app.Context) {
	if ok, _ := p.canCreate(); !ok || !p.running {
		return
	}
	p.creating, p.review.CreateErr = true, ""
	spec, editing := p.form.Spec, p.editing
	method, path := http.MethodPost, "/deployments"
	if editing.active() {
		method, path = http.MethodPut, appPath(editing.Namespace, editing.Name, "")
	}
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		var rep shared.OperationReply
		err := api.do(stop, method, path, spec, &rep)
		ui.Dispatch(func(ctx app.Context) {
			if !p.running || errors.Is(err, context.Canceled) {
				return
			}
			p.creating = false
			switch {
			case err != nil:
				p.review.refused(err)
			case editing.active():
				p.updated(ctx, rep.Operation)
			default:
				p.created(ctx, rep.Operation)
			}
		})
	})
}

// created shows the progress of the new app and starts a new form (in the
// same namespace); the draft is gone.
func (p *deployPage) created(ctx app.Context, op shared.Operation) {
	p.session.Del(draftStorageKey)
	_ = p.session.Set(operationStorageKey, op.ID) // not kept: a reload shows the wizard
	p.form = newDeployForm(p.options.Config, p.form.Spec.Namespace)
	p.recheckForm()
	p.review = deployReviewState{seq: p.review.seq + 1}
	p.link.toast(ctx, toastInfo, "Creating app "+op.Target.Namespace+"/"+op.Target.Name+"…")
	p.followOperation(op)
	p.focus(ctx, "deploy-progress-title")
}

// resumeOperation asks for the operation the page followed before a
// reload, and follows it on; one that is gone is forgotten.
func (p *deployPage) resumeOperation(id string) {
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		rep, err := apiGet[shared.OperationReply](stop, api, "/operations/"+url.PathEscape(id), quiet())
		ui.Dispatch(func(ctx app.Context) {
			if !p.running || p.progress != nil {
				return
			}
			if err != nil {
				p.session.Del(operationStorageKey)
				return
			}
			p.followOperation(rep.Operation)
		})
	})
}

// followOperation shows op's progress and follows it to its end (see
// followOp).
func (p *deployPage) followOperation(op shared.Operation) {
	if p.follower != nil {
		p.follower.stop()
	}
	prog := newDeployProgress(op)
	p.progress = &prog
	if op.Done() {
		// Followed before a reload, and finished since: the toast was
		// shown then.
		p.follower = nil
		p.loadApps(false)
		return
	}
	var f *opFollower
	f = followOp(p.link, p.ui, p.stopCtx, op.ID, opPollEvery, opHandlers{
		state: func(ctx app.Context, got shared.Operation) { p.operationState(ctx, f, got) },
		lost:  func(ctx app.Context) { p.operationLost(ctx, f) },
	})
	p.follower = f
}

// operationState takes a state of the operation the page follows.
func (p *deployPage) operationState(ctx app.Context, f *opFollower, op shared.Operation) {
	if p.follower != f || p.progress == nil || !p.running {
		return
	}
	if p.progress.apply(op) {
		p.operationEnded(ctx)
	}
}

// operationEnded says how the operation ended and lists the apps again.
func (p *deployPage) operationEnded(ctx app.Context) {
	if p.follower != nil {
		p.follower.stop()
	}
	level, text := p.progress.toast()
	p.link.toast(ctx, level, text)
	p.loadApps(false)
}

// operationLost stops following an operation the server no longer knows
// (it expired, or the server restarted).
func (p *deployPage) operationLost(ctx app.Context, f *opFollower) {
	if p.follower != f {
		return
	}
	f.stop()
	p.session.Del(operationStorageKey)
	p.link.toast(ctx, toastError, "Kubedeck's server no longer knows how the deployment of "+p.progress.app()+
		" went; see My apps or the objects view.")
	p.loadApps(false)
}

// confirmDelete deletes the app the dialog names, as the user, and says
// how it went (a failure's toast comes from the API client).
func (p *deployPage) confirmDelete(ctx app.Context) {
	if p.confirm == nil || p.deleting || !p.running {
		return
	}
	a := *p.confirm
	p.deleting = true
	path := "/deployments/" + url.PathEscape(a.Name) + "?namespace=" + url.QueryEscape(a.Namespace)
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		var out shared.DeletedApp
		err := api.do(stop, http.MethodDelete, path, nil, &out)
		ui.Dispatch(func(ctx app.Context) {
			p.deleting, p.confirm = false, nil
			if err == nil {
				p.link.toast(ctx, toastSuccess, "App "+a.Namespace+"/"+a.Name+" is being deleted ("+targets(out.Deleted)+").")
				p.apps.removed(a)
			}
			p.loadApps(false)
			p.focus(ctx, "deploy-apps-title")
		})
	})
}
