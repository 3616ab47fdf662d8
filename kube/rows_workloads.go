package kube

import (
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// rollout is what the three workload kinds have in common for their rows.
type rollout struct {
	desired, ready, upToDate, available, current int32
	stale                                        bool // the controller has not seen the latest spec
}

// workloadCells are the columns of Deployments, StatefulSets and DaemonSets.
func workloadCells(ro rollout, spec *corev1.PodSpec) map[string]string {
	return map[string]string{
		"ready":     fmt.Sprintf("%d/%d", ro.ready, ro.desired),
		"upToDate":  strconv.Itoa(int(ro.upToDate)),
		"available": strconv.Itoa(int(ro.available)),
		"images":    images(spec),
	}
}

// rolloutStatus: ok when every desired replica is updated, ready and
// available; a warning while a rollout or scale is in progress.
func rolloutStatus(ro rollout) (string, shared.Level) {
	switch {
	case ro.desired == 0 && ro.current == 0:
		return "Scaled to zero", shared.LevelOK
	case ro.stale || ro.upToDate < ro.desired || ro.current > ro.desired:
		return "Progressing", shared.LevelWarning
	case ro.ready < ro.desired || ro.available < ro.desired:
		return "Not ready", shared.LevelWarning
	}
	return "Available", shared.LevelOK
}

func images(spec *corev1.PodSpec) string {
	names := make([]string, 0, len(spec.Containers))
	for _, c := range spec.Containers {
		names = append(names, c.Image)
	}
	return strings.Join(names, ", ")
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// deploymentRow is a Deployment's row. A rollout past its progress deadline
// or a replica set that cannot create pods is an error.
func deploymentRow(d *appsv1.Deployment) shared.Row {
	r := baseRow("Deployment", &d.ObjectMeta)
	ro := rollout{
		desired: replicas(d.Spec.Replicas), ready: d.Status.ReadyReplicas,
		upToDate: d.Status.UpdatedReplicas, available: d.Status.AvailableReplicas,
		current: d.Status.Replicas, stale: d.Status.ObservedGeneration < d.Generation,
	}
	r.Cells = workloadCells(ro, &d.Spec.Template.Spec)
	text, level := rolloutStatus(ro)
	for _, c := range d.Status.Conditions {
		switch {
		case c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse:
			text, level = c.Reason, shared.LevelError
		case c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue:
			text, level = c.Reason, shared.LevelError
		}
	}
	if d.Spec.Paused && level != shared.LevelError {
		text, level = "Paused", shared.LevelWarning
	}
	status(&r, text, level)
	return r
}

// statefulSetRow is a StatefulSet's row.
func statefulSetRow(s *appsv1.StatefulSet) shared.Row {
	r := baseRow("StatefulSet", &s.ObjectMeta)
	ro := rollout{
		desired: replicas(s.Spec.Replicas), ready: s.Status.ReadyReplicas,
		upToDate: s.Status.UpdatedReplicas, available: s.Status.AvailableReplicas,
		current: s.Status.Replicas, stale: s.Status.ObservedGeneration < s.Generation,
	}
	r.Cells = workloadCells(ro, &s.Spec.Template.Spec)
	text, level := rolloutStatus(ro)
	status(&r, text, level)
	return r
}

// daemonSetRow is a DaemonSet's row: desired is the number of nodes it
// should run on.
func daemonSetRow(d *appsv1.DaemonSet) shared.Row {
	r := baseRow("DaemonSet", &d.ObjectMeta)
	ro := rollout{
		desired: d.Status.DesiredNumberScheduled, ready: d.Status.NumberReady,
		upToDate: d.Status.UpdatedNumberScheduled, available: d.Status.NumberAvailable,
		current: d.Status.CurrentNumberScheduled, stale: d.Status.ObservedGeneration < d.Generation,
	}
	r.Cells = workloadCells(ro, &d.Spec.Template.Spec)
	text, level := rolloutStatus(ro)
	switch {
	case ro.desired == 0 && ro.current == 0 && !ro.stale:
		text, level = "No nodes", shared.LevelOK
	case d.Status.NumberMisscheduled > 0 && level == shared.LevelOK:
		text, level = "Misscheduled", shared.LevelWarning
	}
	status(&r, text, level)
	return r
}
