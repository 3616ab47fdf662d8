package localcluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

func TestExcludeMarkedPods(t *testing.T) {
	stage := func(name string) string {
		return "apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata:\n  name: " + name +
			"\nspec:\n  selector:\n    matchExpressions:\n    - key: .status.phase\n      operator: In\n      values: [Pending]\n"
	}
	tests := []struct {
		name     string
		stage    string
		wantKeys []string
	}{
		{"pod-ready", stage("pod-ready"), []string{".status.phase", notMarked()["key"].(string)}},
		{"pod-complete", stage("pod-complete"), []string{".status.phase", notMarked()["key"].(string)}},
		{"pod-delete", stage("pod-delete"), []string{".status.phase"}},
		{"node-initialize", stage("node-initialize"), []string{".status.phase"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := excludeMarkedPods([]byte(tt.stage))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Spec struct {
					Selector struct {
						MatchExpressions []struct{ Key string }
					}
				}
			}
			if err := yaml.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, e := range got.Spec.Selector.MatchExpressions {
				keys = append(keys, e.Key)
			}
			if diff := cmp.Diff(tt.wantKeys, keys); diff != "" {
				t.Errorf("selector keys (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := excludeMarkedPods([]byte(stage("pod-ready") + "---\n" + stage("pod-delete"))); err == nil {
		t.Error("two documents: no error")
	}
}

func TestWriteStagesNamesEveryStage(t *testing.T) {
	dir := t.TempDir()
	for _, name := range upstreamStages() {
		doc := "kind: Stage\nmetadata:\n  name: " + strings.TrimSuffix(name, ".yaml") +
			"\nspec:\n  selector:\n    matchExpressions: [{key: .x, operator: Exists}]\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "kwok.yaml")
	if err := writeStages(dir, path, newDebugFiles(dir)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var s struct{ Metadata struct{ Name string } }
		if err := yaml.Unmarshal([]byte(doc), &s); err != nil {
			t.Fatal(err)
		}
		names = append(names, s.Metadata.Name)
	}
	want := []string{"node-initialize", "pod-ready", "pod-complete", "pod-delete",
		"kubedeck-pod-crashloop-backoff", "kubedeck-pod-image-pull-backoff",
		"kubedeck-demo-logs", "kubedeck-local-exec"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
}

// containerState sums up a pod's first container for comparison.
type containerState struct {
	Phase         corev1.PodPhase
	Ready         bool
	Waiting       string
	Running       bool
	RestartsAbove bool // restartCount > 0
}

func stateOf(p *corev1.Pod) containerState {
	s := containerState{Phase: p.Status.Phase}
	if len(p.Status.ContainerStatuses) == 0 {
		return s
	}
	cs := p.Status.ContainerStatuses[0]
	s.Ready = cs.Ready
	s.Running = cs.State.Running != nil
	s.RestartsAbove = cs.RestartCount > 0
	if cs.State.Waiting != nil {
		s.Waiting = cs.State.Waiting.Reason
	}
	return s
}

func TestMarkedImagesFailLikeRealOnes(t *testing.T) {
	t.Parallel()
	cs := adminClientset(t)
	ns := newNamespace(t, cs)
	tests := []struct {
		name  string
		image string
		want  containerState
	}{
		{"plain", "nginx:1.27", containerState{Phase: corev1.PodRunning, Ready: true, Running: true}},
		{"fail-pull", "registry.example.com/fail-pull:v1", containerState{Phase: corev1.PodPending, Waiting: "ImagePullBackOff"}},
		{"crashloop", "registry.example.com/crashloop:v1", containerState{Phase: corev1.PodRunning, Waiting: "CrashLoopBackOff", RestartsAbove: true}},
	}
	for _, tt := range tests {
		tmpl := podTemplate("app", tt.image, nil)
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: tt.name}, Spec: tmpl.Spec}
		if _, err := cs.CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			waitForPod(t, cs, ns, tt.name, func(p *corev1.Pod) bool { return stateOf(p) == tt.want })
			// No other stage may take the pod on from there.
			time.Sleep(time.Second)
			p := waitForPod(t, cs, ns, tt.name, func(*corev1.Pod) bool { return true })
			if diff := cmp.Diff(tt.want, stateOf(p)); diff != "" {
				t.Errorf("state a second later (-want +got):\n%s", diff)
			}
		})
	}
}
