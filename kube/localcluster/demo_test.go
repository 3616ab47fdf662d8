package localcluster

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

func TestSeedIsIdempotentAndBindsClaims(t *testing.T) {
	t.Parallel()
	cs := adminClientset(t)
	for i := range 2 {
		if err := Seed(t.Context(), cs); err != nil {
			t.Fatalf("seed #%d: %v", i+1, err)
		}
	}

	want := map[string]corev1.PersistentVolumeClaimPhase{
		"team-ml/training-data": corev1.ClaimBound,
		"team-web/uploads":      corev1.ClaimBound,
		"demo/scratch":          corev1.ClaimPending,
	}
	var got map[string]corev1.PersistentVolumeClaimPhase
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		got = claimPhases(ctx, t, cs)
		return cmp.Equal(want, got), nil
	})
	if err != nil {
		t.Errorf("claim phases (-want +got):\n%s", cmp.Diff(want, got))
	}

	selector := metav1.ListOptions{LabelSelector: DemoLabel + "=" + DemoValue}
	counts := map[string]int{}
	for _, ns := range DemoNamespaces() {
		deps, err := cs.AppsV1().Deployments(ns).List(t.Context(), selector)
		if err != nil {
			t.Fatal(err)
		}
		svcs, err := cs.CoreV1().Services(ns).List(t.Context(), selector)
		if err != nil {
			t.Fatal(err)
		}
		counts["deployments"] += len(deps.Items)
		counts["services"] += len(svcs.Items)
	}
	wantCounts := map[string]int{"deployments": len(demoDeployments()), "services": len(demoServices())}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("labelled demo objects after seeding twice (-want +got):\n%s", diff)
	}
}

func claimPhases(ctx context.Context, t *testing.T, cs kubernetes.Interface) map[string]corev1.PersistentVolumeClaimPhase {
	t.Helper()
	phases := map[string]corev1.PersistentVolumeClaimPhase{}
	for _, ns := range DemoNamespaces() {
		claims, err := cs.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		for _, c := range claims.Items {
			phases[ns+"/"+c.Name] = c.Status.Phase
		}
	}
	return phases
}

func TestSeedWorkloadsReachTheirStates(t *testing.T) {
	t.Parallel()
	cs := adminClientset(t)
	if err := Seed(t.Context(), cs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		namespace, app string
		want           containerState
	}{
		{"team-web", "web-frontend", containerState{Phase: corev1.PodRunning, Ready: true, Running: true}},
		{"demo", "broken-image", containerState{Phase: corev1.PodPending, Waiting: "ImagePullBackOff"}},
		{"demo", "crashy-worker", containerState{Phase: corev1.PodRunning, Waiting: "CrashLoopBackOff", RestartsAbove: true}},
		{"team-ml", "trainer", containerState{Phase: corev1.PodRunning, Ready: true, Running: true}},
		{"demo", "postgres", containerState{Phase: corev1.PodRunning, Ready: true, Running: true}},
		{"demo", "node-exporter", containerState{Phase: corev1.PodRunning, Ready: true, Running: true}},
	}
	for _, tt := range tests {
		t.Run(tt.app, func(t *testing.T) {
			var got []containerState
			err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
				pods, err := cs.CoreV1().Pods(tt.namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=" + tt.app})
				if err != nil {
					return false, nil
				}
				got = got[:0]
				for i := range pods.Items {
					got = append(got, stateOf(&pods.Items[i]))
				}
				for _, s := range got {
					if s != tt.want {
						return false, nil
					}
				}
				return len(got) > 0, nil
			})
			if err != nil {
				t.Errorf("pods of %s/%s: got %+v, want all %+v", tt.namespace, tt.app, got, tt.want)
			}
		})
	}
}
