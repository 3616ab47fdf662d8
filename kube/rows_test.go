package kube

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/shared"
)

// look is what the row tests compare: status, level and cells.
type look struct {
	Status string
	Level  shared.Level
	Cells  map[string]string
}

func lookOf(r shared.Row) look { return look{r.Status, r.Level, r.Cells} }

func rowMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: "team-a", UID: types.UID("uid-" + name),
		CreationTimestamp: metav1.NewTime(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))}
}

func runningStatus(ready bool, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "main", Ready: ready, RestartCount: restarts,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}
}

func waitingStatus(reason string, restarts int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: "main", RestartCount: restarts,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
}

func testPod(phase corev1.PodPhase, statuses ...corev1.ContainerStatus) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: rowMeta("web"),
		Spec:   corev1.PodSpec{NodeName: "kwok-node-0", Containers: []corev1.Container{{Name: "main", Image: "nginx"}}},
		Status: corev1.PodStatus{Phase: phase, PodIP: "10.0.0.7", ContainerStatuses: statuses}}
	return p
}

func TestPodRow(t *testing.T) {
	cells := func(ready, restarts string) map[string]string {
		return map[string]string{"ready": ready, "restarts": restarts, "node": "kwok-node-0", "ip": "10.0.0.7"}
	}
	unschedulable := testPod(corev1.PodPending)
	unschedulable.Spec.NodeName, unschedulable.Status.PodIP = "", ""
	unschedulable.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable"}}
	terminating := testPod(corev1.PodRunning, runningStatus(true, 0))
	terminating.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	evicted := testPod(corev1.PodFailed)
	evicted.Status.Reason = "Evicted"
	initWaiting := testPod(corev1.PodPending, waitingStatus("PodInitializing", 0))
	initWaiting.Spec.InitContainers = []corev1.Container{{Name: "setup"}, {Name: "migrate"}}
	initWaiting.Status.InitContainerStatuses = []corev1.ContainerStatus{
		{Name: "setup", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}}},
		{Name: "migrate", State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
	}
	initCrash := testPod(corev1.PodPending)
	initCrash.Spec.InitContainers = []corev1.Container{{Name: "setup"}}
	initCrash.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "setup", RestartCount: 4,
		State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}
	exited := testPod(corev1.PodRunning, corev1.ContainerStatus{Name: "main", RestartCount: 1,
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2}}})

	tests := []struct {
		name string
		pod  *corev1.Pod
		want look
	}{
		{"running and ready", testPod(corev1.PodRunning, runningStatus(true, 0)), look{"Running", shared.LevelOK, cells("1/1", "0")}},
		{"running, not ready", testPod(corev1.PodRunning, runningStatus(false, 2)), look{"Running", shared.LevelWarning, cells("0/1", "2")}},
		{"crash loop", testPod(corev1.PodRunning, waitingStatus("CrashLoopBackOff", 5)), look{"CrashLoopBackOff", shared.LevelError, cells("0/1", "5")}},
		{"image pull back-off", testPod(corev1.PodPending, waitingStatus("ImagePullBackOff", 0)), look{"ImagePullBackOff", shared.LevelError, cells("0/1", "0")}},
		{"creating", testPod(corev1.PodPending, waitingStatus("ContainerCreating", 0)), look{"ContainerCreating", shared.LevelWarning, cells("0/1", "0")}},
		{"unschedulable", unschedulable, look{"Unschedulable", shared.LevelWarning,
			map[string]string{"ready": "0/1", "restarts": "0", "node": "", "ip": ""}}},
		{"pending", testPod(corev1.PodPending), look{"Pending", shared.LevelWarning, cells("0/1", "0")}},
		{"completed", testPod(corev1.PodSucceeded, corev1.ContainerStatus{Name: "main",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}}),
			look{"Completed", shared.LevelOK, cells("0/1", "0")}},
		{"failed", testPod(corev1.PodFailed), look{"Failed", shared.LevelError, cells("0/1", "0")}},
		{"evicted", evicted, look{"Evicted", shared.LevelError, cells("0/1", "0")}},
		{"exited non-zero", exited, look{"ExitCode:2", shared.LevelError, cells("0/1", "1")}},
		{"terminating", terminating, look{"Terminating", shared.LevelWarning, cells("1/1", "0")}},
		{"init container running", initWaiting, look{"Init:1/2", shared.LevelWarning, cells("0/1", "0")}},
		{"init container crash loop", initCrash, look{"Init:CrashLoopBackOff", shared.LevelError, cells("0/1", "4")}},
		{"unknown phase", testPod(corev1.PodUnknown), look{"Unknown", shared.LevelUnknown, cells("0/1", "0")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lookOf(podRow(tt.pod))); diff != "" {
				t.Errorf("podRow (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPodRowBase(t *testing.T) {
	p := testPod(corev1.PodRunning, runningStatus(true, 0))
	p.Labels = map[string]string{"app": "web"}
	p.ResourceVersion = "42"
	got := podRow(p)
	want := shared.Row{UID: "uid-web", Kind: "Pod", Name: "web", Namespace: "team-a",
		Created: p.CreationTimestamp.Unix(), Status: "Running", Level: shared.LevelOK,
		Labels: map[string]string{"app": "web"}, Version: "42",
		Cells: map[string]string{"ready": "1/1", "restarts": "0", "node": "kwok-node-0", "ip": "10.0.0.7"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("podRow (-want +got):\n%s", diff)
	}
}

func TestWorkloadRows(t *testing.T) {
	deploy := func(replicas, ready, updated, available int32, conds ...appsv1.DeploymentCondition) *appsv1.Deployment {
		d := &appsv1.Deployment{ObjectMeta: rowMeta("api"),
			Spec: appsv1.DeploymentSpec{Replicas: ptr.To(replicas), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Image: "api:1"}, {Image: "envoy:2"}}}}},
			Status: appsv1.DeploymentStatus{Replicas: max(replicas, updated), ReadyReplicas: ready, UpdatedReplicas: updated,
				AvailableReplicas: available, Conditions: conds}}
		return d
	}
	cells := func(ready, upToDate, available string) map[string]string {
		return map[string]string{"ready": ready, "upToDate": upToDate, "available": available, "images": "api:1, envoy:2"}
	}
	stale := deploy(2, 2, 2, 2)
	stale.Generation, stale.Status.ObservedGeneration = 3, 2
	paused := deploy(2, 2, 2, 2)
	paused.Spec.Paused = true
	sts := &appsv1.StatefulSet{ObjectMeta: rowMeta("db"), Spec: appsv1.StatefulSetSpec{Replicas: ptr.To(int32(3)),
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "postgres:16"}}}}},
		Status: appsv1.StatefulSetStatus{Replicas: 3, ReadyReplicas: 1, UpdatedReplicas: 3, AvailableReplicas: 1}}
	ds := &appsv1.DaemonSet{ObjectMeta: rowMeta("agent"),
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "agent"}}}}},
		Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: 4, CurrentNumberScheduled: 4, NumberReady: 4,
			UpdatedNumberScheduled: 4, NumberAvailable: 4}}
	noNodes := &appsv1.DaemonSet{ObjectMeta: rowMeta("agent"),
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Image: "agent"}}}}}}

	tests := []struct {
		name string
		row  shared.Row
		want look
	}{
		{"deployment available", deploymentRow(deploy(3, 3, 3, 3)), look{"Available", shared.LevelOK, cells("3/3", "3", "3")}},
		{"deployment rolling out", deploymentRow(deploy(3, 1, 2, 1)), look{"Progressing", shared.LevelWarning, cells("1/3", "2", "1")}},
		{"deployment not ready", deploymentRow(deploy(3, 2, 3, 2)), look{"Not ready", shared.LevelWarning, cells("2/3", "3", "2")}},
		{"deployment spec not observed", deploymentRow(stale), look{"Progressing", shared.LevelWarning, cells("2/2", "2", "2")}},
		{"deployment past deadline", deploymentRow(deploy(2, 0, 2, 0, appsv1.DeploymentCondition{
			Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"})),
			look{"ProgressDeadlineExceeded", shared.LevelError, cells("0/2", "2", "0")}},
		{"deployment cannot create pods", deploymentRow(deploy(2, 0, 0, 0, appsv1.DeploymentCondition{
			Type: appsv1.DeploymentReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate"})),
			look{"FailedCreate", shared.LevelError, cells("0/2", "0", "0")}},
		{"deployment scaled to zero", deploymentRow(deploy(0, 0, 0, 0)), look{"Scaled to zero", shared.LevelOK, cells("0/0", "0", "0")}},
		{"deployment paused", deploymentRow(paused), look{"Paused", shared.LevelWarning, cells("2/2", "2", "2")}},
		{"statefulset not ready", statefulSetRow(sts), look{"Not ready", shared.LevelWarning,
			map[string]string{"ready": "1/3", "upToDate": "3", "available": "1", "images": "postgres:16"}}},
		{"daemonset available", daemonSetRow(ds), look{"Available", shared.LevelOK,
			map[string]string{"ready": "4/4", "upToDate": "4", "available": "4", "images": "agent"}}},
		{"daemonset on no nodes", daemonSetRow(noNodes), look{"No nodes", shared.LevelOK,
			map[string]string{"ready": "0/0", "upToDate": "0", "available": "0", "images": "agent"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lookOf(tt.row)); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigAndServiceRows(t *testing.T) {
	svc := func(typ corev1.ServiceType, ports []corev1.ServicePort, ingress ...corev1.LoadBalancerIngress) *corev1.Service {
		return &corev1.Service{ObjectMeta: rowMeta("web"), Spec: corev1.ServiceSpec{Type: typ, ClusterIP: "10.0.0.10", Ports: ports},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: ingress}}}
	}
	http := []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP}, {Port: 53, Protocol: corev1.ProtocolUDP}}
	node := []corev1.ServicePort{{Port: 80, NodePort: 30080, Protocol: corev1.ProtocolTCP}}
	extName := svc(corev1.ServiceTypeExternalName, nil)
	extName.Spec.ClusterIP, extName.Spec.ExternalName = "", "db.example.com"
	helm := &corev1.Secret{ObjectMeta: rowMeta("sh.helm.release.v1.shop.v3"), Type: helmReleaseType,
		Data: map[string][]byte{"release": nil}}
	helm.Labels = map[string]string{"owner": "helm", "name": "shop", "version": "3", "status": "deployed"}

	tests := []struct {
		name string
		row  shared.Row
		want look
	}{
		{"cluster IP service", serviceRow(svc(corev1.ServiceTypeClusterIP, http)), look{"Active", shared.LevelOK,
			map[string]string{"type": "ClusterIP", "clusterIP": "10.0.0.10", "ports": "80/TCP,53/UDP", "external": ""}}},
		{"node port service", serviceRow(svc(corev1.ServiceTypeNodePort, node)), look{"Active", shared.LevelOK,
			map[string]string{"type": "NodePort", "clusterIP": "10.0.0.10", "ports": "80:30080/TCP", "external": ""}}},
		{"load balancer waiting", serviceRow(svc(corev1.ServiceTypeLoadBalancer, node)), look{"Pending address", shared.LevelWarning,
			map[string]string{"type": "LoadBalancer", "clusterIP": "10.0.0.10", "ports": "80:30080/TCP", "external": ""}}},
		{"load balancer ready", serviceRow(svc(corev1.ServiceTypeLoadBalancer, node, corev1.LoadBalancerIngress{IP: "203.0.113.9"})),
			look{"Active", shared.LevelOK,
				map[string]string{"type": "LoadBalancer", "clusterIP": "10.0.0.10", "ports": "80:30080/TCP", "external": "203.0.113.9"}}},
		{"external name", serviceRow(extName), look{"Active", shared.LevelOK,
			map[string]string{"type": "ExternalName", "clusterIP": "", "ports": "", "external": "db.example.com"}}},
		{"config map", configMapRow(&corev1.ConfigMap{ObjectMeta: rowMeta("cfg"), Data: map[string]string{"a": "1", "b": "2"},
			BinaryData: map[string][]byte{"c": {1}}}), look{"Active", shared.LevelOK, map[string]string{"keys": "3"}}},
		{"secret", secretRow(&corev1.Secret{ObjectMeta: rowMeta("creds"), Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{"user": nil, "password": nil}}), look{"Active", shared.LevelOK, map[string]string{"type": "Opaque", "keys": "2"}}},
		{"helm release", secretRow(helm), look{"Helm release shop v3 deployed", shared.LevelOK,
			map[string]string{"type": "Helm release", "keys": "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lookOf(tt.row)); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStorageRows(t *testing.T) {
	gi := func(s string) corev1.ResourceList {
		return corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(s)}
	}
	pvc := func(phase corev1.PersistentVolumeClaimPhase, volume string) *corev1.PersistentVolumeClaim {
		c := &corev1.PersistentVolumeClaim{ObjectMeta: rowMeta("data"),
			Spec: corev1.PersistentVolumeClaimSpec{VolumeName: volume, StorageClassName: ptr.To("standard"),
				AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}},
			Status: corev1.PersistentVolumeClaimStatus{Phase: phase}}
		if phase == corev1.ClaimBound {
			c.Status.Capacity = gi("10Gi")
			c.Status.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce, corev1.ReadOnlyMany}
		}
		return c
	}
	pv := func(phase corev1.PersistentVolumePhase, claim *corev1.ObjectReference) *corev1.PersistentVolume {
		return &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "pv-1"},
			Spec: corev1.PersistentVolumeSpec{Capacity: gi("10Gi"), ClaimRef: claim, StorageClassName: "standard",
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany, corev1.ReadWriteOncePod}},
			Status: corev1.PersistentVolumeStatus{Phase: phase}}
	}
	pvCells := func(claim string) map[string]string {
		return map[string]string{"capacity": "10Gi", "accessModes": "RWX,RWOP", "reclaimPolicy": "Retain", "claim": claim, "storageClass": "standard"}
	}
	claim := &corev1.ObjectReference{Namespace: "team-a", Name: "data"}
	tests := []struct {
		name string
		row  shared.Row
		want look
	}{
		{"bound claim", pvcRow(pvc(corev1.ClaimBound, "pv-1")), look{"Bound", shared.LevelOK,
			map[string]string{"volume": "pv-1", "capacity": "10Gi", "accessModes": "RWO,ROX", "storageClass": "standard"}}},
		{"unbound claim", pvcRow(pvc(corev1.ClaimPending, "")), look{"Pending", shared.LevelWarning,
			map[string]string{"volume": "", "capacity": "", "accessModes": "RWO", "storageClass": "standard"}}},
		{"lost claim", pvcRow(pvc(corev1.ClaimLost, "pv-1")), look{"Lost", shared.LevelError,
			map[string]string{"volume": "pv-1", "capacity": "", "accessModes": "RWO", "storageClass": "standard"}}},
		{"available volume", pvRow(pv(corev1.VolumeAvailable, nil)), look{"Available", shared.LevelOK, pvCells("")}},
		{"bound volume", pvRow(pv(corev1.VolumeBound, claim)), look{"Bound", shared.LevelOK, pvCells("team-a/data")}},
		{"released volume", pvRow(pv(corev1.VolumeReleased, claim)), look{"Released", shared.LevelWarning, pvCells("team-a/data")}},
		{"failed volume", pvRow(pv(corev1.VolumeFailed, claim)), look{"Failed", shared.LevelError, pvCells("team-a/data")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lookOf(tt.row)); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}
