package main

import (
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// deployProgressView shows the deployment of an app as its operation
// goes: each step with its phase, the replicas ready, why the rollout is
// stuck, what was created (and removed again on failure), the app's
// address and a link to its objects.
type deployProgressView struct {
	app.Compo
	guarded

	State deployProgress
	Base  string

	onAgain    func(ctx app.Context)
	onRollback func(ctx app.Context)
}

func newDeployProgressView() *deployProgressView { return &deployProgressView{} }

// Show sets the operation's state.
func (v *deployProgressView) Show(p deployProgress) *deployProgressView { v.State = p; return v }

// BasePath sets the prefix of the links.
func (v *deployProgressView) BasePath(base string) *deployProgressView { v.Base = base; return v }

// OnAgain sets what "Deploy another app" does.
func (v *deployProgressView) OnAgain(f func(app.Context)) *deployProgressView {
	v.onAgain = f
	return v
}

// OnRollback sets what Roll back, offered once an update ended, does (it
// asks first).
func (v *deployProgressView) OnRollback(f func(app.Context)) *deployProgressView {
	v.onRollback = f
	return v
}

// Guard sets the error boundary's wrapper for the view's handlers.
func (v *deployProgressView) Guard(wrap func(app.EventHandler) app.EventHandler) *deployProgressView {
	v.setGuard(wrap)
	return v
}

// Render shows the progress.
func (v *deployProgressView) Render() app.UI {
	p := v.State
	doing, done := "Deploying", "deployed"
	switch p.Op.Kind {
	case shared.OperationRollback:
		doing, done = "Rolling back", "rolled back"
	case shared.OperationUpdate:
		doing, done = "Updating", "updated"
	}
	title := doing + " " + p.app() + "…"
	switch {
	case p.succeeded():
		title = p.app() + " is available"
	case p.done():
		title = p.app() + " was not " + done
	}
	phase := p.rolloutPhase()
	o := p.Outcome
	return app.Section().ID("deploy-progress").Class("kd-card kd-progress").
		DataSet("op", string(p.Op.Phase)).DataSet("phase", string(phase)).
		Aria("busy", !p.done()).Aria("labelledby", "deploy-progress-title").Body(
		app.H2().ID("deploy-progress-title").TabIndex(-1).Text(title),
		app.P().ID("deploy-progress-status").Role("status").Text(p.Op.Message),
		app.Ol().Class("kd-op-steps").Body(app.Range(p.Op.Steps).Slice(func(i int) app.UI {
			return opStepItem(p.Op.Kind, p.Op.Steps[i], p.stepMessage(p.Op.Steps[i]))
		})),
		app.Dl().Class("kd-facts").Body(
			app.If(phase != "", func() app.UI { return fact("Rollout", phaseBadge(phase)) }),
			app.If(p.replicas() != "", func() app.UI {
				return fact("Replicas", app.Span().ID("deploy-progress-replicas").Text(p.replicas()))
			}),
			app.If(p.stuckReason() != "", func() app.UI {
				term := "Why it waits"
				if p.done() {
					term = "Why it stopped"
				}
				return fact(term, app.Span().ID("deploy-progress-reason").Text(p.stuckReason()))
			}),
			app.If(len(o.Created) > 0, func() app.UI { return fact("Created", app.Text(targets(o.Created))) }),
			app.If(o.Failed != nil, func() app.UI {
				return fact("Failed", app.Text(targets([]shared.OperationTarget{*o.Failed})))
			}),
			app.If(len(o.RolledBack) > 0, func() app.UI { return fact("Removed again", app.Text(targets(o.RolledBack))) }),
			app.If(p.url() != "", func() app.UI {
				return fact("Address", app.A().ID("deploy-progress-url").Href(p.url()).
					Attr("target", "_blank").Attr("rel", "noopener noreferrer").OnClick(leaveApp).Text(p.url()))
			}),
		),
		app.Div().Class("kd-wizard-actions").Body(
			app.A().ID("deploy-progress-objects").Class("kd-button").Href(p.objectsLink(v.Base)).Text("See its objects"),
			app.If(p.Op.Kind == shared.OperationUpdate && p.done(), func() app.UI {
				return app.Button().Type("button").ID("deploy-progress-rollback").Class("kd-button").
					Aria("label", "Roll app "+p.app()+" back to the revision before this update").
					OnClick(v.guard(v.rollback), app.EventScope("rollback")).Text("Roll back")
			}),
			app.Button().Type("button").ID("deploy-again").Class("kd-button").
				OnClick(v.guard(v.again), app.EventScope("again")).Text("Deploy another app"),
		),
	)
}

// opStepItem is one step of the operation: a mark and its phase in words,
// and its message.
func opStepItem(kind shared.OperationKind, s shared.OperationStep, message string) app.UI {
	mark := map[shared.OperationPhase]string{shared.OperationPending: "○", shared.OperationRunning: "◐",
		shared.OperationSucceeded: "✓", shared.OperationFailed: "✗"}[s.Phase]
	return app.Li().Class("kd-op-step kd-op-"+string(s.Phase)).DataSet("step", s.Name).DataSet("phase", string(s.Phase)).Body(
		app.Span().Class("kd-op-mark").Aria("hidden", "true").Text(mark),
		app.Span().Class("kd-op-title").Text(stepTitle(kind, s.Name)),
		app.Span().Class("kd-sr-only").Text(" ("+string(s.Phase)+")"),
		app.If(message != "", func() app.UI { return app.Span().Class("kd-op-message").Text(message) }),
	)
}

func (v *deployProgressView) again(ctx app.Context, e app.Event) { callIfSet(v.onAgain, ctx) }

func (v *deployProgressView) rollback(ctx app.Context, e app.Event) { callIfSet(v.onRollback, ctx) }
