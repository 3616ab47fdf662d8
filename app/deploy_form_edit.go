package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// The changes the user makes to the deployment form. Each marks what it
// changes as touched (so its error shows) and checks the form again.

// set gives the field at path the value typed or chosen ("true"/"false"
// for a checkbox).
func (f *deployForm) set(path, value string) {
	f.own()
	f.Touched[path] = true
	parts := strings.Split(path, ".")
	s := &f.Spec
	switch parts[0] {
	case "name":
		s.Name = value
	case "namespace":
		s.Namespace = value
	case "image":
		s.Image = value
	case "pullSecret":
		s.PullSecret = value
	case "port":
		f.Text.Port = value
	case "replicas":
		f.Text.Replicas = value
	case "exposure":
		s.Exposure = shared.Exposure(value)
		if s.Exposure.Exposed() {
			f.Touched["port"] = true // an exposed app needs one: say so in Basics
		}
	case "preset":
		f.applyPreset(value)
	case "cpuRequest":
		s.CPURequest = value
	case "cpuLimit":
		s.CPULimit = value
	case "memoryRequest":
		s.MemoryRequest = value
	case "memoryLimit":
		s.MemoryLimit = value
	case "gpuOn":
		f.Text.GPUOn = value == "true"
		if f.Text.GPUOn && strings.TrimSpace(f.Text.GPU) == "" {
			f.Text.GPU = "1"
		}
	case "gpu":
		f.Text.GPU = value
	case "command":
		f.Text.Command = value
	case "args":
		f.Text.Args = value
	case "envPaste":
		delete(f.Touched, path)
		f.Paste, f.PasteErr = value, ""
	case "env":
		if i, ok := rowIndex(parts, len(s.Env)); ok {
			f.setEnv(i, parts[2], value)
		}
	case "volumes":
		if i, ok := rowIndex(parts, len(s.Volumes)); ok {
			f.setVolume(i, parts[2], value)
		}
	}
	f.check()
}

// rowIndex reads the row of a path "env.N.field" whose list has n rows.
func rowIndex(parts []string, n int) (int, bool) {
	if len(parts) != 3 {
		return 0, false
	}
	i, err := strconv.Atoi(parts[1])
	return i, err == nil && i >= 0 && i < n
}

// applyPreset sets the requests and limits of the preset called name.
func (f *deployForm) applyPreset(name string) {
	for _, p := range f.config.Presets {
		if p.Name == name {
			f.Spec.CPURequest, f.Spec.CPULimit = p.CPURequest, p.CPULimit
			f.Spec.MemoryRequest, f.Spec.MemoryLimit = p.MemoryRequest, p.MemoryLimit
			for _, field := range []string{"cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit"} {
				f.Touched[field] = true
			}
			return
		}
	}
}

// setEnv changes one field of variable i: "name", "value", "source"
// (value, secret or configMap: the others are cleared), "ref" (the Secret
// or ConfigMap's name) or "key".
func (f *deployForm) setEnv(i int, field, value string) {
	e := &f.Spec.Env[i]
	ref := e.SecretKeyRef
	if ref == nil {
		ref = e.ConfigMapKeyRef
	}
	switch field {
	case "name":
		e.Name = value
	case "value":
		e.Value = value
	case "source":
		switch envSource(value) {
		case envFromSecret:
			e.Value, e.SecretKeyRef, e.ConfigMapKeyRef = "", keyRefOr(ref), nil
		case envFromConfigMap:
			e.Value, e.SecretKeyRef, e.ConfigMapKeyRef = "", nil, keyRefOr(ref)
		default:
			e.SecretKeyRef, e.ConfigMapKeyRef = nil, nil
		}
	case "ref", "key":
		if ref == nil {
			return
		}
		if field == "ref" {
			ref.Name = value
		} else {
			ref.Key = value
		}
	}
}

// keyRefOr is r (already the form's own copy), or a new empty one.
func keyRefOr(r *shared.KeyRef) *shared.KeyRef {
	if r == nil {
		return &shared.KeyRef{}
	}
	return r
}

// setVolume changes one field of volume i: "type", "claim", "mountPath"
// or "readOnly" ("true"/"false"). The sign-in token is always read-only.
func (f *deployForm) setVolume(i int, field, value string) {
	v := &f.Spec.Volumes[i]
	switch field {
	case "type":
		prev := v.Type
		v.Type = shared.VolumeType(value)
		if v.Type != shared.VolumePVC {
			v.Claim = ""
		}
		switch {
		case v.Type == shared.VolumeSSOToken:
			v.ReadOnly = true
		case prev == shared.VolumeSSOToken:
			v.ReadOnly = false
		}
	case "claim":
		v.Claim = value
	case "mountPath":
		v.MountPath = value
	case "readOnly":
		v.ReadOnly = value == "true" || v.Type == shared.VolumeSSOToken
	}
}

// addEnv adds an empty variable, taking its value as typed.
func (f *deployForm) addEnv() {
	f.own()
	f.Spec.Env = append(f.Spec.Env, shared.EnvVar{})
	f.check()
}

// removeEnv removes variable i.
func (f *deployForm) removeEnv(i int) {
	if i < 0 || i >= len(f.Spec.Env) {
		return
	}
	f.own()
	f.Spec.Env = nilIfEmpty(append(f.Spec.Env[:i], f.Spec.Env[i+1:]...))
	f.shiftTouched("env", i)
	f.check()
}

// addVolume adds a volume of the first type the cluster offers.
func (f *deployForm) addVolume() {
	f.own()
	f.Spec.Volumes = append(f.Spec.Volumes, shared.Volume{Type: shared.VolumePVC})
	f.check()
}

// removeVolume removes volume i.
func (f *deployForm) removeVolume(i int) {
	if i < 0 || i >= len(f.Spec.Volumes) {
		return
	}
	f.own()
	f.Spec.Volumes = nilIfEmpty(append(f.Spec.Volumes[:i], f.Spec.Volumes[i+1:]...))
	f.shiftTouched("volumes", i)
	f.check()
}

// shiftTouched forgets row i of list ("env", "volumes") and moves the marks
// of the rows after it up by one, as the rows moved.
func (f *deployForm) shiftTouched(list string, i int) {
	moved := map[string]bool{}
	for k, v := range f.Touched {
		parts := strings.SplitN(k, ".", 3)
		if parts[0] != list || len(parts) != 3 {
			moved[k] = v
			continue
		}
		n, err := strconv.Atoi(parts[1])
		switch {
		case err != nil || n < i:
			moved[k] = v
		case n > i:
			moved[list+"."+strconv.Itoa(n-1)+"."+parts[2]] = v
		}
	}
	f.Touched = moved
}

// pasteEnv adds the variables of the paste box's KEY=value lines: a name
// already set takes the pasted value (the last line wins). The lines that
// are not assignments stay in the box, with what is wrong with them.
func (f *deployForm) pasteEnv() {
	vars, bad := shared.ParseEnvLines(f.Paste)
	if len(vars) == 0 && len(bad) == 0 {
		f.PasteErr = "Paste lines such as DEBUG=1, one variable a line."
		return
	}
	f.own()
	for _, v := range vars {
		i := slices.IndexFunc(f.Spec.Env, func(e shared.EnvVar) bool { return e.Name == v.Name })
		if i < 0 {
			i = len(f.Spec.Env)
			f.Spec.Env = append(f.Spec.Env, v)
		} else {
			f.Spec.Env[i] = v
		}
		f.Touched["env."+strconv.Itoa(i)+".name"] = true
		f.Touched["env."+strconv.Itoa(i)+".value"] = true
	}
	lines := make([]string, len(bad))
	msgs := make([]string, 0, 3)
	for i, e := range bad {
		lines[i] = e.Text
		if i < 3 {
			msgs = append(msgs, asSentence(fmt.Sprintf("line %d: %s", e.Line, e.Message)))
		}
	}
	if len(bad) > 3 {
		msgs = append(msgs, fmt.Sprintf("And %d more lines.", len(bad)-3))
	}
	f.Paste, f.PasteErr = strings.Join(lines, "\n"), strings.Join(msgs, " ")
	f.check()
}

// goTo shows step s when the user may reach it; false when not.
func (f *deployForm) goTo(s wizardStep) bool {
	if !f.canReach(s) {
		return false
	}
	f.Step = s
	return true
}

// asSentence writes a message of shared's parsers ("the single quote …
// is never closed") as a sentence: a capital first, a full stop last.
func asSentence(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
