package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/kubedeck/kubedeck/shared"
)

// ProgressOf derives, from the cache, the rollout progress of the Deployment
// an object belongs to: the object itself for kind "deployments", the
// Deployment controlling it for "replicasets", and the Deployment
// controlling its ReplicaSet for "pods". It reports false when the object
// is not in the cache or belongs to no Deployment. It only reads memory.
func (o *Objects) ProgressOf(kind, namespace, name string) (shared.DeploymentProgress, bool) {
	deployment := name
	switch kind {
	case "deployments":
	case "pods":
		pod, ok := cached[*corev1.Pod](o.informerOf("pods", namespace), namespace, name)
		if !ok {
			return shared.DeploymentProgress{}, false
		}
		rsName, ok := controllerName(pod.OwnerReferences, "ReplicaSet")
		if !ok {
			return shared.DeploymentProgress{}, false
		}
		name = rsName
		fallthrough
	case "replicasets":
		inf, _ := o.replicaSetsIn(namespace)
		rs, ok := cached[*appsv1.ReplicaSet](inf, namespace, name)
		if !ok {
			return shared.DeploymentProgress{}, false
		}
		if deployment, ok = controllerName(rs.OwnerReferences, "Deployment"); !ok {
			return shared.DeploymentProgress{}, false
		}
	default:
		return shared.DeploymentProgress{}, false
	}
	d, ok := cached[*appsv1.Deployment](o.informerOf("deployments", namespace), namespace, deployment)
	if !ok {
		return shared.DeploymentProgress{}, false
	}
	rss, pods := o.rolloutOf(d)
	return DeploymentProgress(d, rss, pods), true
}

// rolloutOf returns the ReplicaSets d owns and the pods they own.
func (o *Objects) rolloutOf(d *appsv1.Deployment) ([]*appsv1.ReplicaSet, []*corev1.Pod) {
	var (
		rss  []*appsv1.ReplicaSet
		pods []*corev1.Pod
	)
	rsInf, ok := o.replicaSetsIn(d.Namespace)
	if !ok {
		return nil, nil
	}
	items, _ := rsInf.GetIndexer().ByIndex(byOwner, string(d.UID))
	for _, item := range items {
		if rs, ok := item.(*appsv1.ReplicaSet); ok {
			rss = append(rss, rs)
		}
	}
	podInf := o.informerOf("pods", d.Namespace)
	if podInf == nil {
		return rss, nil
	}
	for _, rs := range rss {
		items, _ := podInf.GetIndexer().ByIndex(byOwner, string(rs.UID))
		for _, item := range items {
			if p, ok := item.(*corev1.Pod); ok {
				pods = append(pods, p)
			}
		}
	}
	return rss, pods
}

// informerOf is the informer holding kind's objects in namespace, or nil.
func (o *Objects) informerOf(kind, namespace string) toolscache.SharedIndexInformer {
	w, ok := o.kinds[kind]
	if !ok {
		return nil
	}
	inf, _ := w.informer(namespace)
	return inf
}

// cached is the object namespace/name of inf's store, when it is a T.
func cached[T any](inf toolscache.SharedIndexInformer, namespace, name string) (T, bool) {
	var zero T
	if inf == nil {
		return zero, false
	}
	item, ok, err := inf.GetIndexer().GetByKey(objectKey(namespace, name))
	if err != nil || !ok {
		return zero, false
	}
	t, ok := item.(T)
	return t, ok
}

// controllerName is the name of the controller of the given kind among refs.
func controllerName(refs []metav1.OwnerReference, kind string) (string, bool) {
	for _, ref := range refs {
		if ref.Controller != nil && *ref.Controller && ref.Kind == kind {
			return ref.Name, true
		}
	}
	return "", false
}
