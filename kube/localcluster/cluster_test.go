package localcluster

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

func TestClusterIsReady(t *testing.T) {
	t.Parallel()
	cs := adminClientset(t)
	info, err := cs.Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if info.GitVersion != "v1.37.2" {
		t.Errorf("server version = %q, want v1.37.2", info.GitVersion)
	}

	nodes, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type node struct {
		Ready bool
		GPUs  int64
		Label string
		IP    string
	}
	got := map[string]node{}
	for _, n := range nodes.Items {
		gpus := n.Status.Allocatable[GPUResource]
		got[n.Name] = node{Ready: isReady(n.Status.Conditions), GPUs: gpus.Value(), Label: n.Labels[GPULabel], IP: internalIP(n)}
	}
	want := map[string]node{
		"kwok-gpu-node-0": {Ready: true, GPUs: 4, Label: "true", IP: "10.1.0.1"},
		"kwok-node-0":     {Ready: true, IP: "10.1.0.2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
}

func internalIP(n corev1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return a.Address
		}
	}
	return ""
}

func isReady(conds []corev1.NodeCondition) bool {
	for _, c := range conds {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// whoAmI asks the API server who cfg authenticates as.
func whoAmI(t *testing.T, cfg *rest.Config) authnv1.UserInfo {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(t.Context(), &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	info := review.Status.UserInfo
	info.Groups = slices.DeleteFunc(info.Groups, func(g string) bool { return g == "system:authenticated" })
	info.UID, info.Extra = "", nil
	return info
}

func TestUsersAuthenticateWithTheirTokens(t *testing.T) {
	t.Parallel()
	Need(t, cluster)
	tests := []struct {
		user string
		want authnv1.UserInfo
	}{
		{AdminUser, authnv1.UserInfo{Username: "admin", Groups: []string{"system:masters"}}},
		{ServerUser, authnv1.UserInfo{Username: "kubedeck", Groups: []string{"kubedeck"}}},
		{"dev", authnv1.UserInfo{Username: "dev", Groups: []string{"devs", "qa"}}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, whoAmI(t, cluster.UserConfig(tt.user))); diff != "" {
				t.Errorf("user info (-want +got):\n%s", diff)
			}
		})
	}
	if cfg, token := cluster.UserConfig("nobody"), cluster.Token("nobody"); cfg != nil || token != "" {
		t.Errorf("unknown user: config %v, token %q; want nil and empty", cfg, token)
	}
}

func TestAdminConfigIsACopy(t *testing.T) {
	t.Parallel()
	Need(t, cluster)
	cfg := cluster.AdminConfig()
	cfg.BearerToken = "changed"
	cfg.CAData[0] = 'X'
	if got := cluster.AdminConfig(); got.BearerToken == "changed" || got.CAData[0] == 'X' {
		t.Error("changing a returned config changed the cluster's")
	}
}

func TestWriteKubeconfig(t *testing.T) {
	t.Parallel()
	Need(t, cluster)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := cluster.WriteKubeconfig(path, "dev"); err != nil {
		t.Fatal(err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := whoAmI(t, cfg).Username; got != "dev" {
		t.Errorf("kubeconfig authenticates as %q, want dev", got)
	}
	if err := cluster.WriteKubeconfig(path, "nobody"); err == nil {
		t.Error("kubeconfig for an unknown user: no error")
	}
}

func TestDeploymentBecomesAvailable(t *testing.T) {
	t.Parallel()
	cs := adminClientset(t)
	ns := newNamespace(t, cs)
	replicas := int32(3)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: podTemplate("web", "nginx:1.27", nil),
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var running int
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		got, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil || !deploymentAvailable(got) {
			return false, nil
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, nil
		}
		running = 0
		for _, p := range pods.Items {
			if p.Status.Phase == corev1.PodRunning {
				running++
			}
		}
		return running == 3, nil
	})
	if err != nil {
		t.Fatalf("deployment not available with 3 running pods (%d running): %v", running, err)
	}
}

func deploymentAvailable(d *appsv1.Deployment) bool {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionTrue {
			return d.Status.AvailableReplicas == *d.Spec.Replicas
		}
	}
	return false
}

func TestGPUPodLandsOnGPUNode(t *testing.T) {
	t.Parallel()
	cs := adminClientset(t)
	ns := newNamespace(t, cs)
	tmpl := podTemplate("train", "trainer:latest", corev1.ResourceList{GPUResource: resource.MustParse("1")})
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "train"}, Spec: tmpl.Spec}
	if _, err := cs.CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	got := waitForPod(t, cs, ns, "train", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodRunning })
	node, err := cs.CoreV1().Nodes().Get(t.Context(), got.Spec.NodeName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if node.Labels[GPULabel] != "true" {
		t.Errorf("GPU pod runs on %s, which has no GPUs", node.Name)
	}
	if ip := internalIP(*node); got.Status.HostIP != ip {
		t.Errorf("pod host IP = %q, want its node's %q", got.Status.HostIP, ip)
	}
}

// waitForPod polls the pod until done says so, and returns it.
func waitForPod(t *testing.T, cs kubernetes.Interface, ns, name string, done func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		pod = p
		return done(p), nil
	})
	if err != nil {
		var status any
		if pod != nil {
			status = pod.Status
		}
		t.Fatalf("pod %s/%s never reached the wanted state (last status %+v): %v", ns, name, status, err)
	}
	return pod
}
