package main

import (
	"slices"
	"strconv"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The wizard's steps made of rows: the command with its environment, and
// the volumes.

// commandStep is the command and arguments (one line each, split like a
// shell's), the environment variables and the paste box.
func (w *deployWizard) commandStep() app.UI {
	f := w.Form
	env := f.Spec.Env
	listErr := ""
	if ps := f.problems(stepCommand); len(ps) > 0 && ps[len(ps)-1].Path == "env" {
		listErr = ps[len(ps)-1].Message
	}
	return app.Div().Class("kd-wstep").Body(
		w.text(textInput{path: "command", label: "Command (optional)", value: f.Text.Command,
			placeholder: "python -m http.server",
			help:        "Replaces the image's entrypoint. Written like a shell line: quote words with spaces, such as sh -c 'echo hi'."}),
		w.text(textInput{path: "args", label: "Arguments (optional)", value: f.Text.Args, placeholder: "--port 8080",
			help: "Passed to the command (or to the image's entrypoint), split the same way."}),
		app.FieldSet().Class("kd-wfield kd-rows").Body(
			app.Legend().Text("Environment variables"),
			app.If(len(env) == 0, func() app.UI { return app.P().Class("kd-muted").Text("None yet.") }),
			app.Range(env).Slice(func(i int) app.UI { return w.envRow(i) }),
			app.P().ID("deploy-env-error").Class("kd-field-error").Aria("live", "polite").Text(listErr),
			app.Button().Type("button").ID("deploy-env-add").Class("kd-button").
				OnClick(w.guard(w.row("addEnv", 0)), app.EventScope("env-add")).Text("Add a variable"),
		),
		app.Div().Class("kd-wfield kd-paste").Body(
			app.Label().For("deploy-envPaste").Text("Paste variables"),
			app.Textarea().ID("deploy-envPaste").Class("kd-input kd-textarea").Rows(3).Text(f.Paste).
				Placeholder("DEBUG=1\nGREETING=\"hello world\"").Attr("spellcheck", "false").
				Aria("describedby", "deploy-envPaste-help deploy-envPaste-error").
				OnInput(w.guard(w.input("envPaste")), app.EventScope("input-envPaste")),
			app.P().ID("deploy-envPaste-help").Class("kd-field-help").
				Text("KEY=value lines, as in a .env file; a name already set takes the pasted value."),
			app.P().ID("deploy-envPaste-error").Class("kd-field-error").Aria("live", "polite").Text(f.PasteErr),
			disabledIf(app.Button().Type("button").ID("deploy-env-paste").Class("kd-button"), f.Paste == "").
				OnClick(w.guard(w.row("pasteEnv", 0)), app.EventScope("env-paste")).Text("Add these variables"),
		),
	)
}

// envRow is variable i: its name, where its value comes from, the value
// or the Secret or ConfigMap and key, and Remove.
func (w *deployWizard) envRow(i int) app.UI {
	f := w.Form
	e := f.Spec.Env[i]
	n := strconv.Itoa(i)
	row := "env." + n + "."
	src := f.envSource(i)
	var ref shared.KeyRef
	switch {
	case e.SecretKeyRef != nil:
		ref = *e.SecretKeyRef
	case e.ConfigMapKeyRef != nil:
		ref = *e.ConfigMapKeyRef
	}
	kind := map[envSource]string{envFromSecret: "Secret", envFromConfigMap: "ConfigMap"}[src]
	return app.Div().Class("kd-wrow").DataSet("row", i).Role("group").Aria("label", "Variable "+strconv.Itoa(i+1)).Body(
		w.text(textInput{path: row + "name", label: "Name", value: e.Name, placeholder: "DEBUG"}),
		w.choice(row+"source", "Value from", "", string(src), []option{
			{string(envFromValue), "A value"}, {string(envFromSecret), "A Secret's key"}, {string(envFromConfigMap), "A ConfigMap's key"},
		}, false),
		app.If(src == envFromValue, func() app.UI {
			return w.text(textInput{path: row + "value", label: "Value", value: e.Value})
		}),
		app.If(src != envFromValue, func() app.UI {
			return w.text(textInput{path: row + "ref", label: kind, value: ref.Name})
		}),
		app.If(src != envFromValue, func() app.UI {
			return w.text(textInput{path: row + "key", label: "Key", value: ref.Key})
		}),
		app.Button().Type("button").ID(fieldID(row+"remove")).Class("kd-button kd-danger kd-row-remove").
			Aria("label", "Remove variable "+strconv.Itoa(i+1)).
			OnClick(w.guard(w.row("removeEnv", i)), app.EventScope("env-remove-"+n)).Text("Remove"),
	)
}

// volumesStep is the volumes, each with what it mounts and where.
func (w *deployWizard) volumesStep() app.UI {
	f := w.Form
	vols := f.Spec.Volumes
	listErr := ""
	if ps := f.problems(stepVolumes); len(ps) > 0 && ps[len(ps)-1].Path == "volumes" {
		listErr = ps[len(ps)-1].Message
	}
	return app.Div().Class("kd-wstep").Body(
		app.FieldSet().Class("kd-wfield kd-rows").Body(
			app.Legend().Text("Volumes"),
			app.If(len(vols) == 0, func() app.UI {
				return app.P().Class("kd-muted").Text("None: the app keeps nothing when its container restarts.")
			}),
			app.Range(vols).Slice(func(i int) app.UI { return w.volumeRow(i) }),
			app.P().ID("deploy-volumes-error").Class("kd-field-error").Aria("live", "polite").Text(listErr),
			app.Button().Type("button").ID("deploy-volume-add").Class("kd-button").
				OnClick(w.guard(w.row("addVolume", 0)), app.EventScope("volume-add")).Text("Add a volume"),
		),
	)
}

// volumeRow is volume i: its type, the claim of a PVC, where it is
// mounted, whether read-only, and Remove.
func (w *deployWizard) volumeRow(i int) app.UI {
	f := w.Form
	v := f.Spec.Volumes[i]
	n := strconv.Itoa(i)
	row := "volumes." + n + "."
	var options []option
	for _, t := range f.volumeTypes() {
		options = append(options, option{string(t), volumeTypeText(t, f.config)})
	}
	if v.Type != "" && !slices.Contains(f.volumeTypes(), v.Type) {
		options = append(options, option{string(v.Type), string(v.Type) + " (not offered here)"})
	}
	return app.Div().Class("kd-wrow").DataSet("row", i).Role("group").Aria("label", "Volume "+strconv.Itoa(i+1)).Body(
		w.choice(row+"type", "Mount", "", string(v.Type), options, true),
		app.If(v.Type == shared.VolumePVC, func() app.UI {
			return w.text(textInput{path: row + "claim", label: "Claim", value: v.Claim, placeholder: "my-data",
				help: "One of your PersistentVolumeClaims in the namespace."})
		}),
		w.text(textInput{path: row + "mountPath", label: "Mount path", value: v.MountPath, placeholder: "/data"}),
		w.checkbox(row+"readOnly", "Read-only", readOnlyHelp(v.Type), v.ReadOnly, v.Type == shared.VolumeSSOToken),
		app.Button().Type("button").ID(fieldID(row+"remove")).Class("kd-button kd-danger kd-row-remove").
			Aria("label", "Remove volume "+strconv.Itoa(i+1)).
			OnClick(w.guard(w.row("removeVolume", i)), app.EventScope("volume-remove-"+n)).Text("Remove"),
	)
}

// volumeTypeText is what the wizard calls a volume type.
func volumeTypeText(t shared.VolumeType, c shared.DeploymentConfig) string {
	switch t {
	case shared.VolumeSharedPVC:
		return "The shared volume (" + c.SharedPVC + ")"
	case shared.VolumeSSOToken:
		return "Your sign-in token (" + c.SSOTokenSecret + ")"
	}
	return "One of your volume claims"
}

// readOnlyHelp says what read-only means for a volume of type t.
func readOnlyHelp(t shared.VolumeType) string {
	switch t {
	case shared.VolumeSharedPVC:
		return "Others use the shared volume too: mount it read-only unless the app must write there."
	case shared.VolumeSSOToken:
		return "The token is always mounted read-only."
	}
	return ""
}
