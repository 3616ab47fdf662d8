package main

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// editDraftStorageKey is where the wizard keeps the unsaved edits of an
// app (sessionStorage, as the create draft), with the app they are of.
const editDraftStorageKey = "kubedeck.deploy.edit"

// deployEdit is the app the wizard edits, named by the page's URL
// (/apps/deploy?edit={namespace}/{name}), and the spec it runs as
// GET /deployments/{name} gave it: the wizard starts from it, and the
// review shows what the form changes of it.
type deployEdit struct {
	Namespace, Name string
	Status          loadStatus
	Err             string
	Current         shared.DeploymentSpec
}

// editDraft is the form of an app's unsaved edits as sessionStorage keeps
// it.
type editDraft struct {
	Namespace string     `json:"namespace"`
	Name      string     `json:"name"`
	Form      deployForm `json:"form"`
}

// parseEditQuery reads ?edit={namespace}/{name}; false when the URL names
// no app to edit.
func parseEditQuery(q url.Values) (namespace, name string, ok bool) {
	namespace, name, ok = strings.Cut(q.Get("edit"), "/")
	if !ok || namespace == "" || name == "" || strings.Contains(name, "/") {
		return "", "", false
	}
	return namespace, name, true
}

// active says whether the wizard edits an app rather than making one.
func (e deployEdit) active() bool { return e.Name != "" }

// app is "namespace/name".
func (e deployEdit) app() string { return e.Namespace + "/" + e.Name }

// query is the page's URL query while the wizard edits the app.
func (e deployEdit) query() string { return "edit=" + url.QueryEscape(e.app()) }

// is says whether d is the draft of this app's edits.
func (e deployEdit) is(d *editDraft) bool {
	return d != nil && d.Namespace == e.Namespace && d.Name == e.Name
}

// changes is what spec changes of the spec the app runs, field by field;
// none until that spec is read.
func (e deployEdit) changes(spec shared.DeploymentSpec) []shared.SpecChange {
	if !e.active() || e.Status != statusLoaded {
		return nil
	}
	return shared.SpecChanges(e.Current, spec)
}

// formFromSpec is the wizard's form filled in with spec, at its first
// step: what an edit starts from.
func formFromSpec(spec shared.DeploymentSpec, config shared.DeploymentConfig) deployForm {
	f := deployForm{Spec: spec, Text: formText{
		Replicas: strconv.Itoa(spec.Replicas),
		GPUOn:    spec.GPU > 0,
		Command:  joinCommand(spec.Command),
		Args:     joinCommand(spec.Args),
	}}
	if spec.Port > 0 {
		f.Text.Port = strconv.Itoa(spec.Port)
	}
	if spec.GPU > 0 {
		f.Text.GPU = strconv.Itoa(spec.GPU)
	}
	if f.Spec.Exposure == "" {
		f.Spec.Exposure = shared.ExposeNone
	}
	f.own()
	f.config = config
	f.check()
	return f
}

// joinCommand writes words as one line that shared.SplitCommand splits
// back into them: a word of plain characters as it is, any other in
// single quotes.
func joinCommand(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
			out[i] = w
			continue
		}
		out[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}
