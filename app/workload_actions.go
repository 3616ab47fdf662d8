package main

import (
	"strconv"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// workloadActionsView is the drawer's Scale and Restart for a Deployment
// or StatefulSet: a number of replicas (refused at once when it is not
// one from 0 to shared.MaxScale; Enter scales), the Scale and Restart
// buttons (disabled, with the reason, when the user may not), and the
// progress of the operation started, until it ends.
type workloadActionsView struct {
	app.Compo
	guarded

	Name                       string
	Current                    int // the replicas the spec asks for now
	State                      workloadActions
	CanScale, CanRestart       bool
	WhyNotScale, WhyNotRestart string

	onType    func(ctx app.Context, text string)
	onScale   func(ctx app.Context)
	onRestart func(ctx app.Context)
}

func newWorkloadActions() *workloadActionsView { return &workloadActionsView{} }

// Of names the workload and the replicas its spec asks for.
func (v *workloadActionsView) Of(name string, current int) *workloadActionsView {
	v.Name, v.Current = name, current
	return v
}

// Show sets what the actions know.
func (v *workloadActionsView) Show(s workloadActions) *workloadActionsView { v.State = s; return v }

// Allowed says whether the user may scale and restart, and why not.
func (v *workloadActionsView) Allowed(scale bool, whyNotScale string, restart bool, whyNotRestart string) *workloadActionsView {
	v.CanScale, v.WhyNotScale, v.CanRestart, v.WhyNotRestart = scale, whyNotScale, restart, whyNotRestart
	return v
}

// OnType, OnScale and OnRestart set what typing replicas, Scale (or
// Enter) and Restart do.
func (v *workloadActionsView) OnType(f func(app.Context, string)) *workloadActionsView {
	v.onType = f
	return v
}

func (v *workloadActionsView) OnScale(f func(app.Context)) *workloadActionsView {
	v.onScale = f
	return v
}

func (v *workloadActionsView) OnRestart(f func(app.Context)) *workloadActionsView {
	v.onRestart = f
	return v
}

// Guard sets the error boundary's wrapper for the handlers.
func (v *workloadActionsView) Guard(wrap func(app.EventHandler) app.EventHandler) *workloadActionsView {
	v.setGuard(wrap)
	return v
}

// Render shows the controls and the progress.
func (v *workloadActionsView) Render() app.UI {
	s := v.State
	why := s.replicasError()
	busy := s.busy()
	scaleOK, scaleWhy := v.CanScale, v.WhyNotScale
	if scaleOK && busy {
		scaleOK, scaleWhy = false, "Wait until the change under way ends."
	}
	restartOK, restartWhy := v.CanRestart, v.WhyNotRestart
	if restartOK && busy {
		restartOK, restartWhy = false, "Wait until the change under way ends."
	}
	described := "kd-scale-hint"
	if why != "" {
		described = "kd-scale-error"
	}
	input := app.Input().Type("number").ID("kd-scale-replicas").Class("kd-input kd-scale-input").
		Attr("min", 0).Attr("max", shared.MaxScale).Attr("step", 1).Attr("inputmode", "numeric").
		Value(s.typed(v.Current)).Aria("invalid", why != "").Aria("describedby", described).
		OnInput(v.guard(v.typeReplicas)).OnKeyDown(v.guard(v.key))
	if !v.CanScale {
		input = input.Disabled(true)
	}
	scale := newGuardedButton("kd-scale", "Scale").Allowed(scaleOK && why == "", scaleWhy).OnClick(v.guard(v.scale))
	if scaleOK && why != "" {
		scale = scale.Allowed(false, why).ReasonHidden()
	}
	return app.Section().ID("kd-workload-actions").Class("kd-workload-actions").Aria("label", "Scale and restart "+v.Name).Body(
		app.Div().Class("kd-scale").Body(
			app.Label().For("kd-scale-replicas").Text("Replicas"),
			input,
			scale.UI(),
			newGuardedButton("kd-restart", "Restart").Allowed(restartOK, restartWhy).OnClick(v.guard(v.restart)).UI(),
		),
		app.If(why != "", func() app.UI {
			return app.P().ID("kd-scale-error").Class("kd-field-error").Role("alert").Text(why)
		}).Else(func() app.UI {
			return app.P().ID("kd-scale-hint").Class("kd-muted").Text("From 0 to " + strconv.Itoa(shared.MaxScale) + "; Enter scales.")
		}),
		app.If(s.op != nil, func() app.UI { return workloadProgress(*s.op) }),
	)
}

// workloadProgress shows a scale or restart as its operation goes: its
// steps, the replicas ready and its last word.
func workloadProgress(p deployProgress) app.UI {
	phase := p.rolloutPhase()
	if phase == "" && p.succeeded() {
		phase = shared.PhaseAvailable
	}
	return app.Div().ID("kd-workload-progress").Class("kd-progress").
		DataSet("op", string(p.Op.Phase)).DataSet("phase", string(phase)).Aria("busy", !p.done()).Body(
		app.P().ID("kd-workload-status").Role("status").Text(p.Op.Message),
		app.Ol().Class("kd-op-steps").Body(app.Range(p.Op.Steps).Slice(func(i int) app.UI {
			return opStepItem(p.Op.Kind, p.Op.Steps[i], p.Op.Steps[i].Message)
		})),
		app.If(p.rolloutReplicas() != "", func() app.UI {
			return app.P().ID("kd-workload-replicas").Text(p.rolloutReplicas())
		}),
	)
}

func (v *workloadActionsView) typeReplicas(ctx app.Context, e app.Event) {
	if v.onType != nil {
		v.onType(ctx, ctx.JSSrc().Get("value").String())
	}
}

func (v *workloadActionsView) key(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Enter" {
		e.PreventDefault()
		v.scale(ctx, e)
	}
}

func (v *workloadActionsView) scale(ctx app.Context, e app.Event) {
	if v.CanScale && !v.State.busy() {
		callIfSet(v.onScale, ctx)
	}
}

func (v *workloadActionsView) restart(ctx app.Context, e app.Event) { callIfSet(v.onRestart, ctx) }
