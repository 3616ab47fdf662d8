package main

import (
	"strconv"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// deployWizard shows the deployment form one step at a time: a step bar
// that marks the steps with errors, the fields of the current step with
// their errors and warnings beside them, and Back, Next and Start over.
// The form's state is the page's (deployForm); the wizard reports each
// change through its callbacks.
type deployWizard struct {
	app.Compo
	guarded

	Form    deployForm
	Choices []nsChoice
	NextOK  bool
	NextWhy string
	// The review, and whether Create is enabled (and why not).
	Check     deployReviewState
	CreateOK  bool
	CreateWhy string
	Creating  bool
	// Edit is set when the wizard edits an app: its name and namespace are
	// fixed, and Changes is what the form changes of it.
	Edit    bool
	Changes []shared.SpecChange

	onEdit   func(ctx app.Context, path, value string)
	onRow    func(ctx app.Context, action string, i int)
	onStep   func(ctx app.Context, s wizardStep)
	onReset  func(ctx app.Context)
	onCreate func(ctx app.Context)
	onRetry  func(ctx app.Context)
}

// nsChoice is a namespace the wizard offers, and whether the user may
// deploy there.
type nsChoice struct {
	Name    string
	Allowed bool
}

func newDeployWizard() *deployWizard { return &deployWizard{} }

// Show sets the form shown.
func (w *deployWizard) Show(f deployForm) *deployWizard { w.Form = f; return w }

// Namespaces sets the namespaces offered.
func (w *deployWizard) Namespaces(c []nsChoice) *deployWizard { w.Choices = c; return w }

// Next says whether Next is enabled and, when not, why.
func (w *deployWizard) Next(ok bool, why string) *deployWizard {
	w.NextOK, w.NextWhy = ok, why
	return w
}

// Review sets what the server said of the spec.
func (w *deployWizard) Review(r deployReviewState) *deployWizard { w.Check = r; return w }

// Create says whether Create is enabled and, when not, why.
func (w *deployWizard) Create(ok bool, why string, creating bool) *deployWizard {
	w.CreateOK, w.CreateWhy, w.Creating = ok, why, creating
	return w
}

// Editing says the wizard edits an app, and what the form changes of it.
func (w *deployWizard) Editing(on bool, changes []shared.SpecChange) *deployWizard {
	w.Edit, w.Changes = on, changes
	return w
}

// OnEdit sets what a field's change does: path names the field ("name",
// "env.0.value"), value is what was typed ("true"/"false" for a box).
func (w *deployWizard) OnEdit(f func(ctx app.Context, path, value string)) *deployWizard {
	w.onEdit = f
	return w
}

// OnRow sets what adding or removing a variable or a volume does
// (action: addEnv, removeEnv, pasteEnv, addVolume, removeVolume).
func (w *deployWizard) OnRow(f func(ctx app.Context, action string, i int)) *deployWizard {
	w.onRow = f
	return w
}

// OnStep sets what going to a step does.
func (w *deployWizard) OnStep(f func(ctx app.Context, s wizardStep)) *deployWizard {
	w.onStep = f
	return w
}

// OnReset sets what Start over does.
func (w *deployWizard) OnReset(f func(app.Context)) *deployWizard { w.onReset = f; return w }

// OnCreate sets what Create does.
func (w *deployWizard) OnCreate(f func(app.Context)) *deployWizard { w.onCreate = f; return w }

// OnRetryReview sets what checking again after a failed review does.
func (w *deployWizard) OnRetryReview(f func(app.Context)) *deployWizard { w.onRetry = f; return w }

// Guard sets the error boundary's wrapper for the wizard's handlers.
func (w *deployWizard) Guard(wrap func(app.EventHandler) app.EventHandler) *deployWizard {
	w.setGuard(wrap)
	return w
}

// Render shows the step bar and the current step.
func (w *deployWizard) Render() app.UI {
	cur := w.Form.Step
	return app.Div().ID("deploy-wizard").Class("kd-card kd-wizard").DataSet("step", cur.name()).Body(
		w.stepBar(),
		app.Form().ID("deploy-form").Class("kd-wizard-form").Attr("novalidate", true).
			Aria("labelledby", "deploy-step-title").OnSubmit(w.guard(w.submit)).Body(
			app.H2().ID("deploy-step-title").TabIndex(-1).
				Text("Step "+strconv.Itoa(int(cur)+1)+" of "+strconv.Itoa(len(wizardSteps))+": "+cur.title()),
			w.step(cur),
			w.actions(),
		),
	)
}

// step is the fields of step s.
func (w *deployWizard) step(s wizardStep) app.UI {
	switch s {
	case stepExposure:
		return w.exposureStep()
	case stepResources:
		return w.resourcesStep()
	case stepCommand:
		return w.commandStep()
	case stepVolumes:
		return w.volumesStep()
	case stepReview:
		return newDeployReview().Show(w.Check).Create(w.CreateOK, w.CreateWhy, w.Creating).Editing(w.Edit, w.Changes).
			OnCreate(w.onCreate).OnRetry(w.onRetry).Guard(w.wrap)
	}
	return w.basicsStep()
}

// stepBar lists the steps: the current one, those with errors, and those
// the user may not reach yet (disabled).
func (w *deployWizard) stepBar() app.UI {
	f := w.Form
	return app.Nav().Class("kd-steps-nav").Aria("label", "Steps").Body(
		app.Ol().Class("kd-steps").Body(app.Range(wizardSteps).Slice(func(i int) app.UI {
			s := wizardSteps[i]
			class, state := "kd-step", ""
			switch marked := f.marked(s); {
			case s == f.Step && marked:
				class, state = class+" kd-step-current kd-step-error", " (current step, has errors)"
			case s == f.Step:
				class, state = class+" kd-step-current", " (current step)"
			case marked:
				class, state = class+" kd-step-error", " (has errors)"
			}
			b := app.Button().Type("button").ID("deploy-step-"+s.name()).Class(class).
				DataSet("errors", f.marked(s)).
				OnClick(w.guard(w.toStep(s)), app.EventScope("step-"+s.name()))
			if s == f.Step {
				b = b.Aria("current", "step")
			}
			if !f.canReach(s) {
				b = b.Disabled(true)
			}
			return app.Li().Body(b.Body(
				app.Span().Class("kd-step-num").Aria("hidden", "true").Text(strconv.Itoa(i+1)),
				app.Span().Class("kd-step-title").Text(s.title()),
				app.Span().Class("kd-sr-only").Text(state),
			))
		})),
	)
}

// actions are Back, Next (disabled with its reason beside it while the
// step has errors) and Start over.
func (w *deployWizard) actions() app.UI {
	f := w.Form
	back := disabledIf(app.Button().Type("button").ID("deploy-back").Class("kd-button"), f.Step == stepBasics).
		OnClick(w.guard(w.back)).Text("‹ Back")
	reset := app.Button().Type("button").ID("deploy-reset").Class("kd-button kd-danger").
		Title("Empty the form and forget what was typed").OnClick(w.guard(w.reset)).Text("Start over")
	if w.Edit {
		reset = app.Button().Type("button").ID("deploy-reset").Class("kd-button kd-danger").
			Title("Put back the settings the app runs with").OnClick(w.guard(w.reset)).Text("Undo my changes")
	}
	var next app.UI = app.Text("")
	if f.Step < stepReview {
		label := "Next: " + (f.Step + 1).title() + " ›"
		b := app.Button().Type("submit").ID("deploy-next").Class("kd-button kd-primary").Text(label)
		if w.NextOK {
			next = b
		} else {
			next = app.Span().Class("kd-guarded").Body(
				b.Disabled(true).Title(w.NextWhy).Aria("describedby", "deploy-next-reason"),
				app.Span().ID("deploy-next-reason").Class("kd-guard-reason").Text(w.NextWhy),
			)
		}
	}
	return app.Div().Class("kd-wizard-actions").Body(back, next, reset)
}

// submit is Enter in a field, or Next: the next step, when allowed.
func (w *deployWizard) submit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	if w.NextOK && w.Form.Step < stepReview && w.onStep != nil {
		w.onStep(ctx, w.Form.Step+1)
	}
}

func (w *deployWizard) back(ctx app.Context, e app.Event) {
	if w.Form.Step > stepBasics && w.onStep != nil {
		w.onStep(ctx, w.Form.Step-1)
	}
}

func (w *deployWizard) toStep(s wizardStep) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if w.onStep != nil {
			w.onStep(ctx, s)
		}
	}
}

func (w *deployWizard) reset(ctx app.Context, e app.Event) { callIfSet(w.onReset, ctx) }

// wrap is the wizard's guard, handed to its parts.
func (w *deployWizard) wrap(h app.EventHandler) app.EventHandler { return w.guard(h) }
