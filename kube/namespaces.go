package kube

import (
	"context"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// Namespaces lists the namespaces as u, sorted by name. It asks the API
// server (through impersonation, so u's RBAC decides) and retries transient
// failures; a user who may not list namespaces gets an error wrapping
// ErrForbidden.
func (c *Client) Namespaces(ctx context.Context, u User) ([]shared.Namespace, error) {
	cs, err := c.As(u)
	if err != nil {
		return nil, err
	}
	var list *corev1.NamespaceList
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		var err error
		list, err = cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		return err
	})
	if err != nil {
		return nil, Translate(err)
	}
	out := make([]shared.Namespace, 0, len(list.Items))
	for _, ns := range list.Items {
		out = append(out, shared.Namespace{
			Name:    ns.Name,
			Status:  string(ns.Status.Phase),
			Created: ns.CreationTimestamp.Unix(),
		})
	}
	slices.SortFunc(out, func(a, b shared.Namespace) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// HasNamespace says whether the informer cache knows of namespace: it is one
// of the configured namespaces, or the cluster has it. "" (the whole
// cluster) is always known.
func (o *Objects) HasNamespace(namespace string) bool {
	switch {
	case namespace == "":
		return true
	case o.namespaces != nil:
		_, found := slices.BinarySearch(o.namespaces, namespace)
		return found
	}
	_, ok, err := o.nsInformer.GetStore().GetByKey(namespace)
	return ok && err == nil
}
