package main

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The wizard's fields: each control has an id made from its path, a
// label, and beside it its help, its error (once the field is touched) and
// its warning, which the control names with aria-describedby. The error's
// element is always there, empty when there is none, so screen readers
// announce it as it appears.

// fieldID is the id of the control of the field at path:
// "deploy-env-0-name".
func fieldID(path string) string { return "deploy-" + strings.ReplaceAll(path, ".", "-") }

// textInput describes a text field.
type textInput struct {
	path, label, help string
	value             string
	placeholder       string
	numeric           bool // a number: the phone's keyboard shows digits
	area              bool // a textarea
	alwaysShowError   bool // show the error before the field is touched
}

// errorShown is the error shown beside the field at path.
func (w *deployWizard) errorShown(path string, always bool) string {
	if !always && !w.Form.shows(path) {
		return ""
	}
	return w.Form.errorAt(path)
}

// describedBy lists the ids of what is said beside a control.
func describedBy(id, help, warn string) string {
	ids := []string{id + "-error"}
	if help != "" {
		ids = append(ids, id+"-help")
	}
	if warn != "" {
		ids = append(ids, id+"-warning")
	}
	return strings.Join(ids, " ")
}

// notes are a field's help, error and warning.
func notes(id, help, err, warn string) []app.UI {
	return []app.UI{
		app.If(help != "", func() app.UI { return app.P().ID(id + "-help").Class("kd-field-help").Text(help) }),
		app.P().ID(id+"-error").Class("kd-field-error").Aria("live", "polite").Text(err),
		app.If(warn != "", func() app.UI {
			return app.P().ID(id + "-warning").Class("kd-field-warning").Text(warn)
		}),
	}
}

// text is a labelled text field.
func (w *deployWizard) text(t textInput) app.UI {
	id := fieldID(t.path)
	err := w.errorShown(t.path, t.alwaysShowError)
	warn := w.Form.warningAt(t.path)
	var control app.UI
	if t.area {
		a := app.Textarea().ID(id).Class("kd-input kd-textarea").Rows(4).Text(t.value).
			Aria("describedby", describedBy(id, t.help, warn)).Attr("spellcheck", "false").
			OnInput(w.guard(w.input(t.path)), app.EventScope("input-"+t.path))
		if t.placeholder != "" {
			a = a.Placeholder(t.placeholder)
		}
		if err != "" {
			a = a.Aria("invalid", "true")
		}
		control = a
	} else {
		in := app.Input().Type("text").ID(id).Class("kd-input").Value(t.value).
			Aria("describedby", describedBy(id, t.help, warn)).AutoComplete(false).
			Attr("spellcheck", "false").Attr("autocapitalize", "none").
			OnInput(w.guard(w.input(t.path)), app.EventScope("input-"+t.path))
		if t.placeholder != "" {
			in = in.Placeholder(t.placeholder)
		}
		if t.numeric {
			in = in.Attr("inputmode", "numeric")
		}
		if err != "" {
			in = in.Aria("invalid", "true")
		}
		control = in
	}
	return app.Div().Class("kd-wfield").DataSet("field", t.path).Body(
		append([]app.UI{app.Label().For(id).Text(t.label), control}, notes(id, t.help, err, warn)...)...,
	)
}

// checkbox is a labelled box; its change sends "true" or "false".
func (w *deployWizard) checkbox(path, label, help string, checked, disabled bool) app.UI {
	id := fieldID(path)
	box := app.Input().Type("checkbox").ID(id).Checked(checked).
		OnChange(w.guard(w.toggle(path)), app.EventScope("check-"+path))
	if help != "" {
		box = box.Aria("describedby", id+"-help")
	}
	if disabled {
		box = box.Disabled(true)
	}
	return app.Div().Class("kd-wfield kd-wcheck").DataSet("field", path).Body(
		box,
		app.Label().For(id).Text(label),
		app.If(help != "", func() app.UI { return app.P().ID(id + "-help").Class("kd-field-help").Text(help) }),
	)
}

// option is one choice of a select.
type option struct {
	value, text string
}

// choice is a labelled select.
func (w *deployWizard) choice(path, label, help, value string, options []option, alwaysShowError bool) app.UI {
	id := fieldID(path)
	err := w.errorShown(path, alwaysShowError)
	sel := app.Select().ID(id).Class("kd-select").Aria("describedby", describedBy(id, help, "")).
		OnChange(w.guard(w.input(path)), app.EventScope("select-"+path)).Body(
		app.Range(options).Slice(func(i int) app.UI {
			o := options[i]
			opt := app.Option().Value(o.value).Text(o.text)
			if o.value == value {
				opt = opt.Selected(true) // a false one would still be written out
			}
			return opt
		}),
	)
	if err != "" {
		sel = sel.Aria("invalid", "true")
	}
	return app.Div().Class("kd-wfield").DataSet("field", path).Body(
		append([]app.UI{app.Label().For(id).Text(label), sel}, notes(id, help, err, "")...)...,
	)
}

// input reports what was typed or chosen in the field at path.
func (w *deployWizard) input(path string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if w.onEdit != nil {
			w.onEdit(ctx, path, ctx.JSSrc().Get("value").String())
		}
	}
}

// toggle reports a box checked or not.
func (w *deployWizard) toggle(path string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if w.onEdit != nil {
			w.onEdit(ctx, path, map[bool]string{true: "true", false: "false"}[ctx.JSSrc().Get("checked").Bool()])
		}
	}
}

// row asks for a row action (add or remove a variable or volume).
func (w *deployWizard) row(action string, i int) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if w.onRow != nil {
			w.onRow(ctx, action, i)
		}
	}
}
