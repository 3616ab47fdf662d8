package kube

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// Apps lists, from the cache, the apps the deployment wizard made for
// owner (a user name) in namespaces (nil: every namespace the cache
// holds), with their rollout progress and address, sorted by namespace and
// name. The caller checks that the user may list Deployments there.
func (o *Objects) Apps(namespaces []string, owner string, cfg DeployConfig) []shared.DeployedApp {
	w, ok := o.kinds["deployments"]
	if !ok {
		return nil
	}
	label := OwnerLabelValue(owner)
	var out []shared.DeployedApp
	seen := map[string]bool{}
	for _, inf := range w.informers {
		for _, item := range inf.GetStore().List() {
			d, ok := item.(*appsv1.Deployment)
			if !ok || d.Labels[LabelManagedBy] != ManagedByKubedeck || d.Labels[LabelOwner] != label ||
				d.Annotations[AnnotationOwner] != owner || seen[d.Namespace+"/"+d.Name] {
				continue
			}
			if namespaces != nil && !slices.Contains(namespaces, d.Namespace) {
				continue
			}
			seen[d.Namespace+"/"+d.Name] = true
			out = append(out, o.appOf(d, cfg))
		}
	}
	slices.SortFunc(out, func(a, b shared.DeployedApp) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// App is one app the wizard made, from the cache: its summary, the spec it
// was made from, its Deployment's and Service's rows, and (as opts allow)
// its Pods and recent events. It fails with ErrNotFound when the cache has
// no such Deployment made by Kubedeck.
func (o *Objects) App(namespace, name string, cfg DeployConfig, opts DetailOptions) (shared.DeploymentDetails, error) {
	notFound := newError(ErrNotFound, "There is no app "+namespace+"/"+name+" made by Kubedeck.", nil)
	d, ok := cached[*appsv1.Deployment](o.informerOf("deployments", namespace), namespace, name)
	if !ok || !madeByKubedeckLabels(d.Labels, name) {
		return shared.DeploymentDetails{}, notFound
	}
	out := shared.DeploymentDetails{App: o.appOf(d, cfg), Objects: []shared.Row{}, Pods: []shared.Row{}, Events: []shared.ObjectEvent{}}
	if spec, ok := specOf(d); ok {
		out.Spec = &spec
	}
	for _, kind := range []string{"deployments", "services"} {
		k, ok := o.Kind(kind)
		if !ok {
			continue
		}
		if row, ok := o.Row(k, namespace, name); ok && madeByKubedeckLabels(row.Labels, name) {
			out.Objects = append(out.Objects, row)
		}
	}
	if k, ok := o.Kind("deployments"); ok {
		if opts.Pods {
			out.Pods = append(out.Pods, o.podsOf(k, namespace, string(d.UID))...)
		}
		if opts.Events {
			out.Events = append(out.Events, o.eventsOf("Deployment", namespace, name)...)
		}
	}
	return out, nil
}

// appOf summarizes one app's Deployment.
func (o *Objects) appOf(d *appsv1.Deployment, cfg DeployConfig) shared.DeployedApp {
	rss, pods := o.rolloutOf(d)
	app := shared.DeployedApp{
		Name:      d.Name,
		Namespace: d.Namespace,
		Exposure:  shared.Exposure(d.Annotations[AnnotationExposure]),
		Owner:     d.Annotations[AnnotationOwner],
		Created:   d.CreationTimestamp.UTC().Format(time.RFC3339),
		Progress:  DeploymentProgress(d, rss, pods),
	}
	if cs := d.Spec.Template.Spec.Containers; len(cs) > 0 {
		app.Image = cs[0].Image
	}
	if app.Exposure.External() && cfg.Domain != "" {
		app.URL = appURL(cfg, cfg.Host(d.Name, d.Namespace))
	}
	return app
}

// appURL is the address of an app served at host.
func appURL(cfg DeployConfig, host string) string {
	if cfg.TLSSecret != "" {
		return "https://" + host + "/"
	}
	return "http://" + host + "/"
}

// specOf reads the spec an app was made from, kept in an annotation of its
// Deployment.
func specOf(d *appsv1.Deployment) (shared.DeploymentSpec, bool) {
	raw, ok := d.Annotations[AnnotationSpec]
	if !ok {
		return shared.DeploymentSpec{}, false
	}
	var spec shared.DeploymentSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return shared.DeploymentSpec{}, false
	}
	return spec, true
}

// madeByKubedeckLabels says whether labels are the ones the builder puts on
// the objects of app name.
func madeByKubedeckLabels(l map[string]string, name string) bool {
	return l[LabelManagedBy] == ManagedByKubedeck && l[LabelName] == name
}
