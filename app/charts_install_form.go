package main

import (
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// chartInstallForm is the install form of a catalog chart (release name,
// namespace, version, values) or, in the release drawer, the upgrade form
// of a release (version, values); once sent, the progress of its
// operation. Each field's error shows beside it; the element that holds
// it is always there, so screen readers announce it as it appears.
type chartInstallForm struct {
	app.Compo
	guarded

	// Prefix starts the ids of the form's elements: "kd-install" or
	// "kd-upgrade".
	Prefix string
	Form   chartInstall

	onChange   func(app.Context, string, string)
	onSubmit   func(app.Context)
	onPreview  func(app.Context)
	onDefaults func(app.Context)
	onCancel   func(app.Context)
	onEdit     func(app.Context)
	onDone     func(app.Context)
}

func newChartInstallForm() *chartInstallForm { return &chartInstallForm{Prefix: "kd-install"} }

// Of sets the form shown, its ids starting with prefix.
func (c *chartInstallForm) Of(prefix string, f chartInstall) *chartInstallForm {
	c.Prefix, c.Form = prefix, f
	return c
}

// OnChange sets what typing in a field does (with the field and its text).
func (c *chartInstallForm) OnChange(f func(app.Context, string, string)) *chartInstallForm {
	c.onChange = f
	return c
}

// OnSubmit sets what Install (or Upgrade) does.
func (c *chartInstallForm) OnSubmit(f func(app.Context)) *chartInstallForm { c.onSubmit = f; return c }

// OnPreview sets what Preview (the dry run) does.
func (c *chartInstallForm) OnPreview(f func(app.Context)) *chartInstallForm {
	c.onPreview = f
	return c
}

// OnDefaults sets what "Start from the defaults" does.
func (c *chartInstallForm) OnDefaults(f func(app.Context)) *chartInstallForm {
	c.onDefaults = f
	return c
}

// OnCancel sets what Cancel, and "Install another chart", do.
func (c *chartInstallForm) OnCancel(f func(app.Context)) *chartInstallForm { c.onCancel = f; return c }

// OnEdit sets what "Back to the form" does after a failure.
func (c *chartInstallForm) OnEdit(f func(app.Context)) *chartInstallForm { c.onEdit = f; return c }

// OnDone sets what "Show the releases" does after a success ("" hides it).
func (c *chartInstallForm) OnDone(f func(app.Context)) *chartInstallForm { c.onDone = f; return c }

// Guard sets the error boundary's wrapper for the form's handlers.
func (c *chartInstallForm) Guard(wrap func(app.EventHandler) app.EventHandler) *chartInstallForm {
	c.setGuard(wrap)
	return c
}

// Render shows the fields, or the operation's progress.
func (c *chartInstallForm) Render() app.UI {
	if c.Form.following() {
		return c.progress()
	}
	f := c.Form
	title := "Install " + f.req.Chart
	action := "Install"
	if f.upgrade {
		title, action = "Upgrade "+f.req.Namespace+"/"+f.req.Name, "Upgrade"
	}
	if f.sending {
		action = f.verb(true) + "…"
	}
	return app.Section().ID(c.Prefix).Class("kd-card kd-wizard-form kd-chart-form").
		Aria("labelledby", c.Prefix+"-title").Aria("busy", f.sending).Body(
		app.H3().ID(c.Prefix+"-title").TabIndex(-1).Text(title),
		app.If(!f.upgrade, func() app.UI {
			return c.field(installName, "Release name", "Lower-case letters, digits and '-', at most 53 characters.",
				app.Input().Type("text").Value(f.req.Name).MaxLength(maxReleaseName+10).AutoComplete(false).
					Attr("spellcheck", "false").Attr("autocapitalize", "none"))
		}),
		app.If(!f.upgrade, c.namespaceField),
		c.versionField(),
		c.valuesField(),
		c.defaultsBlock(),
		app.P().ID(c.Prefix+"-failure").Class("kd-field-error").Role("alert").Text(f.failure),
		app.Div().Class("kd-wizard-actions").Body(
			disabledIf(app.Button().Type("button").ID(c.Prefix+"-cancel").Class("kd-button"), f.sending).
				OnClick(c.guard(c.cancel)).Text("Cancel"),
			disabledIf(app.Button().Type("button").ID(c.Prefix+"-dryrun").Class("kd-button"), f.sending || f.preview.status == statusLoading).
				Title("Render the "+strings.ToLower(action)+" as a dry run against the cluster; nothing changes").
				OnClick(c.guard(c.dryRun)).Text("Preview"),
			disabledIf(app.Button().Type("button").ID(c.Prefix+"-submit").Class("kd-button kd-primary"), f.sending).
				OnClick(c.guard(c.submit)).Text(action),
		),
		c.previewPanel(),
	)
}

// field is a labelled control with its help and its error.
func (c *chartInstallForm) field(name, label, help string, ctl app.UI) app.UI {
	id := c.Prefix + "-" + name
	err := c.Form.errorAt(name)
	described := id + "-error " + id + "-help"
	handler := c.guard(c.changed(name))
	scope := app.EventScope(c.Prefix + "-" + name)
	switch el := ctl.(type) {
	case app.HTMLInput:
		ctl = el.ID(id).Class("kd-input").Aria("describedby", described).Aria("invalid", err != "").OnInput(handler, scope)
	case app.HTMLTextarea:
		ctl = el.ID(id).Class("kd-input").Aria("describedby", described).Aria("invalid", err != "").OnInput(handler, scope)
	case app.HTMLSelect:
		ctl = el.ID(id).Class("kd-input").Aria("describedby", described).Aria("invalid", err != "").OnChange(handler, scope)
	}
	errEl := app.P().ID(id+"-error").Class("kd-field-error").Aria("live", "polite").Text(err)
	if name == installValues && c.Form.valuesPath != "" {
		errEl = errEl.DataSet("path", c.Form.valuesPath)
	}
	return app.Div().Class("kd-field").Body(
		app.Label().For(id).Text(label),
		ctl,
		app.P().ID(id+"-help").Class("kd-field-help").Text(help),
		errEl,
	)
}

// namespaceField offers the namespaces the user may install into, or a
// text field when they are not known.
func (c *chartInstallForm) namespaceField() app.UI {
	f := c.Form
	if f.nsStatus != statusLoaded || len(f.namespaces) == 0 {
		help := "The namespace must exist; Kubedeck does not create it."
		if f.nsStatus == statusLoaded {
			help = "You may create objects in none of the namespaces you can see; type one where you were given rights."
		}
		return c.field(installNamespace, "Namespace", help, app.Input().Type("text").Value(f.req.Namespace).
			AutoComplete(false).Attr("spellcheck", "false").Attr("autocapitalize", "none"))
	}
	ns := f.namespaces
	return c.field(installNamespace, "Namespace", "The namespaces you may create objects in.", app.Select().Body(
		app.If(f.req.Namespace == "", func() app.UI {
			return app.Option().Value("").Selected(true).Text("Choose a namespace")
		}),
		app.Range(ns).Slice(func(i int) app.UI {
			return app.Option().Value(ns[i]).Selected(ns[i] == f.req.Namespace).Text(ns[i])
		}),
	))
}

// versionField offers the chart's versions, newest first.
func (c *chartInstallForm) versionField() app.UI {
	f := c.Form
	vs := f.versions()
	if len(vs) == 0 {
		return c.field(installVersion, "Version", "The chart's version.", app.Input().Type("text").Value(f.req.Version).AutoComplete(false))
	}
	return c.field(installVersion, "Version", "The chart's versions, newest first.", app.Select().Body(
		app.Range(vs).Slice(func(i int) app.UI {
			label := vs[i]
			switch {
			case vs[i] == f.current && vs[i] == latestVersion(f.chart):
				label += " (latest, running now)"
			case vs[i] == f.current:
				label += " (running now)"
			case i == 0 && vs[i] == latestVersion(f.chart):
				label += " (latest)"
			}
			return app.Option().Value(vs[i]).Selected(vs[i] == f.req.Version).Text(label)
		}),
	))
}

// progress is the operation the form started, to its end.
func (c *chartInstallForm) progress() app.UI {
	f := c.Form
	op := f.op
	title := f.verb(true) + " " + f.req.Namespace + "/" + f.req.Name + "…"
	if op.Done() {
		title = f.outcome()
	}
	id := c.Prefix + "-progress"
	status := op.Message
	switch {
	case op.Done():
		status = "" // the title says how it ended
	case status == "":
		status = "Waiting for the server…"
	}
	return app.Section().ID(id).Class("kd-card kd-progress").DataSet("phase", string(op.Phase)).
		Aria("busy", !op.Done()).Aria("labelledby", id+"-title").Body(
		app.H3().ID(id+"-title").TabIndex(-1).Text(title),
		app.P().ID(id+"-status").Role("status").Text(status),
		app.Ol().Class("kd-op-steps").Aria("label", "What happened").Body(app.Range(f.log).Slice(func(i int) app.UI {
			phase := shared.OperationSucceeded
			if i == len(f.log)-1 {
				phase = op.Phase
			}
			return app.Li().Class("kd-op-step kd-op-" + string(phase)).Body(
				app.Span().Class("kd-op-message").Text(f.log[i]))
		})),
		app.Div().Class("kd-wizard-actions").Body(
			app.If(op.Phase == shared.OperationSucceeded && c.onDone != nil, func() app.UI {
				return app.Button().Type("button").ID(c.Prefix + "-releases").Class("kd-button kd-primary").
					OnClick(c.guard(c.done)).Text("Show the releases")
			}),
			app.If(op.Phase == shared.OperationFailed, func() app.UI {
				return app.Button().Type("button").ID(c.Prefix + "-edit").Class("kd-button").
					OnClick(c.guard(c.edit)).Text("Back to the form")
			}),
			app.If(op.Done(), func() app.UI {
				label := "Install another chart"
				if f.upgrade {
					label = "Close"
				}
				return app.Button().Type("button").ID(c.Prefix + "-another").Class("kd-button").
					OnClick(c.guard(c.cancel)).Text(label)
			}),
		),
	)
}

func (c *chartInstallForm) changed(field string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if c.onChange != nil {
			c.onChange(ctx, field, ctx.JSSrc().Get("value").String())
		}
	}
}

func (c *chartInstallForm) submit(ctx app.Context, e app.Event) { callIfSet(c.onSubmit, ctx) }

func (c *chartInstallForm) cancel(ctx app.Context, e app.Event) { callIfSet(c.onCancel, ctx) }

func (c *chartInstallForm) dryRun(ctx app.Context, e app.Event) { callIfSet(c.onPreview, ctx) }

func (c *chartInstallForm) useDefaults(ctx app.Context, e app.Event) { callIfSet(c.onDefaults, ctx) }

func (c *chartInstallForm) edit(ctx app.Context, e app.Event) { callIfSet(c.onEdit, ctx) }

func (c *chartInstallForm) done(ctx app.Context, e app.Event) { callIfSet(c.onDone, ctx) }

// versions are the versions offered, newest first, the one chosen among
// them.
func (f *chartInstall) versions() []string {
	vs := slices.Clone(f.chart.Versions)
	for _, v := range []string{f.current, f.req.Version} {
		if v != "" && !slices.Contains(vs, v) {
			vs = append([]string{v}, vs...)
		}
	}
	return vs
}

// outcome says how the followed operation ended, "" while it runs.
func (f *chartInstall) outcome() string {
	switch f.op.Phase {
	case shared.OperationSucceeded:
		return "Release " + f.req.Namespace + "/" + f.req.Name + " " + f.verb(false) + "."
	case shared.OperationFailed:
		why := "the server gave no reason"
		if f.op.Error != nil && f.op.Error.Message != "" {
			why = f.op.Error.Message
		}
		return "Release " + f.req.Namespace + "/" + f.req.Name + " was not " + f.verb(false) + ": " + why
	}
	return ""
}

// verb is what the form does: "Installing"/"installed", or the upgrade's.
func (f *chartInstall) verb(running bool) string {
	switch {
	case f.upgrade && running:
		return "Upgrading"
	case f.upgrade:
		return "upgraded"
	case running:
		return "Installing"
	}
	return "installed"
}
