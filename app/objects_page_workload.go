package main

import (
	"net/url"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The drawer's Scale and Restart of a Deployment or StatefulSet: each
// starts an operation as the user, followed (followOp) until it ends with
// a toast; the API client toasts a refusal with the server's message.

// The actions /me names for a scale and a restart, per kind.
var (
	scaleAction   = map[string]string{"deployments": shared.ActionScaleDeployments, "statefulsets": shared.ActionScaleStatefulSets}
	restartAction = map[string]string{"deployments": shared.ActionRestartDeployments, "statefulsets": shared.ActionRestartStatefulSets}
)

// workloadTools is the drawer's Scale and Restart, for a workload whose
// detail is loaded; nil for other kinds.
func (p *objectsPage) workloadTools(k shared.KindInfo) app.UI {
	if !scalable(k.Name) || p.drawer.state != statusLoaded {
		return nil
	}
	perms := p.known.of(p.view.drawerNamespace())
	canScale, whyScale := perms.can(scaleAction[k.Name])
	canRestart, whyRestart := perms.can(restartAction[k.Name])
	return newWorkloadActions().Of(p.view.Name, specReplicas(p.drawer.detail.Spec)).Show(p.work).
		Allowed(canScale, whyScale, canRestart, whyRestart).
		OnType(p.typeReplicas).OnScale(p.scaleWorkload).OnRestart(p.askRestart).Guard(p.wrap)
}

// pointWorkload points the actions at the object the drawer shows; the
// following of an operation on another one ends (its toast still comes
// from the server's state when the drawer opens it again).
func (p *objectsPage) pointWorkload() {
	key := p.drawerKey()
	if p.work.key == key {
		return
	}
	if p.workFollower != nil {
		p.workFollower.stop()
		p.workFollower = nil
	}
	p.work.reset(key)
}

func (p *objectsPage) typeReplicas(ctx app.Context, text string) { p.work.typing(text) }

// scaleWorkload asks the server to scale the drawer's workload to the
// replicas typed; what is not a number from 0 to shared.MaxScale is
// refused here, with the field's message.
func (p *objectsPage) scaleWorkload(ctx app.Context) {
	n, why := parseReplicas(p.work.typed(specReplicas(p.drawer.detail.Spec)))
	if why != "" || p.work.busy() || !p.running {
		return
	}
	p.startWorkloadOp(ctx, "scale", shared.ScaleRequest{Replicas: &n})
}

// askRestart opens the restart's confirmation.
func (p *objectsPage) askRestart(ctx app.Context) {
	if p.work.busy() {
		return
	}
	p.work.asking = true
	p.focus.set("kd-restart")
	focusLater(p.later(ctx), "kd-confirm-cancel")
}

func (p *objectsPage) cancelRestart(ctx app.Context) {
	p.work.asking = false
	p.focusBack(ctx)
}

// confirmRestart restarts the drawer's workload as the user.
func (p *objectsPage) confirmRestart(ctx app.Context) {
	if !p.work.asking || p.work.busy() || !p.running {
		return
	}
	p.startWorkloadOp(ctx, "restart", nil)
}

// startWorkloadOp sends the scale or restart (action) and follows the
// operation the server starts.
func (p *objectsPage) startWorkloadOp(ctx app.Context, action string, body any) {
	key := p.work.key
	path := objectPath(p.view.Kind, p.view.drawerNamespace(), p.view.Name) + "/" + url.PathEscape(action)
	p.work.sending = true
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		var rep shared.OperationReply
		err := api.post(stop, path, body, &rep)
		ui.Dispatch(func(ctx app.Context) {
			if p.work.key != key {
				return
			}
			p.work.sending = false
			if p.work.asking {
				p.work.asking = false
				p.focusBack(ctx)
			}
			if err != nil {
				return // the API client toasted the server's message
			}
			p.followWorkloadOp(rep.Operation)
		})
	})
}

// followWorkloadOp shows op's progress in the drawer and follows it to
// its end.
func (p *objectsPage) followWorkloadOp(op shared.Operation) {
	prog := newDeployProgress(op)
	p.work.op = &prog
	if p.workFollower != nil {
		p.workFollower.stop()
	}
	var f *opFollower
	f = followOp(p.Link, p.ui, p.stopCtx, op.ID, opPollEvery, opHandlers{
		state: func(ctx app.Context, got shared.Operation) {
			if p.workFollower != f || p.work.op == nil {
				return
			}
			// A new value, not a change through the pointer: go-app
			// updates the drawer only when its props differ.
			next := *p.work.op
			finished := next.apply(got)
			p.work.op = &next
			if !finished {
				return
			}
			f.stop()
			level, text := workloadToast(got)
			p.Link.toast(ctx, level, text)
		},
		lost: func(ctx app.Context) {
			if p.workFollower != f {
				return
			}
			f.stop()
			p.Link.toast(ctx, toastError, "Kubedeck's server no longer knows how the change of "+op.Target.Name+" went; see its pods.")
		},
	})
	p.workFollower = f
}
