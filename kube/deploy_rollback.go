package kube

import (
	"context"
	"encoding/json"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/kubedeck/kubedeck/shared"
)

// The rollback of an app to its previous revision, as `kubectl rollout
// undo` does it: the Deployment takes back the pod template of the
// ReplicaSet of the revision before its own.

// The annotation the Deployment controller numbers revisions with, on the
// Deployment and its ReplicaSets.
const annotationRevision = "deployment.kubernetes.io/revision"

// AppRollback is a rollback of an app to its previous revision: the
// revision it goes back to, the image before and after, and once made the
// Deployment's generation with the change.
type AppRollback struct {
	Revision   int64
	From, To   string
	Generation int64

	now  AppNow
	prev *appsv1.ReplicaSet
}

// PlanRollback finds, as u, the revision app now goes back to: the newest
// ReplicaSet of its Deployment older than the Deployment's revision. It
// fails with ErrInvalid when there is none.
func (c *Client) PlanRollback(ctx context.Context, u User, now AppNow) (AppRollback, error) {
	cs, err := c.As(u)
	if err != nil {
		return AppRollback{}, err
	}
	d := now.Deployment
	var rss *appsv1.ReplicaSetList
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		var err error
		rss, err = cs.AppsV1().ReplicaSets(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: metav1.FormatLabelSelector(d.Spec.Selector)})
		return err
	})
	if err != nil {
		return AppRollback{}, TranslateIn(err, d.Namespace)
	}
	prev := previousRevision(d, rss.Items)
	if prev == nil {
		return AppRollback{}, newError(ErrInvalid, "App "+d.Namespace+"/"+d.Name+" has no previous revision to roll back to.", nil)
	}
	return AppRollback{Revision: revisionOf(prev.Annotations), From: imageOf(d.Spec.Template), To: imageOf(prev.Spec.Template),
		now: now, prev: prev}, nil
}

// RollbackApp makes rollback r as u, as `kubectl rollout undo` does: the
// Deployment takes back the pod template of the revision r found (without
// its pod-template-hash label), and the spec that revision ran (the
// controller copies the Deployment's annotations to its ReplicaSets) with
// the replicas and exposure in force, since a rollback changes neither.
// It returns r with the generation of the change.
func (c *Client) RollbackApp(ctx context.Context, u User, r AppRollback) (AppRollback, error) {
	cs, err := c.As(u)
	if err != nil {
		return r, err
	}
	d := r.now.Deployment
	var spec shared.DeploymentSpec
	rawSpec, hasSpec := r.prev.Annotations[AnnotationSpec]
	if hasSpec && json.Unmarshal([]byte(rawSpec), &spec) == nil {
		spec.Replicas, spec.Exposure = r.now.Spec.Replicas, r.now.Spec.Exposure
		b, err := json.Marshal(spec)
		if err != nil {
			return r, err
		}
		rawSpec = string(b)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := cs.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		next := cur.DeepCopy()
		next.Spec.Template = *r.prev.Spec.Template.DeepCopy()
		delete(next.Spec.Template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
		if hasSpec {
			next.Annotations = mergeStrings(next.Annotations, map[string]string{AnnotationSpec: rawSpec})
		}
		done, err := cs.AppsV1().Deployments(d.Namespace).Update(ctx, next, metav1.UpdateOptions{})
		if err == nil {
			r.Generation = done.Generation
		}
		return err
	})
	return r, TranslateIn(err, d.Namespace)
}

// previousRevision is the ReplicaSet of d whose revision is the newest
// before d's own; nil when there is none.
func previousRevision(d *appsv1.Deployment, rss []appsv1.ReplicaSet) *appsv1.ReplicaSet {
	current := revisionOf(d.Annotations)
	var prev *appsv1.ReplicaSet
	for i := range rss {
		rs := &rss[i]
		if !metav1.IsControlledBy(rs, d) {
			continue
		}
		rev := revisionOf(rs.Annotations)
		if rev > 0 && rev < current && (prev == nil || rev > revisionOf(prev.Annotations)) {
			prev = rs
		}
	}
	return prev
}

// revisionOf reads the revision annotation; 0 when there is none.
func revisionOf(annotations map[string]string) int64 {
	n, _ := strconv.ParseInt(annotations[annotationRevision], 10, 64)
	return n
}

// imageOf is the image of a pod template's first container.
func imageOf(t corev1.PodTemplateSpec) string {
	if cs := t.Spec.Containers; len(cs) > 0 {
		return cs[0].Image
	}
	return ""
}
