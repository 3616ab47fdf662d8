package kube

import (
	"fmt"
	"slices"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	toolscache "k8s.io/client-go/tools/cache"
)

// The hosts Ingresses serve, from the informers: every Ingress of the
// namespaces the cache watches, whoever made it, so that an app is never
// given a host another Ingress serves already.

// byHost indexes Ingresses by the hosts of their rules and TLS entries,
// lower-cased.
const byHost = "host"

// HostUse is an Ingress that serves a host.
type HostUse struct {
	Namespace string
	Name      string
	// App is the app Kubedeck made the Ingress for; "" for an Ingress
	// Kubedeck did not make.
	App string
}

// String names the Ingress, and its app when Kubedeck made it, for people.
func (h HostUse) String() string {
	if h.App != "" {
		return fmt.Sprintf("the app %s/%s", h.Namespace, h.App)
	}
	return fmt.Sprintf("the Ingress %s/%s", h.Namespace, h.Name)
}

// hostIndex is the byHost index function.
func hostIndex(obj any) ([]string, error) {
	ing, ok := obj.(*networkingv1.Ingress)
	if !ok {
		return nil, nil
	}
	var hosts []string
	for _, r := range ing.Spec.Rules {
		if r.Host != "" {
			hosts = append(hosts, strings.ToLower(r.Host))
		}
	}
	for _, t := range ing.Spec.TLS {
		for _, h := range t.Hosts {
			hosts = append(hosts, strings.ToLower(h))
		}
	}
	slices.Sort(hosts)
	return slices.Compact(hosts), nil
}

// HostUsers are the Ingresses that serve host, sorted by namespace and
// name.
func (o *Objects) HostUsers(host string) []HostUse {
	var out []HostUse
	for _, inf := range o.ingresses {
		objs, err := inf.GetIndexer().ByIndex(byHost, strings.ToLower(host))
		if err != nil {
			continue
		}
		for _, obj := range objs {
			ing, ok := obj.(*networkingv1.Ingress)
			if !ok {
				continue
			}
			use := HostUse{Namespace: ing.Namespace, Name: ing.Name}
			if madeByKubedeckLabels(ing.Labels, ing.Labels[LabelName]) {
				use.App = ing.Labels[LabelName]
			}
			out = append(out, use)
		}
	}
	slices.SortFunc(out, func(a, b HostUse) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	return out
}

// watchIngresses indexes an informer's Ingresses by host.
func (o *Objects) watchIngresses(scope string, inf toolscache.SharedIndexInformer) error {
	if err := inf.AddIndexers(toolscache.Indexers{byHost: hostIndex}); err != nil {
		return fmt.Errorf("index ingresses: %w", err)
	}
	o.ingresses[scope] = inf
	o.synced = append(o.synced, inf.HasSynced)
	return nil
}
