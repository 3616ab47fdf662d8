package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/shared"
)

// progressDeployment is a Deployment of 3 replicas whose status the cases set.
func progressDeployment(status appsv1.DeploymentStatus) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "web", UID: "d-1", Generation: 2},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](3)},
		Status:     status,
	}
}

// progressReplicaSet is a ReplicaSet of revision rev controlled by owner.
func progressReplicaSet(name, rev string, owner types.UID) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{
		Namespace: "team-a", Name: name, UID: types.UID("rs-" + name),
		Annotations:     map[string]string{revisionAnnotation: rev},
		OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "web", UID: owner, Controller: ptr.To(true)}},
	}}
}

// progressPod is a pod controlled by the ReplicaSet rs, changed by edit.
func progressPod(name string, rs *appsv1.ReplicaSet, edit func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name,
			OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptr.To(true)}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/web:1.2"}}},
	}
	edit(p)
	return p
}

func waiting(reason, message string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}}}
	}
}

func unscheduled(message string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
			Reason: corev1.PodReasonUnschedulable, Message: message}}
	}
}

func TestDeploymentProgress(t *testing.T) {
	rollingOut := appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3, UpdatedReplicas: 3}
	v1 := progressReplicaSet("web-v1", "1", "d-1")
	v2 := progressReplicaSet("web-v2", "2", "d-1")
	other := progressReplicaSet("other-v9", "9", "d-other")
	want := func(phase shared.DeploymentPhase, updated, ready, available int, msg string) shared.DeploymentProgress {
		return shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: phase, Desired: 3,
			Updated: updated, Ready: ready, Available: available, Message: msg}
	}
	tests := []struct {
		name string
		d    *appsv1.Deployment
		rss  []*appsv1.ReplicaSet
		pods []*corev1.Pod
		want shared.DeploymentProgress
	}{
		{
			name: "new, not yet seen by the controller",
			d:    progressDeployment(appsv1.DeploymentStatus{}),
			want: want(shared.PhasePending, 0, 0, 0, ""),
		},
		{
			name: "all replicas available",
			d: progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3,
				UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3}),
			rss:  []*appsv1.ReplicaSet{v2},
			want: want(shared.PhaseAvailable, 3, 3, 3, ""),
		},
		{
			name: "counts reached but the controller has not seen the latest spec",
			d: progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 1, Replicas: 3,
				UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3}),
			want: want(shared.PhaseProgressing, 3, 3, 3, ""),
		},
		{
			name: "old pods still running during a rolling update",
			d: progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 4,
				UpdatedReplicas: 3, ReadyReplicas: 3, AvailableReplicas: 3}),
			rss:  []*appsv1.ReplicaSet{v1, v2},
			want: want(shared.PhaseProgressing, 3, 3, 3, ""),
		},
		{
			name: "image cannot be pulled",
			d:    progressDeployment(rollingOut),
			rss:  []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{progressPod("web-v2-a", v2, waiting("ImagePullBackOff", `Back-off pulling image "registry.example/web:1.2"`))},
			want: want(shared.PhaseFailed, 3, 0, 0,
				`Image "registry.example/web:1.2" cannot be pulled; check its name and tag, and that the registry lets the cluster pull it.`),
		},
		{
			name: "pull error of an old version's pod does not count once a newer version exists",
			d:    progressDeployment(rollingOut),
			rss:  []*appsv1.ReplicaSet{v1, v2},
			pods: []*corev1.Pod{progressPod("web-v1-a", v1, waiting("ErrImagePull", ""))},
			want: want(shared.PhasePending, 3, 0, 0, ""),
		},
		{
			name: "pods of another deployment are ignored",
			d:    progressDeployment(rollingOut),
			rss:  []*appsv1.ReplicaSet{v2, other},
			pods: []*corev1.Pod{progressPod("other-a", other, waiting("CrashLoopBackOff", ""))},
			want: want(shared.PhasePending, 3, 0, 0, ""),
		},
		{
			name: "not enough GPUs",
			d:    progressDeployment(rollingOut),
			rss:  []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{progressPod("web-v2-a", v2, unscheduled(
				"0/3 nodes are available: 1 Insufficient cpu, 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."))},
			want: want(shared.PhasePending, 3, 0, 0, "Not enough GPUs free in the cluster; the pods wait until GPUs are released."),
		},
		{
			name: "not enough memory, some replicas ready",
			d: progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3,
				UpdatedReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 2}),
			rss:  []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{progressPod("web-v2-c", v2, unscheduled("0/2 nodes are available: 2 Insufficient memory."))},
			want: want(shared.PhaseProgressing, 3, 2, 2, "Not enough memory free in the cluster; the pods wait until some is released."),
		},
		{
			name: "no node matches",
			d:    progressDeployment(rollingOut),
			rss:  []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{progressPod("web-v2-a", v2, unscheduled("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."))},
			want: want(shared.PhasePending, 3, 0, 0, "No node can run the pods: 0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector."),
		},
		{
			name: "quota exceeded",
			d: func() *appsv1.Deployment {
				d := progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1})
				d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentReplicaFailure, Status: corev1.ConditionTrue,
					Reason: "FailedCreate", Message: `pods "web-v2-x" is forbidden: exceeded quota: compute, requested: requests.cpu=2, used: requests.cpu=3, limited: requests.cpu=4`}}
				return d
			}(),
			rss: []*appsv1.ReplicaSet{v2},
			want: want(shared.PhaseFailed, 1, 0, 0,
				`The resource quota "compute" of the namespace is exceeded (requested: requests.cpu=2, used: requests.cpu=3, limited: requests.cpu=4); free some resources or ask for a larger quota.`),
		},
		{
			name: "quota exceeded, seen on the ReplicaSet first",
			d:    progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 2}),
			rss: func() []*appsv1.ReplicaSet {
				rs := progressReplicaSet("web-v2", "2", "d-1")
				rs.Status.Conditions = []appsv1.ReplicaSetCondition{{Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue,
					Message: `pods "web-v2-y" is forbidden: exceeded quota: gpus`}}
				return []*appsv1.ReplicaSet{rs}
			}(),
			want: want(shared.PhaseFailed, 0, 0, 0, `The resource quota "gpus" of the namespace is exceeded; free some resources or ask for a larger quota.`),
		},
		{
			name: "progress deadline exceeded, with the reason",
			d: func() *appsv1.Deployment {
				d := progressDeployment(rollingOut)
				d.Spec.ProgressDeadlineSeconds = ptr.To[int32](120)
				d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing,
					Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
				return d
			}(),
			rss:  []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{progressPod("web-v2-a", v2, unscheduled("0/1 nodes are available: 1 Insufficient cpu."))},
			want: want(shared.PhaseFailed, 3, 0, 0,
				"Not enough CPU free in the cluster; the pods wait until some is released. The rollout made no progress for 120 seconds and stopped waiting."),
		},
		{
			name: "progress deadline exceeded, reason unknown",
			d: func() *appsv1.Deployment {
				d := progressDeployment(rollingOut)
				d.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing,
					Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
				return d
			}(),
			want: want(shared.PhaseFailed, 3, 0, 0, "The rollout made no progress for 600 seconds and stopped waiting."),
		},
		{
			name: "crash loop, worse than an unschedulable sibling",
			d: progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 3,
				UpdatedReplicas: 3, ReadyReplicas: 1, AvailableReplicas: 1}),
			rss: []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{
				progressPod("web-v2-a", v2, unscheduled("0/1 nodes are available: 1 Insufficient cpu.")),
				progressPod("web-v2-b", v2, func(p *corev1.Pod) {
					waiting("CrashLoopBackOff", "back-off 40s restarting failed container")(p)
					p.Status.ContainerStatuses[0].RestartCount = 4
					p.Status.ContainerStatuses[0].LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"}
				}),
			},
			want: want(shared.PhaseFailed, 3, 1, 1, `Container "app" keeps crashing (exit code 137, OOMKilled); it restarted 4 times. Its logs say why.`),
		},
		{
			name: "missing config",
			d:    progressDeployment(rollingOut),
			rss:  []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{progressPod("web-v2-a", v2, waiting("CreateContainerConfigError", `secret "db" not found`))},
			want: want(shared.PhaseFailed, 3, 0, 0, `Container "app" cannot start: secret "db" not found.`),
		},
		{
			name: "pods being deleted are ignored",
			d:    progressDeployment(rollingOut),
			rss:  []*appsv1.ReplicaSet{v2},
			pods: []*corev1.Pod{progressPod("web-v2-a", v2, func(p *corev1.Pod) {
				waiting("ErrImagePull", "")(p)
				p.DeletionTimestamp = &metav1.Time{}
			})},
			want: want(shared.PhasePending, 3, 0, 0, ""),
		},
		{
			name: "scaled to zero",
			d: func() *appsv1.Deployment {
				d := progressDeployment(appsv1.DeploymentStatus{ObservedGeneration: 2})
				d.Spec.Replicas = ptr.To[int32](0)
				return d
			}(),
			want: shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: shared.PhaseAvailable},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DeploymentProgress(tt.d, tt.rss, tt.pods)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DeploymentProgress (-want +got):\n%s", diff)
			}
		})
	}
}
