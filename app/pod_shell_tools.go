package main

import (
	"encoding/json"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// drawerTools is the drawer's controls above its tabs: a workload's Scale
// and Restart, a pod's Shell.
func (p *objectsPage) drawerTools(k shared.KindInfo) app.UI {
	if ui := p.workloadTools(k); ui != nil {
		return ui
	}
	return p.podShellTools(k)
}

// podShellTools is the drawer's Shell of a Pod whose detail is loaded: a
// link per container to the shell page when the user may create
// pods/exec in its namespace, else a disabled button with the reason; nil
// for other kinds.
func (p *objectsPage) podShellTools(k shared.KindInfo) app.UI {
	if k.Name != "pods" || p.drawer.state != statusLoaded {
		return nil
	}
	ns := p.view.drawerNamespace()
	can, why := p.known.of(ns).can(shared.ActionExecPods)
	return newPodShell(ns, p.view.Name, podContainerNames(p.drawer.detail.Spec)).Allowed(can, why).Base(basePathFromEnv())
}

// podContainerNames reads the names of a pod's containers from its spec.
func podContainerNames(spec json.RawMessage) []string {
	var s struct {
		Containers []struct {
			Name string `json:"name"`
		} `json:"containers"`
	}
	if json.Unmarshal(spec, &s) != nil {
		return nil
	}
	names := make([]string, 0, len(s.Containers))
	for _, c := range s.Containers {
		names = append(names, c.Name)
	}
	return names
}

// podShellView shows the Shell links of a pod.
type podShellView struct {
	app.Compo
	Namespace, Pod string
	Containers     []string
	Can            bool
	WhyNot         string
	Prefix         string
}

func newPodShell(namespace, pod string, containers []string) *podShellView {
	return &podShellView{Namespace: namespace, Pod: pod, Containers: containers}
}

// Allowed says whether the user may open a shell, and why not.
func (v *podShellView) Allowed(ok bool, why string) *podShellView {
	v.Can, v.WhyNot = ok, why
	return v
}

// Base sets the path prefix the app is served under.
func (v *podShellView) Base(base string) *podShellView { v.Prefix = base; return v }

// Render shows one link per container, or the disabled button and reason.
func (v *podShellView) Render() app.UI {
	section := app.Section().ID("kd-pod-shell").Class("kd-workload-actions").Aria("label", "Shell in "+v.Pod)
	if !v.Can || len(v.Containers) == 0 {
		why := v.WhyNot
		if v.Can {
			why = "The pod has no container to open a shell in."
		}
		return section.Body(newGuardedButton("kd-shell", "Shell").Allowed(false, why).UI())
	}
	return section.Body(app.Range(v.Containers).Slice(func(i int) app.UI {
		c := v.Containers[i]
		label := "Shell"
		if len(v.Containers) > 1 {
			label = "Shell in " + c
		}
		return app.A().ID("kd-shell-" + c).Class("kd-button").Href(shellURL(v.Prefix, v.Namespace, v.Pod, c)).Text(label)
	}))
}
