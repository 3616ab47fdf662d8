package kube

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// podErrorReason says whether a container reason means the pod will not get
// better by waiting.
func podErrorReason(reason string) bool {
	switch reason {
	case "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull",
		"InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
		"RunContainerError", "ContainerCannotRun", "StartError", "Error", "OOMKilled",
		"DeadlineExceeded", "Evicted", "Failed":
		return true
	}
	return strings.HasPrefix(reason, "Signal:") ||
		strings.HasPrefix(reason, "ExitCode:") && reason != "ExitCode:0"
}

// podWaitReason says whether a reason means the pod is on its way.
func podWaitReason(reason string) bool {
	switch reason {
	case "Pending", "ContainerCreating", "PodInitializing", "Unschedulable", "Terminating", "NotReady":
		return true
	}
	return false
}

// podRow is a Pod's row: ready containers, restarts, node and IP, and the
// status kubectl would print (phase, or the reason a container waits).
func podRow(p *corev1.Pod) shared.Row {
	r := baseRow("Pod", &p.ObjectMeta)
	reason, ready, restarts := podReason(p)
	r.Cells = map[string]string{
		"ready":    fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers)),
		"restarts": strconv.Itoa(int(restarts)),
		"node":     p.Spec.NodeName,
		"ip":       p.Status.PodIP,
	}
	status(&r, reason, podLevel(p, reason, ready))
	return r
}

// podReason follows kubectl's STATUS column: the pod's phase or reason, then
// what an init container or container is waiting for or ended with.
func podReason(p *corev1.Pod) (reason string, ready int, restarts int32) {
	reason = string(p.Status.Phase)
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	initializing := false
	for i, c := range p.Status.InitContainerStatuses {
		restarts += c.RestartCount
		switch {
		case c.State.Terminated != nil && c.State.Terminated.ExitCode == 0:
			continue
		case isSidecar(p, c.Name) && c.Started != nil && *c.Started:
			continue
		case c.State.Terminated != nil:
			reason = "Init:" + terminatedReason(c.State.Terminated)
		case c.State.Waiting != nil && c.State.Waiting.Reason != "" && c.State.Waiting.Reason != "PodInitializing":
			reason = "Init:" + c.State.Waiting.Reason
		default:
			reason = fmt.Sprintf("Init:%d/%d", i, len(p.Spec.InitContainers))
		}
		initializing = true
		break
	}
	if !initializing {
		running := false
		for i := len(p.Status.ContainerStatuses) - 1; i >= 0; i-- {
			c := p.Status.ContainerStatuses[i]
			restarts += c.RestartCount
			switch {
			case c.State.Waiting != nil && c.State.Waiting.Reason != "":
				reason = c.State.Waiting.Reason
			case c.State.Terminated != nil:
				reason = terminatedReason(c.State.Terminated)
			case c.Ready && c.State.Running != nil:
				running = true
				ready++
			}
		}
		if reason == "Completed" && running {
			reason = string(corev1.PodRunning)
		}
	}
	if reason == string(corev1.PodPending) {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
				reason = corev1.PodReasonUnschedulable
			}
		}
	}
	if p.DeletionTimestamp != nil {
		reason = "Terminating"
	}
	return reason, ready, restarts
}

func isSidecar(p *corev1.Pod, name string) bool {
	for _, c := range p.Spec.InitContainers {
		if c.Name == name {
			return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		}
	}
	return false
}

func terminatedReason(t *corev1.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	default:
		return fmt.Sprintf("ExitCode:%d", t.ExitCode)
	}
}

// podLevel: errors that will not heal by waiting, warnings for pods on their
// way (pending, creating, not ready, terminating), ok for running and ready
// or completed pods.
func podLevel(p *corev1.Pod, reason string, ready int) shared.Level {
	base, _ := strings.CutPrefix(reason, "Init:")
	switch {
	case podErrorReason(base) || p.Status.Phase == corev1.PodFailed:
		return shared.LevelError
	case strings.HasPrefix(reason, "Init:") || podWaitReason(reason):
		return shared.LevelWarning
	case reason == "Completed" || p.Status.Phase == corev1.PodSucceeded:
		return shared.LevelOK
	case p.Status.Phase == corev1.PodRunning:
		if ready < len(p.Spec.Containers) {
			return shared.LevelWarning
		}
		return shared.LevelOK
	case p.Status.Phase == corev1.PodPending:
		return shared.LevelWarning
	}
	return shared.LevelUnknown
}
