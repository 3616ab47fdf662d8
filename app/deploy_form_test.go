package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

// testDeployConfig is a cluster with a domain, sign-in, GPUs, a shared
// volume and sign-in tokens.
func testDeployConfig() shared.DeploymentConfig {
	c := shared.DefaultDeploymentConfig()
	c.Domain, c.Private, c.MaxGPU = "apps.example", true, 2
	c.SharedPVC, c.SSOTokenSecret = "shared-data", "sso-token"
	return c
}

// filledForm is a form whose Basics are valid.
func filledForm(t *testing.T) deployForm {
	t.Helper()
	f := newDeployForm(testDeployConfig(), "team-a")
	f.set("name", "web")
	f.set("image", "nginx:1.27")
	if ok, why := f.canNext(); !ok {
		t.Fatalf("filled Basics: Next disabled: %s", why)
	}
	return f
}

func TestDeployStepOf(t *testing.T) {
	tests := []struct {
		path string
		want wizardStep
		ok   bool
	}{
		{"name", stepBasics, true},
		{"pullSecret", stepBasics, true},
		{"port", stepBasics, true},
		{"exposure", stepExposure, true},
		{"memoryLimit", stepResources, true},
		{"gpuOn", stepResources, true},
		{"args", stepCommand, true},
		{"env", stepCommand, true},
		{"env.3.name", stepCommand, true},
		{"env.0.key", stepCommand, true},
		{"volumes.1.mountPath", stepVolumes, true},
		{"nonsense", stepBasics, false},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, ok := stepOf(tc.path)
			if diff := cmp.Diff([]any{tc.want, tc.ok}, []any{got, ok}); diff != "" {
				t.Errorf("stepOf(%q) (-want +got):\n%s", tc.path, diff)
			}
		})
	}
	// Every field the form lists belongs to the step that lists it.
	f := filledForm(t)
	f.addEnv()
	f.addVolume()
	for _, s := range wizardSteps {
		for _, p := range f.paths(s) {
			if got, ok := stepOf(p); !ok || got != s {
				t.Errorf("stepOf(%q) = %v, %v; the form lists it in %v", p, got, ok, s)
			}
		}
	}
}

// The errors are the shared rules', found as the user types: an invalid
// name shows beside the field once touched, marks the step and keeps Next
// disabled; fixing it enables Next.
func TestDeployFormChecksAsTyped(t *testing.T) {
	f := newDeployForm(testDeployConfig(), "team-a")
	if f.shows("name") || f.marked(stepBasics) {
		t.Errorf("an untouched form shows errors: touched %v, marked %v", f.Touched, f.marked(stepBasics))
	}
	if ok, why := f.canNext(); ok || !strings.Contains(why, "Name") || !strings.Contains(why, "Image") {
		t.Errorf("empty form: Next %v (%q), want disabled naming Name and Image", ok, why)
	}

	f.set("name", "Web")
	want := shared.FieldError(f.Spec.ValidateFor(testDeployConfig()), "name")
	if want == "" || f.errorAt("name") != want || !f.shows("name") {
		t.Fatalf("name Web: error %q shown %v, want %q shown", f.errorAt("name"), f.shows("name"), want)
	}
	if !f.marked(stepBasics) || f.marked(stepExposure) {
		t.Errorf("marked: basics %v exposure %v, want only basics", f.marked(stepBasics), f.marked(stepExposure))
	}
	if f.canReach(stepExposure) {
		t.Error("Exposure is reachable with errors in Basics")
	}

	f.set("name", "web")
	f.set("image", "nginx")
	if ok, why := f.canNext(); !ok {
		t.Fatalf("valid Basics: Next disabled: %s", why)
	}
	if f.warningAt("image") == "" || f.errorAt("image") != "" {
		t.Errorf("image without a tag: warning %q error %q, want a warning only", f.warningAt("image"), f.errorAt("image"))
	}
	if !f.goTo(stepExposure) || f.Step != stepExposure {
		t.Fatalf("could not go to Exposure")
	}

	// Exposing the app asks for a port, in Basics: the step bar marks it
	// and Next says where.
	f.set("exposure", string(shared.ExposePublic))
	if f.errorAt("port") == "" || !f.marked(stepBasics) {
		t.Errorf("public without a port: port error %q, basics marked %v", f.errorAt("port"), f.marked(stepBasics))
	}
	if ok, why := f.canNext(); ok || !strings.Contains(why, "Basics") || !strings.Contains(why, "Port") {
		t.Errorf("Next %v (%q), want disabled naming Basics and Port", ok, why)
	}
	f.set("port", "8080")
	if ok, why := f.canNext(); !ok {
		t.Errorf("with a port: Next disabled: %s", why)
	}
	if got := f.host(); got != "web.team-a.apps.example" {
		t.Errorf("host %q", got)
	}
}

func TestDeployFormFields(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(f *deployForm)
		path  string
		error bool
		check func(t *testing.T, f deployForm)
	}{
		{"port not in digits", func(f *deployForm) { f.set("port", "80a") }, "port", true, nil},
		{"port out of range", func(f *deployForm) { f.set("port", "70000") }, "port", true, nil},
		{"no replicas", func(f *deployForm) { f.set("replicas", "") }, "replicas", true, nil},
		{"replicas", func(f *deployForm) { f.set("replicas", " 3 ") }, "replicas", false, func(t *testing.T, f deployForm) {
			if f.Spec.Replicas != 3 {
				t.Errorf("replicas %d", f.Spec.Replicas)
			}
		}},
		{"limit below request", func(f *deployForm) {
			f.set("cpuRequest", "500m")
			f.set("cpuLimit", "250m")
		}, "cpuLimit", true, nil},
		{"memory in milli-bytes warns", func(f *deployForm) { f.set("memoryRequest", "512m") }, "memoryRequest", false,
			func(t *testing.T, f deployForm) {
				if f.warningAt("memoryRequest") == "" {
					t.Error("no warning")
				}
			}},
		{"preset", func(f *deployForm) { f.set("preset", "medium") }, "cpuRequest", false, func(t *testing.T, f deployForm) {
			if f.Spec.CPURequest != "500m" || f.Spec.MemoryLimit != "2Gi" || f.preset() != "medium" {
				t.Errorf("after the medium preset: %+v, preset %q", f.Spec, f.preset())
			}
		}},
		{"GPUs on", func(f *deployForm) { f.set("gpuOn", "true") }, "gpu", false, func(t *testing.T, f deployForm) {
			if f.Spec.GPU != 1 {
				t.Errorf("GPU %d, want 1 once turned on", f.Spec.GPU)
			}
		}},
		{"too many GPUs", func(f *deployForm) {
			f.set("gpuOn", "true")
			f.set("gpu", "3")
		}, "gpu", true, nil},
		{"GPUs off again", func(f *deployForm) {
			f.set("gpuOn", "true")
			f.set("gpu", "3")
			f.set("gpuOn", "false")
		}, "gpu", false, func(t *testing.T, f deployForm) {
			if f.Spec.GPU != 0 || len(f.problems(stepResources)) != 0 {
				t.Errorf("GPU %d, problems %v", f.Spec.GPU, f.problems(stepResources))
			}
		}},
		{"variable name", func(f *deployForm) {
			f.addEnv()
			f.set("env.0.name", "1X")
		}, "env.0.name", true, func(t *testing.T, f deployForm) {
			if f.errorAt("env.0.name") != shared.FieldError(f.err, "env", "0", "name") {
				t.Errorf("error %q", f.errorAt("env.0.name"))
			}
			if ps := f.problems(stepCommand); len(ps) != 1 || ps[0].Label != "variable 1 name" {
				t.Errorf("problems %+v, want the name's alone (the list repeats it)", ps)
			}
		}},
		{"variable from a Secret", func(f *deployForm) {
			f.addEnv()
			f.set("env.0.name", "TOKEN")
			f.set("env.0.value", "x")
			f.set("env.0.source", string(envFromSecret))
			f.set("env.0.ref", "api")
		}, "env.0.key", true, func(t *testing.T, f deployForm) {
			want := shared.EnvVar{Name: "TOKEN", SecretKeyRef: &shared.KeyRef{Name: "api"}}
			if diff := cmp.Diff([]shared.EnvVar{want}, f.Spec.Env); diff != "" {
				t.Errorf("env (-want +got):\n%s", diff)
			}
		}},
		{"volume mount path", func(f *deployForm) {
			f.addVolume()
			f.set("volumes.0.claim", "data")
			f.set("volumes.0.mountPath", "data")
		}, "volumes.0.mountPath", true, nil},
		{"sign-in token is read-only", func(f *deployForm) {
			f.addVolume()
			f.set("volumes.0.type", string(shared.VolumeSSOToken))
			f.set("volumes.0.readOnly", "false")
			f.set("volumes.0.mountPath", "/var/run/sso")
		}, "volumes.0.type", false, func(t *testing.T, f deployForm) {
			if !f.Spec.Volumes[0].ReadOnly || len(f.problems(stepVolumes)) != 0 {
				t.Errorf("volume %+v, problems %v", f.Spec.Volumes[0], f.problems(stepVolumes))
			}
		}},
		{"command with an open quote", func(f *deployForm) { f.set("command", `sh -c 'echo`) }, "command", true, nil},
		{"command", func(f *deployForm) { f.set("command", `sh -c 'echo hi'`) }, "command", false, func(t *testing.T, f deployForm) {
			if diff := cmp.Diff([]string{"sh", "-c", "echo hi"}, f.Spec.Command); diff != "" {
				t.Errorf("command (-want +got):\n%s", diff)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := filledForm(t)
			tc.edit(&f)
			if got := f.errorAt(tc.path) != ""; got != tc.error {
				t.Errorf("error at %s: %q, want one: %v", tc.path, f.errorAt(tc.path), tc.error)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

// A copy of the form (a component's props) never changes when the form
// does.
func TestDeployFormCopiesWhatItChanges(t *testing.T) {
	f := filledForm(t)
	f.addEnv()
	f.set("env.0.source", string(envFromConfigMap))
	f.addVolume()
	before := f
	snapshot, _ := json.Marshal(before)
	f.set("env.0.ref", "settings")
	f.set("volumes.0.mountPath", "/data")
	f.set("name", "other")
	f.removeEnv(0)
	if after, _ := json.Marshal(before); string(after) != string(snapshot) {
		t.Errorf("the copy changed:\n%s\n%s", snapshot, after)
	}
	if before.Spec.Env[0].ConfigMapKeyRef.Name != "" {
		t.Error("the copy's key reference changed")
	}
}

func TestDeployFormRemoveRow(t *testing.T) {
	f := filledForm(t)
	for range 3 {
		f.addEnv()
	}
	f.set("env.0.name", "A")
	f.set("env.1.name", "1B")
	f.set("env.2.name", "C")
	f.removeEnv(0)
	if diff := cmp.Diff([]string{"1B", "C"}, []string{f.Spec.Env[0].Name, f.Spec.Env[1].Name}); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if !f.Touched["env.0.name"] || !f.Touched["env.1.name"] || f.Touched["env.2.name"] {
		t.Errorf("touched %v, want rows 0 and 1 only", f.Touched)
	}
	if f.errorAt("env.0.name") == "" || f.errorAt("env.1.name") != "" {
		t.Errorf("errors follow the rows: %q %q", f.errorAt("env.0.name"), f.errorAt("env.1.name"))
	}
}

// The form goes to sessionStorage as JSON and comes back the same; a step
// whose earlier steps are no longer valid is not where it comes back.
func TestDeployFormDraft(t *testing.T) {
	f := filledForm(t)
	f.set("port", "8080")
	f.set("exposure", string(shared.ExposeInternal))
	f.addEnv()
	f.set("env.0.name", "GREETING")
	f.set("env.0.value", "hello")
	f.set("command", `sh -c 'echo hi'`)
	f.Step = stepCommand
	f.Paste = "SECRET=1"
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "SECRET") {
		t.Errorf("the paste box went to the draft: %s", raw)
	}
	var back deployForm
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	back = back.sanitized().withConfig(testDeployConfig(), "")
	if diff := cmp.Diff(f.Spec, back.Spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{f.Text, f.Step, f.Touched}, []any{back.Text, back.Step, back.Touched}); diff != "" {
		t.Errorf("text, step, touched (-want +got):\n%s", diff)
	}

	// A draft at Review whose name is invalid comes back at Basics.
	f.Spec.Name, f.Step = "Bad", stepReview
	raw, _ = json.Marshal(f)
	back = deployForm{}
	_ = json.Unmarshal(raw, &back)
	if back = back.sanitized(); back.Step != stepBasics {
		t.Errorf("step %v, want Basics", back.Step)
	}
	// Nonsense comes back as Basics.
	if got := (deployForm{Step: 42}).sanitized(); got.Step != stepBasics || got.Spec.Exposure != shared.ExposeNone {
		t.Errorf("sanitized nonsense: step %v exposure %q", got.Step, got.Spec.Exposure)
	}
}

func TestDeployPickNamespace(t *testing.T) {
	tests := []struct {
		name, current, remembered string
		offered                   []string
		want                      string
	}{
		{"the draft's", "team-b", "team-a", []string{"team-a", "team-b"}, "team-b"},
		{"the remembered one", "", "team-b", []string{"default", "team-a", "team-b"}, "team-b"},
		{"default when the remembered one is not offered", "old", "old", []string{"default", "team-a"}, "default"},
		{"else the first", "", "", []string{"team-a", "team-b"}, "team-a"},
		{"none offered: kept, to say why", "team-a", "", nil, "team-a"},
		{"none offered: the remembered one", "", "team-a", nil, "team-a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pickNamespace(tc.current, tc.remembered, tc.offered); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDeployNamespaceProblem(t *testing.T) {
	refused := shared.Me{Can: map[string]bool{shared.ActionCreateDeployments: false},
		Reasons: map[string]string{shared.ActionCreateDeployments: "RBAC: you may only view team-a."}}
	allowed := shared.Me{Can: map[string]bool{shared.ActionCreateDeployments: true}}
	tests := []struct {
		name  string
		ns    string
		perms nsPermissions
		want  string
	}{
		{"offered", "team-b", nsPermissions{}, ""},
		{"not offered, not checked yet", "team-a", nsPermissions{Namespace: "team-a"}, "You may not create Deployments in team-a."},
		{"not offered: Kubernetes' reason", "team-a", nsPermissions{Namespace: "team-a", Status: statusLoaded, Me: refused},
			"RBAC: you may only view team-a."},
		{"allowed since", "team-a", nsPermissions{Namespace: "team-a", Status: statusLoaded, Me: allowed},
			"You may now create Deployments in team-a: check your permissions again below."},
		{"none chosen", "", nsPermissions{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := namespaceProblem(tc.ns, []string{"team-b"}, tc.perms); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Pasted KEY=value lines become variables; a name already set takes the
// pasted value; lines that are not assignments stay in the box with the
// reason.
func TestDeployFormPaste(t *testing.T) {
	f := filledForm(t)
	f.addEnv()
	f.set("env.0.name", "B")
	f.set("env.0.value", "old")
	f.set("envPaste", "A=1\nnot an assignment\nB=2\nexport A='three'\n")
	f.pasteEnv()
	want := []shared.EnvVar{{Name: "B", Value: "2"}, {Name: "A", Value: "three"}}
	if diff := cmp.Diff(want, f.Spec.Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if f.Paste != "not an assignment" || !strings.HasPrefix(f.PasteErr, "Line 2: ") {
		t.Errorf("box %q, error %q; want the bad line kept and named", f.Paste, f.PasteErr)
	}
	f.set("envPaste", "")
	f.pasteEnv()
	if f.PasteErr == "" {
		t.Error("pasting nothing says nothing")
	}
	f.set("envPaste", "C=3")
	f.pasteEnv()
	if f.Paste != "" || f.PasteErr != "" || len(f.Spec.Env) != 3 || !f.Touched["env.2.value"] {
		t.Errorf("after a clean paste: box %q error %q env %v", f.Paste, f.PasteErr, f.Spec.Env)
	}
}
