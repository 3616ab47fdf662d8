package kube

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubedeck/kubedeck/shared"
)

// revisionAnnotation is where the deployment controller numbers the
// ReplicaSets of a Deployment; the highest is the current version.
const revisionAnnotation = "deployment.kubernetes.io/revision"

// DeploymentProgress derives the rollout state of d from d itself, its
// ReplicaSets and their Pods (rss and pods may hold other objects of the
// namespace; only those d owns count). It is a pure function of its
// arguments: the counts come from d's status, and Message names, for
// people, the first thing found that holds the rollout up.
func DeploymentProgress(d *appsv1.Deployment, rss []*appsv1.ReplicaSet, pods []*corev1.Pod) shared.DeploymentProgress {
	desired := 1
	if d.Spec.Replicas != nil {
		desired = int(*d.Spec.Replicas)
	}
	p := shared.DeploymentProgress{
		Namespace: d.Namespace,
		Name:      d.Name,
		Desired:   desired,
		Updated:   int(d.Status.UpdatedReplicas),
		Ready:     int(d.Status.ReadyReplicas),
		Available: int(d.Status.AvailableReplicas),
	}
	observed := d.Status.ObservedGeneration >= d.Generation
	if observed && p.Updated == desired && p.Available == desired && int(d.Status.Replicas) == desired {
		p.Phase = shared.PhaseAvailable
		return p
	}

	current, owned := ownedReplicaSets(d, rss)
	found := replicaFailure(d.Status.Conditions, current)
	if found.rank == 0 {
		found = podProblem(podsOf(current, pods))
	}
	if found.rank == 0 && len(current) == 0 {
		// Pods of older versions can hold the rollout up too (a rollback
		// to a version whose image no longer pulls).
		for _, rs := range owned {
			if f := podProblem(podsOf([]*appsv1.ReplicaSet{rs}, pods)); f.rank > found.rank {
				found = f
			}
		}
	}
	if c := deploymentCondition(d, appsv1.DeploymentProgressing); c != nil &&
		c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
		p.Phase = shared.PhaseFailed
		p.Message = deadlineMessage(d, found.message)
		return p
	}
	p.Message = found.message
	switch {
	case found.fatal:
		p.Phase = shared.PhaseFailed
	case p.Ready == 0:
		p.Phase = shared.PhasePending
	default:
		p.Phase = shared.PhaseProgressing
	}
	return p
}

// problem is something that holds a rollout up. A higher rank wins when
// several are found; fatal problems need a person to act (a wrong image, a
// crashing program, a full quota), the others clear by themselves when the
// cluster has room.
type problem struct {
	rank    int
	fatal   bool
	message string
}

// The problem ranks, lowest first.
const (
	rankNone = iota
	rankUnschedulable
	rankCrashLoop
	rankConfig
	rankImage
	rankCreate
)

// ownedReplicaSets returns the ReplicaSets d controls, and among them those
// of its current revision (none when the controller has not made it yet).
func ownedReplicaSets(d *appsv1.Deployment, rss []*appsv1.ReplicaSet) (current, owned []*appsv1.ReplicaSet) {
	best := -1
	for _, rs := range rss {
		if rs.Namespace != d.Namespace || !controlledBy(rs.OwnerReferences, d.UID) {
			continue
		}
		owned = append(owned, rs)
		rev, err := strconv.Atoi(rs.Annotations[revisionAnnotation])
		if err != nil {
			continue
		}
		switch {
		case rev > best:
			best, current = rev, []*appsv1.ReplicaSet{rs}
		case rev == best:
			current = append(current, rs)
		}
	}
	return current, owned
}

// podsOf returns the pods the ReplicaSets control, sorted by name so that the
// message a rollout gets does not change with the order of a cache.
func podsOf(rss []*appsv1.ReplicaSet, pods []*corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for _, pod := range pods {
		for _, rs := range rss {
			if pod.Namespace == rs.Namespace && controlledBy(pod.OwnerReferences, rs.UID) {
				out = append(out, pod)
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b *corev1.Pod) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// controlledBy says whether refs name uid as the controller.
func controlledBy(refs []metav1.OwnerReference, uid types.UID) bool {
	for _, ref := range refs {
		if ref.UID == uid && ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	return false
}

func deploymentCondition(d *appsv1.Deployment, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

// replicaFailure reads the ReplicaFailure condition the controllers set when
// they cannot create pods (a full quota, an admission policy), on the
// Deployment or on its current ReplicaSets.
func replicaFailure(conds []appsv1.DeploymentCondition, current []*appsv1.ReplicaSet) problem {
	for _, c := range conds {
		if c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue {
			return createProblem(c.Message)
		}
	}
	for _, rs := range current {
		for _, c := range rs.Status.Conditions {
			if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
				return createProblem(c.Message)
			}
		}
	}
	return problem{}
}

// createProblem explains why pods cannot be created, from the message of a
// ReplicaFailure condition, for example `pods "web-6d9f" is forbidden:
// exceeded quota: compute, requested: requests.cpu=2, used: requests.cpu=3,
// limited: requests.cpu=4`.
func createProblem(msg string) problem {
	const quota = "exceeded quota: "
	if _, rest, ok := strings.Cut(msg, quota); ok {
		name, detail, _ := strings.Cut(rest, ", ")
		text := fmt.Sprintf("The resource quota %q of the namespace is exceeded", name)
		if detail != "" {
			text += " (" + clip(detail) + ")"
		}
		return problem{rank: rankCreate, fatal: true, message: text + "; free some resources or ask for a larger quota."}
	}
	if _, rest, ok := strings.Cut(msg, "is forbidden: "); ok {
		msg = rest
	}
	return problem{rank: rankCreate, fatal: true, message: "Pods cannot be created: " + clip(msg) + "."}
}

// podProblem finds the worst problem among the pods.
func podProblem(pods []*corev1.Pod) problem {
	var worst problem
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		if p := unschedulable(pod); p.rank > worst.rank {
			worst = p
		}
		statuses := slices.Concat(pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses)
		for i := range statuses {
			if p := containerProblem(pod, &statuses[i]); p.rank > worst.rank {
				worst = p
			}
		}
	}
	return worst
}

// containerProblem explains why a container does not run.
func containerProblem(pod *corev1.Pod, st *corev1.ContainerStatus) problem {
	w := st.State.Waiting
	if w == nil {
		return problem{}
	}
	switch w.Reason {
	case "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull":
		return problem{rank: rankImage, fatal: true,
			message: fmt.Sprintf("Image %q cannot be pulled; check its name and tag, and that the registry lets the cluster pull it.", containerImage(pod, st))}
	case "CreateContainerConfigError", "CreateContainerError":
		text := fmt.Sprintf("Container %q cannot start", st.Name)
		if w.Message != "" {
			text += ": " + clip(w.Message)
		}
		return problem{rank: rankConfig, fatal: true, message: text + "."}
	case "CrashLoopBackOff":
		text := fmt.Sprintf("Container %q keeps crashing", st.Name)
		if t := st.LastTerminationState.Terminated; t != nil {
			text += fmt.Sprintf(" (exit code %d", t.ExitCode)
			if t.Reason != "" && t.Reason != "Error" {
				text += ", " + t.Reason
			}
			text += ")"
		}
		return problem{rank: rankCrashLoop, fatal: true,
			message: fmt.Sprintf("%s; it restarted %d times. Its logs say why.", text, st.RestartCount)}
	}
	return problem{}
}

// containerImage is the image of the container st reports on, as the pod
// asks for it.
func containerImage(pod *corev1.Pod, st *corev1.ContainerStatus) string {
	for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		if c.Name == st.Name {
			return c.Image
		}
	}
	return st.Image
}

// unschedulable explains why the scheduler found no node for pod, from its
// message, for example "0/3 nodes are available: 3 Insufficient
// nvidia.com/gpu. preemption: …".
func unschedulable(pod *corev1.Pod) problem {
	for _, c := range pod.Status.Conditions {
		if c.Type != corev1.PodScheduled || c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable {
			continue
		}
		msg, _, _ := strings.Cut(c.Message, " preemption:")
		var text string
		switch {
		case strings.Contains(msg, "Insufficient nvidia.com/gpu"):
			text = "Not enough GPUs free in the cluster; the pods wait until GPUs are released."
		case strings.Contains(msg, "Insufficient cpu"):
			text = "Not enough CPU free in the cluster; the pods wait until some is released."
		case strings.Contains(msg, "Insufficient memory"):
			text = "Not enough memory free in the cluster; the pods wait until some is released."
		case msg == "":
			text = "No node can run the pods yet."
		default:
			text = "No node can run the pods: " + clip(msg) + "."
		}
		return problem{rank: rankUnschedulable, message: text}
	}
	return problem{}
}

// deadlineMessage says that the rollout gave up, and why when known.
func deadlineMessage(d *appsv1.Deployment, why string) string {
	secs := int32(600)
	if d.Spec.ProgressDeadlineSeconds != nil {
		secs = *d.Spec.ProgressDeadlineSeconds
	}
	text := fmt.Sprintf("The rollout made no progress for %d seconds and stopped waiting.", secs)
	if why != "" {
		text = why + " " + text
	}
	return text
}
