package kube

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// namespacesResource is what a user must be allowed to get to see a namespace.
var namespacesResource = Resource{Resource: "namespaces"}

// NamespaceList is every namespace the cache watches, sorted by name, as the
// namespace selector shows them. With a configured list of namespaces the
// cache holds no Namespace objects, so only the names are known.
func (o *Objects) NamespaceList() []shared.Namespace {
	names := o.Namespaces()
	out := make([]shared.Namespace, 0, len(names))
	for _, name := range names {
		ns := shared.Namespace{Name: name}
		if o.nsInformer != nil {
			if obj, ok, _ := o.nsInformer.GetStore().GetByKey(name); ok {
				if n, ok := obj.(*corev1.Namespace); ok {
					ns.Status = string(n.Status.Phase)
					ns.Created = n.CreationTimestamp.Unix()
				}
			}
		}
		out = append(out, ns)
	}
	return out
}

// VisibleNamespaces are the namespaces of the cache u may see: all of them
// when u may get namespaces across the cluster, else those where u may get
// the namespace itself (the built-in view, edit and admin roles allow it in
// their namespace). It answers from the cache and the access reviews, never
// listing through the API server; a user who may see none gets an error
// wrapping ErrForbidden.
func (a *Access) VisibleNamespaces(ctx context.Context, o *Objects, u User) ([]shared.Namespace, error) {
	all := o.NamespaceList()
	names := make([]string, len(all))
	for i, ns := range all {
		names[i] = ns.Name
	}
	everywhere, names, _, err := a.review(ctx, u, "get", namespacesResource, names)
	if err != nil {
		return nil, err
	}
	if everywhere {
		return all, nil
	}
	allowed := make(map[string]bool, len(names))
	for _, ns := range names {
		allowed[ns] = true
	}
	out := all[:0]
	for _, ns := range all {
		if allowed[ns.Name] {
			out = append(out, ns)
		}
	}
	if len(out) == 0 {
		return nil, newError(ErrForbidden, "You may not see any namespace of this cluster; ask an administrator for access.", nil)
	}
	return out, nil
}
