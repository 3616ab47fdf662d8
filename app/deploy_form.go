package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// draftStorageKey is where the wizard keeps the form while the user fills
// it in (sessionStorage: it holds environment values, so it never goes to
// localStorage and ends with the tab). Creating the app or starting over
// removes it; logging out clears sessionStorage.
const draftStorageKey = "kubedeck.deploy.form"

// deployForm is the deployment wizard's state: the spec being filled in,
// the text of the fields that may not parse yet, the step shown and the
// fields the user has touched. Every change checks the spec with the same
// rules the server applies (shared.DeploymentSpec.ValidateFor) against the
// cluster's configuration, so each field's error is known as the user
// types, without asking the server.
//
// Its exported fields are what the draft in sessionStorage holds. Every
// method that changes it copies what it changes first, so a copy handed to
// a component (which compares its props) never changes under it.
type deployForm struct {
	Spec    shared.DeploymentSpec `json:"spec"`
	Text    formText              `json:"text"`
	Step    wizardStep            `json:"step"`
	Touched map[string]bool       `json:"touched,omitempty"`
	// Paste is the paste box's text (KEY=value lines) and PasteErr why
	// adding it failed; neither is kept in the draft.
	Paste    string `json:"-"`
	PasteErr string `json:"-"`

	config    shared.DeploymentConfig
	nsProblem string // why the user may not deploy to Spec.Namespace
	err       error  // ValidateFor's
	local     map[string]string
	warnings  map[string]string
}

// formText is what the user typed in the fields that do not map one to one
// onto the spec: numbers, the GPU toggle, and the command and arguments
// (split like a shell line).
type formText struct {
	Port     string `json:"port,omitempty"`
	Replicas string `json:"replicas,omitempty"`
	GPUOn    bool   `json:"gpuOn,omitempty"`
	GPU      string `json:"gpu,omitempty"`
	Command  string `json:"command,omitempty"`
	Args     string `json:"args,omitempty"`
}

// fieldProblem is the error of one field, with the label the user knows it
// by.
type fieldProblem struct {
	Path    string
	Label   string
	Message string
}

// envSource is where an environment variable's value comes from.
type envSource string

// The sources of a variable's value.
const (
	envFromValue     envSource = "value"
	envFromSecret    envSource = "secret"
	envFromConfigMap envSource = "configMap"
)

// newDeployForm is an empty form for namespace: one replica, not exposed.
func newDeployForm(config shared.DeploymentConfig, namespace string) deployForm {
	f := deployForm{
		Spec: shared.DeploymentSpec{Namespace: namespace, Replicas: 1, Exposure: shared.ExposeNone},
		Text: formText{Replicas: "1"},
	}
	f.config = config
	f.check()
	return f
}

// withConfig is the form checked against the cluster's configuration c,
// with nsProblem saying why the user may not deploy to its namespace
// ("" when they may).
func (f deployForm) withConfig(c shared.DeploymentConfig, nsProblem string) deployForm {
	f.config, f.nsProblem = c, nsProblem
	f.check()
	return f
}

// sanitized is a form read back from the draft, made sound: a known step
// no further than the first with errors, and checked.
func (f deployForm) sanitized() deployForm {
	if !f.Step.valid() {
		f.Step = stepBasics
	}
	if f.Spec.Exposure == "" {
		f.Spec.Exposure = shared.ExposeNone
	}
	f.own()
	f.check()
	if bad, ok := f.firstInvalid(f.Step - 1); ok {
		f.Step = bad
	}
	return f
}

// own copies everything of the form a copy of it shares: maps, slices and
// the key references of variables.
func (f *deployForm) own() {
	f.Touched = maps.Clone(f.Touched)
	if f.Touched == nil {
		f.Touched = map[string]bool{}
	}
	env := make([]shared.EnvVar, len(f.Spec.Env))
	for i, e := range f.Spec.Env {
		if e.SecretKeyRef != nil {
			r := *e.SecretKeyRef
			e.SecretKeyRef = &r
		}
		if e.ConfigMapKeyRef != nil {
			r := *e.ConfigMapKeyRef
			e.ConfigMapKeyRef = &r
		}
		env[i] = e
	}
	f.Spec.Env = nilIfEmpty(env)
	f.Spec.Volumes = nilIfEmpty(slices.Clone(f.Spec.Volumes))
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// check brings the spec up to date with the text fields and checks it.
func (f *deployForm) check() {
	local := map[string]string{}
	var ok bool
	if f.Spec.Port, ok = parseWhole(f.Text.Port); !ok {
		local["port"] = "Write the port in digits, such as 8080."
	}
	if f.Spec.Replicas, ok = parseWhole(f.Text.Replicas); !ok {
		local["replicas"] = "Write the number of replicas in digits, such as 2."
	}
	f.Spec.GPU = 0
	if f.Text.GPUOn {
		switch f.Spec.GPU, ok = parseWhole(f.Text.GPU); {
		case !ok:
			local["gpu"] = "Write the number of GPUs in digits, such as 1."
		case f.Spec.GPU <= 0:
			local["gpu"] = "Ask for at least one GPU, or turn GPUs off."
		}
	}
	var err error
	if f.Spec.Command, err = shared.SplitCommand(f.Text.Command); err != nil {
		local["command"] = asSentence(err.Error())
	}
	if f.Spec.Args, err = shared.SplitCommand(f.Text.Args); err != nil {
		local["args"] = asSentence(err.Error())
	}
	f.Spec.Command, f.Spec.Args = nilIfEmpty(f.Spec.Command), nilIfEmpty(f.Spec.Args)
	if f.nsProblem != "" {
		local["namespace"] = f.nsProblem
	}
	f.local = local
	f.err = f.Spec.ValidateFor(f.config)
	f.warnings = f.Spec.Warnings()
}

// parseWhole reads a whole number typed in a field; blank is 0. False when
// it is not written in digits.
func parseWhole(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// errorAt is the error of the field at path ("name", "env.1.key"), "" when
// it has none. The paths are the spec's JSON names, as
// ValidateFor keys its errors, but for a variable's source: "env.N.ref"
// and "env.N.key" name the Secret or ConfigMap the variable reads.
func (f deployForm) errorAt(path string) string {
	if m := f.local[path]; m != "" {
		return m
	}
	parts := strings.Split(path, ".")
	if len(parts) == 3 && parts[0] == "env" && (parts[2] == "ref" || parts[2] == "key") {
		i, _ := strconv.Atoi(parts[1])
		ref := "secretKeyRef"
		if f.envSource(i) == envFromConfigMap {
			ref = "configMapKeyRef"
		}
		sub := "name"
		if parts[2] == "key" {
			sub = "key"
		}
		return shared.FieldError(f.err, "env", parts[1], ref, sub)
	}
	return shared.FieldError(f.err, parts...)
}

// warningAt is the warning about the field at path: a doubtful but valid
// choice.
func (f deployForm) warningAt(path string) string { return f.warnings[path] }

// shows says whether the field's error is shown: once the user has
// touched the field.
func (f deployForm) shows(path string) bool { return f.Touched[path] }

// paths lists the fields of step s, in the order they show.
func (f deployForm) paths(s wizardStep) []string {
	switch s {
	case stepBasics:
		return []string{"name", "namespace", "image", "pullSecret", "port", "replicas"}
	case stepExposure:
		return []string{"exposure"}
	case stepResources:
		p := []string{"cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit"}
		if f.Text.GPUOn {
			p = append(p, "gpu")
		}
		return p
	case stepCommand:
		p := []string{"command", "args"}
		for i := range f.Spec.Env {
			row := "env." + strconv.Itoa(i) + "."
			p = append(p, row+"name")
			if f.envSource(i) == envFromValue {
				p = append(p, row+"value")
			} else {
				p = append(p, row+"ref", row+"key")
			}
		}
		return append(p, "env")
	case stepVolumes:
		var p []string
		for i, v := range f.Spec.Volumes {
			row := "volumes." + strconv.Itoa(i) + "."
			p = append(p, row+"type")
			if v.Type == shared.VolumePVC {
				p = append(p, row+"claim")
			}
			p = append(p, row+"mountPath")
		}
		return append(p, "volumes")
	}
	return nil
}

// problems are the errors of step s's fields. The list's own error ("env",
// "volumes": too many) counts only when no row has one, since it reports
// the first row's too.
func (f deployForm) problems(s wizardStep) []fieldProblem {
	var out []fieldProblem
	for _, p := range f.paths(s) {
		if (p == "env" || p == "volumes") && len(out) > 0 {
			continue
		}
		if m := f.errorAt(p); m != "" {
			out = append(out, fieldProblem{Path: p, Label: fieldLabel(p), Message: m})
		}
	}
	return out
}

// marked says whether the step bar marks step s as having errors: a field
// the user touched there has one.
func (f deployForm) marked(s wizardStep) bool {
	for _, p := range f.problems(s) {
		if f.shows(p.Path) || (p.Path == "env" || p.Path == "volumes") {
			return true
		}
	}
	return false
}

// firstInvalid is the first step up to last whose fields have errors.
func (f deployForm) firstInvalid(last wizardStep) (wizardStep, bool) {
	for _, s := range wizardSteps {
		if s > last {
			break
		}
		if len(f.problems(s)) > 0 {
			return s, true
		}
	}
	return 0, false
}

// canReach says whether the user may go to step s: back always, forward
// when every step before it is valid.
func (f deployForm) canReach(s wizardStep) bool {
	if !s.valid() {
		return false
	}
	if s <= f.Step {
		return true
	}
	_, bad := f.firstInvalid(s - 1)
	return !bad
}

// canNext says whether Next is enabled and, when not, why.
func (f deployForm) canNext() (bool, string) {
	if f.Step >= stepReview {
		return false, "This is the last step."
	}
	bad, ok := f.firstInvalid(f.Step)
	if !ok {
		return true, ""
	}
	labels := make([]string, 0, 4)
	for _, p := range f.problems(bad) {
		labels = append(labels, p.Label)
	}
	where := "this step"
	if bad != f.Step {
		where = bad.title()
	}
	return false, "Still to fix in " + where + ": " + strings.Join(labels, ", ") + "."
}

// valid says whether the whole spec passes the checks.
func (f deployForm) valid() bool {
	_, bad := f.firstInvalid(stepVolumes)
	return !bad
}

// host is the address the app will have outside the cluster, "" when it
// has none.
func (f deployForm) host() string {
	if !f.Spec.Exposure.External() || f.config.Domain == "" || f.Spec.Name == "" || f.Spec.Namespace == "" {
		return ""
	}
	return f.config.Host(f.Spec.Name, f.Spec.Namespace)
}

// preset is the name of the preset whose requests and limits the spec has,
// "" when none has them.
func (f deployForm) preset() string {
	for _, p := range f.config.Presets {
		if p.CPURequest == f.Spec.CPURequest && p.CPULimit == f.Spec.CPULimit &&
			p.MemoryRequest == f.Spec.MemoryRequest && p.MemoryLimit == f.Spec.MemoryLimit {
			return p.Name
		}
	}
	return ""
}

// envSource is where variable i takes its value from.
func (f deployForm) envSource(i int) envSource {
	if i < 0 || i >= len(f.Spec.Env) {
		return envFromValue
	}
	switch e := f.Spec.Env[i]; {
	case e.SecretKeyRef != nil:
		return envFromSecret
	case e.ConfigMapKeyRef != nil:
		return envFromConfigMap
	}
	return envFromValue
}

// volumeTypes are the volume types the cluster offers.
func (f deployForm) volumeTypes() []shared.VolumeType {
	out := []shared.VolumeType{shared.VolumePVC}
	if f.config.SharedPVC != "" {
		out = append(out, shared.VolumeSharedPVC)
	}
	if f.config.SSOTokenSecret != "" {
		out = append(out, shared.VolumeSSOToken)
	}
	return out
}

// fieldLabel is what the user knows the field at path by.
func fieldLabel(path string) string {
	parts := strings.Split(path, ".")
	if len(parts) == 3 {
		n, _ := strconv.Atoi(parts[1])
		switch parts[0] {
		case "env":
			return fmt.Sprintf("variable %d %s", n+1, map[string]string{
				"name": "name", "value": "value", "ref": "source", "key": "key"}[parts[2]])
		case "volumes":
			return fmt.Sprintf("volume %d %s", n+1, map[string]string{
				"type": "type", "claim": "claim", "mountPath": "mount path", "readOnly": "read-only"}[parts[2]])
		}
	}
	if l, ok := map[string]string{
		"name": "Name", "namespace": "Namespace", "image": "Image", "pullSecret": "Pull secret",
		"port": "Port", "replicas": "Replicas", "exposure": "Exposure",
		"cpuRequest": "CPU request", "cpuLimit": "CPU limit", "memoryRequest": "Memory request",
		"memoryLimit": "Memory limit", "gpu": "GPUs", "command": "Command", "args": "Arguments",
		"env": "Environment", "volumes": "Volumes",
	}[path]; ok {
		return l
	}
	return path
}
