package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/kubedeck/kubedeck/shared"
)

// Day-two writes on a workload, as the user: scale a Deployment or
// StatefulSet through its scale subresource, and restart it the way
// `kubectl rollout restart` does.

// RestartedAtAnnotation is the pod template annotation a restart sets, as
// kubectl does, so that the controller rolls every pod.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// MaxScale bounds the replicas a scale may ask for.
const MaxScale = shared.MaxScale

// scalable are the kinds Scale and Restart act on, by resource.
var scalable = map[string]string{"deployments": "Deployment", "statefulsets": "StatefulSet"}

// ScalableKind is the Kind ("Deployment") of resource ("deployments") when
// Scale and Restart act on it.
func ScalableKind(resource string) (string, bool) {
	k, ok := scalable[resource]
	return k, ok
}

// Scaled is what a scale changed: the replicas before, and the workload's
// generation with the change (its rollout is over once the controller has
// observed it).
type Scaled struct {
	Before     int
	Generation int64
}

// workloadIn is the dynamic client of workload kind resource in namespace,
// as u, when Scale and Restart act on that kind.
func (c *Client) workloadIn(u User, resource, namespace, verb string) (dynamic.ResourceInterface, error) {
	if _, ok := scalable[resource]; !ok {
		return nil, newError(ErrInvalid, "Only Deployments and StatefulSets can be "+verb+" here.", nil)
	}
	k, err := writableKind(resource, namespace)
	if err != nil {
		return nil, err
	}
	dc, err := c.dynamicAs(u, nil)
	if err != nil {
		return nil, err
	}
	return resourceIn(dc, k, namespace), nil
}

// Scale sets the replicas of workload namespace/name (resource
// "deployments" or "statefulsets") as u, through its scale subresource.
func (c *Client) Scale(ctx context.Context, u User, resource, namespace, name string, replicas int) (Scaled, error) {
	if replicas < 0 || replicas > MaxScale {
		return Scaled{}, WithDetails(ErrInvalid, fmt.Sprintf("Choose from 0 to %d replicas.", MaxScale), map[string]any{shared.DetailField: "replicas"}, nil)
	}
	ri, err := c.workloadIn(u, resource, namespace, "scaled")
	if err != nil {
		return Scaled{}, err
	}
	// A merge patch of the scale subresource, with no resourceVersion: the
	// controllers write the workload's status all the time, and an update
	// of a scale read a moment before would then fail as a conflict.
	patch := []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas))
	var out Scaled
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		scale, err := ri.Get(ctx, name, metav1.GetOptions{}, "scale")
		if err != nil {
			return err
		}
		before, _, _ := unstructured.NestedInt64(scale.Object, "spec", "replicas")
		if _, err := ri.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}, "scale"); err != nil {
			return err
		}
		// The scale does not carry the workload's generation: read it.
		w, err := ri.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		out = Scaled{Before: int(before), Generation: w.GetGeneration()}
		return nil
	})
	return out, TranslateIn(err, namespace)
}

// Restart rolls every pod of workload namespace/name as u: it sets the pod
// template's restartedAt annotation to at, as `kubectl rollout restart`
// does (a patch, so it never overwrites another change), and returns the
// workload's generation with the change.
func (c *Client) Restart(ctx context.Context, u User, resource, namespace, name string, at time.Time) (int64, error) {
	ri, err := c.workloadIn(u, resource, namespace, "restarted")
	if err != nil {
		return 0, err
	}
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
		"annotations": map[string]string{RestartedAtAnnotation: at.UTC().Format(time.RFC3339)}}}}})
	if err != nil {
		return 0, err
	}
	var gen int64
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		w, err := ri.Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
		if err == nil {
			gen = w.GetGeneration()
		}
		return err
	})
	return gen, TranslateIn(err, namespace)
}

// RolloutOf is where the rollout of workload namespace/name stands, from
// the cache: a Deployment's progress (ProgressOf), or a StatefulSet's
// (Available once every replica is updated and ready), with the generation
// of the object the cache holds (0 when not known), so that a caller
// waits until the cache has seen its own change.
func (o *Objects) RolloutOf(resource, namespace, name string) (shared.DeploymentProgress, int64, bool) {
	if resource == "deployments" {
		d, ok := cached[*appsv1.Deployment](o.informerOf("deployments", namespace), namespace, name)
		if !ok {
			return shared.DeploymentProgress{}, 0, false
		}
		rss, pods := o.rolloutOf(d)
		return DeploymentProgress(d, rss, pods), d.Generation, true
	}
	s, ok := cached[*appsv1.StatefulSet](o.informerOf("statefulsets", namespace), namespace, name)
	if !ok || resource != "statefulsets" {
		return shared.DeploymentProgress{}, 0, false
	}
	p := shared.DeploymentProgress{Namespace: namespace, Name: name, Desired: 1,
		Updated: int(s.Status.UpdatedReplicas), Ready: int(s.Status.ReadyReplicas), Available: int(s.Status.AvailableReplicas)}
	if s.Spec.Replicas != nil {
		p.Desired = int(*s.Spec.Replicas)
	}
	settled := s.Status.ObservedGeneration >= s.Generation && s.Status.CurrentRevision == s.Status.UpdateRevision
	switch {
	case settled && p.Updated >= p.Desired && p.Ready >= p.Desired && int(s.Status.Replicas) == p.Desired:
		p.Phase = shared.PhaseAvailable
	default:
		p.Phase = shared.PhaseProgressing
	}
	return p, s.Generation, true
}
