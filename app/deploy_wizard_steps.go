package main

import (
	"strconv"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The wizard's first steps: what runs, who reaches it, what it may use.

// basicsStep is the name, namespace, image, pull secret, port and replicas.
func (w *deployWizard) basicsStep() app.UI {
	s := w.Form.Spec
	head := []app.UI{
		w.text(textInput{path: "name", label: "Name", value: s.Name, placeholder: "my-app",
			help: "Lower-case letters, digits and '-', starting with a letter; it names the Deployment, its Service and its Ingress."}),
		w.namespaceField(),
	}
	if w.Edit {
		head = []app.UI{
			w.fixed("name", "Name", s.Name),
			w.fixed("namespace", "Namespace", s.Namespace),
			app.P().ID("deploy-fixed-note").Class("kd-field-help").
				Text("An app keeps its name and namespace: to rename or move it, deploy a new app and delete this one."),
		}
	}
	return app.Div().Class("kd-wstep").Body(append(head, w.basicsRest()...)...)
}

// fixed is a field the user may read but not change.
func (w *deployWizard) fixed(path, label, value string) app.UI {
	id := fieldID(path)
	return app.Div().Class("kd-wfield").DataSet("field", path).Body(
		app.Label().For(id).Text(label),
		app.Input().Type("text").ID(id).Class("kd-input").Value(value).ReadOnly(true).
			Aria("readonly", "true").Aria("describedby", "deploy-fixed-note"),
	)
}

// basicsRest is the basics after the name and namespace.
func (w *deployWizard) basicsRest() []app.UI {
	f := w.Form
	s := f.Spec
	maxReplicas := f.config.MaxReplicas
	if maxReplicas <= 0 {
		maxReplicas = shared.DefaultDeploymentConfig().MaxReplicas
	}
	return []app.UI{
		w.text(textInput{path: "image", label: "Container image", value: s.Image, placeholder: "nginx:1.27",
			help: "A reference such as nginx:1.27 or registry.example.com/team/app:1.0."}),
		w.text(textInput{path: "pullSecret", label: "Pull secret (optional)", value: s.PullSecret,
			help: "The Secret holding the credentials of a private registry, in the same namespace."}),
		w.text(textInput{path: "port", label: "Port (optional)", value: f.Text.Port, numeric: true, placeholder: "8080",
			help: "The port the container listens on; an app reached through a Service needs it."}),
		w.text(textInput{path: "replicas", label: "Replicas", value: f.Text.Replicas, numeric: true,
			help: "How many copies of the container run, from 1 to " + strconv.Itoa(maxReplicas) + "."}),
	}
}

// namespaceField offers the namespaces the user may deploy to. One they may
// not (remembered from earlier) shows with the reason Kubernetes gave.
func (w *deployWizard) namespaceField() app.UI {
	allowed := 0
	options := make([]option, 0, len(w.Choices)+1)
	for _, c := range w.Choices {
		text := c.Name
		if c.Allowed {
			allowed++
		} else {
			text += " (you may not deploy here)"
		}
		options = append(options, option{value: c.Name, text: text})
	}
	if w.Form.Spec.Namespace == "" {
		options = append([]option{{value: "", text: "Choose a namespace"}}, options...)
	}
	help := "Where the app runs; you are offered the namespaces where you may create Deployments."
	if allowed == 0 {
		help = "You may create Deployments in no namespace of this cluster; ask its administrators for the right."
	}
	return w.choice("namespace", "Namespace", help, w.Form.Spec.Namespace, options, true)
}

// exposureStep is who can reach the app, and the address that makes.
func (w *deployWizard) exposureStep() app.UI {
	f := w.Form
	cfg := f.config
	noDomain := "This cluster has no domain for apps, so no app can be reached from outside it."
	type choice struct {
		e           shared.Exposure
		title, text string
		why         string // why it is not offered
	}
	choices := []choice{
		{shared.ExposeNone, "Not exposed", "Only the Pods run; nothing reaches them through the network by name.", ""},
		{shared.ExposeInternal, "Inside the cluster", "A Service: other apps of the cluster reach it by name.", ""},
		{shared.ExposePrivate, "Outside, behind sign-in", "A Service and an Ingress; people sign in through the platform first.", ""},
		{shared.ExposePublic, "Outside, for anyone", "A Service and an Ingress anyone on the network can reach.", ""},
	}
	for i := range choices {
		switch {
		case choices[i].e.External() && cfg.Domain == "":
			choices[i].why = noDomain
		case choices[i].e == shared.ExposePrivate && !cfg.Private:
			choices[i].why = "This cluster has no sign-in for apps."
		}
	}
	err := w.errorShown("exposure", true)
	portErr := ""
	if f.Spec.Exposure.Exposed() {
		portErr = f.errorAt("port")
	}
	return app.Div().Class("kd-wstep").Body(
		app.FieldSet().Class("kd-wfield kd-choices").Aria("describedby", "deploy-exposure-error").Body(
			app.Legend().Text("Who can reach the app"),
			app.Range(choices).Slice(func(i int) app.UI {
				c := choices[i]
				id := "deploy-exposure-" + string(c.e)
				radio := app.Input().Type("radio").ID(id).Name("deploy-exposure").Value(string(c.e)).
					Checked(f.Spec.Exposure == c.e).Aria("describedby", id+"-text").
					OnChange(w.guard(w.input("exposure")), app.EventScope("exposure-"+string(c.e)))
				if c.why != "" && f.Spec.Exposure != c.e {
					radio = radio.Disabled(true)
				}
				text := c.text
				if c.why != "" {
					text += " " + c.why
				}
				return app.Div().Class("kd-choice").DataSet("exposure", string(c.e)).Body(
					radio,
					app.Label().For(id).Text(c.title),
					app.P().ID(id+"-text").Class("kd-field-help").Text(text),
				)
			}),
			app.P().ID("deploy-exposure-error").Class("kd-field-error").Aria("live", "polite").Text(err),
		),
		app.If(portErr != "", func() app.UI {
			return app.P().ID("deploy-exposure-port").Class("kd-field-error").Body(
				app.Text("Port: "+portErr+" "),
				app.Button().Type("button").Class("kd-button kd-link-button").
					OnClick(w.guard(w.toStep(stepBasics)), app.EventScope("port-basics")).Text("Set it in Basics"),
			)
		}),
		w.address(),
	)
}

// address says where the app will be reached.
func (w *deployWizard) address() app.UI {
	f := w.Form
	s := f.Spec
	var text string
	switch {
	case s.Exposure.External() && f.host() != "":
		text = "It will be reached at " + f.host() + "."
	case s.Exposure.External():
		text = "It will be reached at an address made from its name and namespace, once both are set."
	case s.Exposure == shared.ExposeInternal && s.Name != "" && s.Namespace != "":
		text = "Other apps will reach it at " + s.Name + "." + s.Namespace + ".svc"
		if s.Port > 0 {
			text += ":" + strconv.Itoa(s.Port)
		}
		text += "."
	default:
		return app.Text("")
	}
	return app.P().ID("deploy-url").Class("kd-notice").Role("status").Text(text)
}

// resourcesStep is the presets, the CPU and memory requests and limits,
// and the GPUs when the cluster offers them.
func (w *deployWizard) resourcesStep() app.UI {
	f := w.Form
	s := f.Spec
	current := f.preset()
	return app.Div().Class("kd-wstep").Body(
		app.If(len(f.config.Presets) > 0, func() app.UI {
			return app.FieldSet().Class("kd-wfield kd-presets").Body(
				app.Legend().Text("Presets"),
				app.Range(f.config.Presets).Slice(func(i int) app.UI {
					p := f.config.Presets[i]
					return app.Button().Type("button").ID("deploy-preset-"+p.Name).Class("kd-button kd-preset").
						Aria("pressed", p.Name == current).
						OnClick(w.guard(w.pick(p.Name)), app.EventScope("preset-"+p.Name)).Body(
						app.Strong().Text(p.Name),
						app.Span().Class("kd-preset-values").Text(presetText(p)),
					)
				}),
			)
		}),
		app.Div().Class("kd-wgrid").Body(
			w.text(textInput{path: "cpuRequest", label: "CPU request", value: s.CPURequest, placeholder: "250m",
				help: "CPU set aside for the app: 250m is a quarter of a core."}),
			w.text(textInput{path: "cpuLimit", label: "CPU limit", value: s.CPULimit, placeholder: "500m",
				help: "The most CPU it may use."}),
			w.text(textInput{path: "memoryRequest", label: "Memory request", value: s.MemoryRequest, placeholder: "256Mi",
				help: "Memory set aside: 256Mi, 1Gi."}),
			w.text(textInput{path: "memoryLimit", label: "Memory limit", value: s.MemoryLimit, placeholder: "512Mi",
				help: "Past it the container is stopped."}),
		),
		app.If(f.config.MaxGPU > 0, func() app.UI {
			return app.Div().Class("kd-wgpu").Body(
				w.checkbox("gpuOn", "Use GPUs", "Up to "+strconv.Itoa(f.config.MaxGPU)+" ("+f.config.GPUResource+").", f.Text.GPUOn, false),
				app.If(f.Text.GPUOn, func() app.UI {
					return w.text(textInput{path: "gpu", label: "Number of GPUs", value: f.Text.GPU, numeric: true})
				}),
			)
		}),
	)
}

// presetText shows a preset's requests and limits.
func presetText(p shared.ResourcePreset) string {
	part := func(req, lim, what string) string {
		switch {
		case req == "" && lim == "":
			return ""
		case lim == "":
			return req + " " + what
		case req == "":
			return "up to " + lim + " " + what
		}
		return req + "–" + lim + " " + what
	}
	s := part(p.CPURequest, p.CPULimit, "CPU")
	if m := part(p.MemoryRequest, p.MemoryLimit, "memory"); m != "" {
		if s != "" {
			s += ", "
		}
		s += m
	}
	return s
}

// pick applies a preset.
func (w *deployWizard) pick(name string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if w.onEdit != nil {
			w.onEdit(ctx, "preset", name)
		}
	}
}
