package main

import (
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The values part of the install form: the editor with its line numbers
// and the problems marked on their lines, the chart's defaults, and the
// dry run's outcome.

// valuesField is the values editor: numbered lines, the lines the server
// found problems on marked, and those problems listed, each a button that
// selects its line.
func (c *chartInstallForm) valuesField() app.UI {
	f := c.Form
	id := c.Prefix + "-" + installValues
	err := f.errorAt(installValues)
	lines, bad := f.valuesLines(), f.lineProblems()
	errEl := app.P().ID(id+"-error").Class("kd-field-error").Aria("live", "polite").Text(err)
	if f.valuesPath != "" {
		errEl = errEl.DataSet("path", f.valuesPath)
	}
	problems := f.valueProblems
	return app.Div().Class("kd-field kd-field-values").Body(
		app.Label().For(id).Text("Values (YAML)"),
		app.Div().Class("kd-values-editor").Body(
			app.Div().ID(id+"-gutter").Class("kd-values-gutter").Aria("hidden", true).Body(
				app.Range(make([]struct{}, lines)).Slice(func(i int) app.UI {
					n := i + 1
					el := app.Div().Class("kd-gutter-line").Text(n)
					if msgs := bad[n]; len(msgs) > 0 {
						el = el.Class("kd-gutter-bad").Title(strings.Join(msgs, "\n")).DataSet("line", n)
					}
					return el
				})),
			app.Textarea().ID(id).Class("kd-input kd-textarea kd-values-text").Rows(max(8, lines+1)).Attr("wrap", "off").
				Text(f.req.Values).Attr("spellcheck", "false").Attr("autocapitalize", "none").Placeholder("replicaCount: 2").
				Aria("describedby", id+"-error "+id+"-problems "+id+"-help").Aria("invalid", err != "").
				OnInput(c.guard(c.changed(installValues)), app.EventScope(id)),
		),
		app.P().ID(id+"-help").Class("kd-field-help").Text("Only what differs from the chart's defaults; empty keeps them all."),
		app.If(f.upgrade && f.valuesHidden, func() app.UI {
			return app.P().ID(id + "-hidden").Class("kd-notice").Role("note").Text("You may not read the values this release runs with, " +
				"so they are not shown here. The upgrade replaces them: the release will run with the values above and the chart's defaults.")
		}),
		errEl,
		app.Ul().ID(id+"-problems").Class("kd-values-problems").Aria("label", "Problems in the values").Body(
			app.Range(problems).Slice(func(i int) app.UI {
				p := problems[i]
				what := p.Message
				if p.Path != "" {
					what = p.Path + ": " + p.Message
				}
				li := app.Li().DataSet("line", p.Line)
				if p.Line == 0 {
					return li.Body(app.Span().Class("kd-values-where").Text(p.label()), app.Text(" "+what))
				}
				return li.Body(
					app.Button().Type("button").Class("kd-button kd-link-button kd-values-where").
						Title("Select line "+strconv.Itoa(p.Line)+" in the values").
						OnClick(c.guard(c.goToLine(p.Line))).Text(p.label()),
					app.Text(" "+what))
			})),
	)
}

// goToLine selects line n of the values and scrolls it into view.
func (c *chartInstallForm) goToLine(n int) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		el := app.Window().GetElementByID(c.Prefix + "-" + installValues)
		if !app.IsClient || !el.Truthy() {
			return
		}
		start, end := lineSpan(c.Form.req.Values, n)
		el.Call("focus")
		el.Call("setSelectionRange", start, end)
		// The editor scrolls as a whole: bring the line's number into view.
		if g := app.Window().GetElementByID(c.Prefix + "-" + installValues + "-gutter"); g.Truthy() {
			if kids := g.Get("children"); kids.Length() >= n {
				kids.Index(n-1).Call("scrollIntoView", map[string]any{"block": "nearest"})
			}
		}
	}
}

// lineSpan is where line n (1 for the first) of text starts and ends, in
// UTF-16 code units as a textarea counts them; past the end, the end.
func lineSpan(text string, n int) (start, end int) {
	pos, line := 0, 1
	for _, r := range text {
		units := 1
		if r >= 0x10000 {
			units = 2
		}
		if r == '\n' {
			if line == n {
				return start, pos
			}
			line++
			pos += units
			if line == n {
				start = pos
			}
			continue
		}
		pos += units
	}
	if line < n {
		return pos, pos
	}
	return start, pos
}

// defaultsBlock shows the chart version's default values, folded, with a
// button that starts the values from them.
func (c *chartInstallForm) defaultsBlock() app.UI {
	f := c.Form
	d := f.defaults
	id := c.Prefix + "-defaults"
	var body app.UI
	switch d.status {
	case statusLoading:
		body = app.P().Class("kd-muted").Role("status").Text("Loading the chart's defaults…")
	case statusFailed:
		body = app.P().Class("kd-field-error").Text("The chart's defaults could not be read: " + d.err)
	case statusLoaded:
		text := d.reply.Values
		if strings.TrimSpace(text) == "" {
			text = "# The chart sets no defaults."
		}
		why := "Copy the defaults into the empty values box, to change them there."
		switch {
		case f.defaultsTooLong():
			why = "The defaults are longer than the values box takes (64 KiB): copy only what you change."
		case strings.TrimSpace(f.req.Values) != "":
			why = "Empty the values box first: nothing you typed is replaced."
		}
		body = app.Div().Body(
			app.Pre().ID(id+"-text").Class("kd-yaml kd-defaults-text").Text(text),
			app.If(d.reply.Truncated, func() app.UI {
				return app.P().Class("kd-field-help").Text("The chart's values.yaml is longer than 256 KiB; only its beginning shows.")
			}),
			app.Div().Class("kd-defaults-actions").Body(
				disabledIf(app.Button().Type("button").ID(id+"-use").Class("kd-button"), !f.canUseDefaults()).
					Aria("describedby", id+"-why").OnClick(c.guard(c.useDefaults)).Text("Start from the defaults"),
				app.Span().ID(id+"-why").Class("kd-field-help").Text(why),
			),
		)
	default:
		return app.Div().ID(id).Class("kd-defaults")
	}
	summary := "The chart's defaults"
	if d.reply.Version != "" {
		summary += " (values.yaml of " + f.chartName() + " " + d.reply.Version + ")"
	}
	if d.reply.Schema {
		summary += ", checked against its schema"
	}
	return app.Details().ID(id).Class("kd-defaults").DataSet("status", d.status.String()).Body(
		app.Summary().Text(summary),
		body,
	)
}

// chartName is the chart's name without its repository.
func (f *chartInstall) chartName() string {
	if f.chart.Name != "" {
		return f.chart.Name
	}
	_, name, _ := strings.Cut(f.req.Chart, "/")
	return name
}

// previewPanel shows the dry run: what the install or upgrade would make,
// its notes and manifest.
func (c *chartInstallForm) previewPanel() app.UI {
	f := c.Form
	id := c.Prefix + "-preview"
	if !f.previewShown() {
		return app.Section().ID(id).Class("kd-preview").Aria("live", "polite")
	}
	p := f.preview
	sec := app.Section().ID(id).Class("kd-preview").Aria("live", "polite").DataSet("status", p.status.String())
	switch p.status {
	case statusLoading:
		return sec.Aria("busy", true).Body(app.P().Role("status").Text("Rendering a dry run as you, against the cluster…"))
	case statusFailed:
		return sec.Body(app.P().Class("kd-field-error").Role("alert").Text("The dry run failed: " + p.err))
	}
	d := p.reply
	objs := d.Resources
	verb := "install"
	if f.upgrade {
		verb = "upgrade"
	}
	summary := "Dry run passed: the " + verb + " would make revision " + strconv.Itoa(d.Release.Revision) + " of " +
		f.req.Namespace + "/" + f.req.Name + " with " + plural(len(objs), "object", "objects") + ". Nothing was changed."
	return sec.Body(
		app.H4().ID(id+"-title").TabIndex(-1).Text("Preview"),
		app.P().ID(id+"-summary").Role("status").Text(summary),
		app.Ul().ID(id+"-objects").Class("kd-preview-objects").Body(app.Range(objs).Slice(func(i int) app.UI {
			o := objs[i]
			return app.Li().DataSet("object", o.Kind+"/"+o.Name).Body(
				app.Span().Class("kd-badge").Text(o.Kind), app.Text(" "+previewObjectName(o)))
		})),
		app.If(strings.TrimSpace(d.Notes) != "", func() app.UI {
			return app.Details().ID(id+"-notes").Open(true).Body(app.Summary().Text("Notes"),
				app.Pre().Class("kd-yaml").Text(d.Notes))
		}),
		app.Details().ID(id+"-manifest").Body(app.Summary().Text("Manifest (Secret values masked)"),
			app.Pre().Class("kd-yaml").Text(d.Manifest)),
		app.Details().ID(id+"-values").Body(app.Summary().Text("Computed values (the defaults and yours)"),
			app.Pre().Class("kd-yaml").Text(d.ComputedValues)),
	)
}

// previewObjectName is where an object of the dry run would be.
func previewObjectName(o shared.ReleaseResource) string {
	if o.Namespace == "" {
		return o.Name
	}
	return o.Namespace + "/" + o.Name
}
