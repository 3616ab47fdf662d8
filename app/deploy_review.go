package main

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// deployReviewState is the wizard's last step: what the server said of the
// spec (POST /deployments/validate), and why it refused to create it.
type deployReviewState struct {
	Status loadStatus
	// Spec is the key (specKey) of the spec checked.
	Spec   string
	Result shared.DeploymentValidation
	Err    string // why the check failed
	// Problems are the server's field errors, when it found the spec not
	// valid (its rules are the form's, but its configuration may be newer).
	Problems []fieldProblem
	// CreateErr is why the server refused to create the app.
	CreateErr string

	seq int // drops the answer of a check a newer one overtook
}

// reviewed takes the server's answer to the check.
func (r *deployReviewState) reviewed(res shared.DeploymentValidation, err error) {
	if err != nil {
		r.Status, r.Err = statusFailed, err.Error()
		return
	}
	r.Status, r.Result, r.Err = statusLoaded, res, ""
	r.Problems = flattenFieldErrors(res.Errors)
}

// refused takes the server's refusal to create the app: its reason, and
// the verdicts or field errors it gave in its details.
func (r *deployReviewState) refused(err error) {
	r.CreateErr = err.Error()
	var re *replyError
	if !errors.As(err, &re) {
		return
	}
	if v, ok := re.API.Details[shared.DetailVerdicts]; ok {
		var verdicts []shared.DryRunVerdict
		if raw, err := json.Marshal(v); err == nil && json.Unmarshal(raw, &verdicts) == nil {
			r.Result.Verdicts = verdicts
		}
	}
	if v, ok := re.API.Details[shared.DetailFields]; ok {
		if raw, err := json.Marshal(v); err == nil {
			r.Problems = flattenFieldErrors(raw)
		}
	}
}

// flattenFieldErrors lists the errors of a spec as JSON keyed by field
// ({"env":{"0":{"name":"…"}}}), by path.
func flattenFieldErrors(raw json.RawMessage) []fieldProblem {
	var tree any
	if len(raw) == 0 || json.Unmarshal(raw, &tree) != nil {
		return nil
	}
	var out []fieldProblem
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case string:
			out = append(out, fieldProblem{Path: path, Label: fieldLabel(path), Message: v})
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(strings.TrimPrefix(path+"."+k, "."), v[k])
			}
		}
	}
	walk("", tree)
	return out
}

// deployReview shows the review: the server's YAML of every object the app
// makes, the API server's verdict on each from a dry run, and Create.
type deployReview struct {
	app.Compo
	guarded

	State    deployReviewState
	CanMake  bool
	Why      string // why Create is disabled
	Creating bool
	// Edit is set when the wizard edits an app: Changes is what the spec
	// changes of the one it runs, and Create is Apply.
	Edit    bool
	Changes []shared.SpecChange

	onCreate func(ctx app.Context)
	onRetry  func(ctx app.Context)
}

func newDeployReview() *deployReview { return &deployReview{} }

// Show sets what the server said.
func (r *deployReview) Show(s deployReviewState) *deployReview { r.State = s; return r }

// Create says whether Create is enabled and, when not, why.
func (r *deployReview) Create(ok bool, why string, creating bool) *deployReview {
	r.CanMake, r.Why, r.Creating = ok, why, creating
	return r
}

// Editing says the review is of an app's edit, and what it changes.
func (r *deployReview) Editing(on bool, changes []shared.SpecChange) *deployReview {
	r.Edit, r.Changes = on, changes
	return r
}

// OnCreate sets what Create does.
func (r *deployReview) OnCreate(f func(app.Context)) *deployReview { r.onCreate = f; return r }

// OnRetry sets what Retry does after a failed check.
func (r *deployReview) OnRetry(f func(app.Context)) *deployReview { r.onRetry = f; return r }

// Guard sets the error boundary's wrapper for the review's handlers.
func (r *deployReview) Guard(wrap func(app.EventHandler) app.EventHandler) *deployReview {
	r.setGuard(wrap)
	return r
}

// Render shows the state of the check.
func (r *deployReview) Render() app.UI {
	s := r.State
	switch s.Status {
	case statusLoaded:
	case statusFailed:
		return app.Div().ID("deploy-review").Class("kd-state kd-state-failed").Role("alert").Body(
			app.P().Text("The server could not check the app: "+s.Err),
			app.Button().Type("button").ID("deploy-review-retry").Class("kd-button").
				OnClick(r.guard(r.retry)).Text("Check again"),
		)
	default:
		return app.P().ID("deploy-review").Class("kd-state kd-state-loading").Aria("busy", "true").
			Text("Checking the app with the cluster (a dry run: nothing is created)…")
	}
	res := s.Result
	made := "The objects Kubedeck will create"
	if r.Edit {
		made = "The objects as they will be"
	}
	return app.Div().ID("deploy-review").Class("kd-review").Body(
		app.If(r.Edit, func() app.UI { return diffTable(r.Changes) }),
		app.If(len(s.Problems) > 0, func() app.UI {
			return app.Div().Class("kd-note kd-review-problems").Role("alert").Body(
				app.P().Text("The server found these problems:"),
				app.Ul().Body(app.Range(s.Problems).Slice(func(i int) app.UI {
					return app.Li().Text(s.Problems[i].Label + ": " + s.Problems[i].Message)
				})),
			)
		}),
		app.If(res.URL != "", func() app.UI {
			return app.P().ID("deploy-review-url").Body(
				app.Text("The app will be reached at "), app.Strong().Text(res.URL), app.Text("."))
		}),
		app.If(len(res.Warnings) > 0, func() app.UI {
			keys := slices.Sorted(maps.Keys(res.Warnings))
			return app.Ul().Class("kd-review-warnings").Body(app.Range(keys).Slice(func(i int) app.UI {
				return app.Li().Class("kd-field-warning").Text(fieldLabel(keys[i]) + ": " + res.Warnings[keys[i]])
			}))
		}),
		app.If(len(res.Verdicts) > 0, func() app.UI { return verdictTable(res.Verdicts) }),
		app.If(res.YAML != "", func() app.UI {
			return app.Div().Body(
				app.H3().Text(made),
				app.Div().ID("deploy-yaml").Body(newYAMLView().YAML(res.YAML)),
			)
		}),
		app.If(s.CreateErr != "", func() app.UI {
			return app.P().ID("deploy-create-error").Class("kd-field-error").Role("alert").Text(s.CreateErr)
		}),
		app.Div().Class("kd-wizard-actions").Body(r.createButton()),
	)
}

// createButton is Create (Apply for an edit), disabled with its reason
// beside it.
func (r *deployReview) createButton() app.UI {
	id, label, working := "deploy-create", "Create", "Creating…"
	if r.Edit {
		id, label, working = "deploy-apply", "Apply", "Applying…"
	}
	if r.Creating {
		label = working
	}
	b := app.Button().Type("button").ID(id).Class("kd-button kd-primary").Text(label)
	if r.CanMake {
		return b.OnClick(r.guard(r.create))
	}
	return app.Span().Class("kd-guarded").Body(
		b.Disabled(true).Title(r.Why).Aria("describedby", id+"-reason"),
		app.Span().ID(id+"-reason").Class("kd-guard-reason").Text(r.Why),
	)
}

// diffTable shows what an edit changes, field by field: the value the
// app runs with and the new one.
func diffTable(changes []shared.SpecChange) app.UI {
	if len(changes) == 0 {
		return app.P().ID("deploy-diff").Class("kd-state kd-state-empty").Role("status").
			Text("Nothing to change: the settings are those the app runs with.")
	}
	value := func(v string) app.UI {
		if v == "" {
			return app.Span().Class("kd-muted").Text("(none)")
		}
		return app.Code().Text(v)
	}
	return app.Div().Class("kd-table-wrap").Body(
		app.Table().ID("deploy-diff").Class("kd-table").Body(
			app.Caption().Class("kd-caption").Text("What changes"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("Setting"),
				app.Th().Scope("col").Text("Now"),
				app.Th().Scope("col").Text("After"),
			)),
			app.TBody().Body(app.Range(changes).Slice(func(i int) app.UI {
				c := changes[i]
				return app.Tr().Class("kd-diff-row").DataSet("field", c.Field).Body(
					app.Th().Scope("row").Text(fieldLabel(c.Field)),
					app.Td().Class("kd-diff-old").Body(value(c.Old)),
					app.Td().Class("kd-diff-new").Body(value(c.New)),
				)
			})),
		),
	)
}

// verdictTable shows the API server's verdict on each object.
func verdictTable(vs []shared.DryRunVerdict) app.UI {
	return app.Div().Class("kd-table-wrap").Body(
		app.Table().ID("deploy-verdicts").Class("kd-table").Body(
			app.Caption().Class("kd-caption").Text("What Kubernetes says of each object (a dry run as you)"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("Object"),
				app.Th().Scope("col").Text("Verdict"),
				app.Th().Scope("col").Text("Reason and warnings"),
			)),
			app.TBody().Body(app.Range(vs).Slice(func(i int) app.UI {
				v := vs[i]
				badge := app.Span().Class("kd-badge kd-badge-ok").Text("✓ Allowed")
				if !v.Allowed {
					text := "✗ Refused"
					if v.Code != "" {
						text += " (" + string(v.Code) + ")"
					}
					badge = app.Span().Class("kd-badge kd-badge-error").Text(text)
				}
				return app.Tr().DataSet("kind", v.Kind).DataSet("allowed", v.Allowed).Body(
					app.Td().Body(
						app.Text(v.Kind+" "+v.Name),
						app.If(v.Check != "", func() app.UI { return app.Span().Class("kd-verdict-check").Text(v.Check) }),
					),
					app.Td().Body(badge),
					app.Td().Class("kd-event-message").Body(
						app.If(v.Reason != "", func() app.UI { return app.P().Class("kd-verdict-reason").Text(v.Reason) }),
						app.Range(v.Warnings).Slice(func(j int) app.UI {
							return app.P().Class("kd-field-warning").Text(v.Warnings[j])
						}),
					),
				)
			})),
		),
	)
}

func (r *deployReview) create(ctx app.Context, e app.Event) {
	if r.CanMake {
		callIfSet(r.onCreate, ctx)
	}
}

func (r *deployReview) retry(ctx app.Context, e app.Event) { callIfSet(r.onRetry, ctx) }
