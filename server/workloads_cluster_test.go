package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// Scale and restart a Deployment and a StatefulSet through the API, as
// the user: each is an operation that makes the change and follows the
// rollout to its end; a viewer is refused with 403 naming the right before
// anything starts; both are audited, accepted then how they ended.
func TestScaleAndRestartWorkloads(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns := f.namespace(t, "day-two")
	f.bind(t, "day-dora", "edit", ns)
	f.bind(t, "day-vera", "view", ns)
	if _, err := f.admin.AppsV1().Deployments(ns).Create(ctx, testDeployment(ns, "web", "registry.example/web:1", 1, 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "db"}
	sts := &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns},
		Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](1), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "db", Image: "registry.example/db:1"}}}}}}
	if _, err := f.admin.AppsV1().StatefulSets(ns).Create(ctx, sts, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ resource, name string }{{"deployments", "web"}, {"statefulsets", "db"}} {
		t.Run(w.resource, func(t *testing.T) {
			base := "/api/v1/resources/" + w.resource + "/" + ns + "/" + w.name
			// A viewer is refused before anything starts.
			for _, path := range []string{base + "/scale", base + "/restart"} {
				code, env := f.send(t, http.MethodPost, path, "day-vera", shared.ScaleRequest{Replicas: ptr.To(3)})
				if code != http.StatusForbidden || env.Error == nil || !strings.Contains(env.Error.Message, "it needs") {
					t.Errorf("viewer's POST %s: %d %+v, want 403 naming the right", path, code, env.Error)
				}
			}
			// Someone else writes the workload during the scale, as its
			// controller does (CI caught a scale that failed as a conflict
			// with the controller's status writes).
			stop := make(chan struct{})
			var stopOnce sync.Once
			t.Cleanup(func() { stopOnce.Do(func() { close(stop) }) })
			writes := make(chan int, 1)
			go func() {
				n := 0
				defer func() { writes <- n }()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
					// A label: a Deployment's annotations bump its generation.
					patch := []byte(fmt.Sprintf(`{"metadata":{"labels":{"test-tick":"%d"}}}`, i))
					var err error
					if w.resource == "deployments" {
						_, err = f.admin.AppsV1().Deployments(ns).Patch(ctx, w.name, types.MergePatchType, patch, metav1.PatchOptions{})
					} else {
						_, err = f.admin.AppsV1().StatefulSets(ns).Patch(ctx, w.name, types.MergePatchType, patch, metav1.PatchOptions{})
					}
					if err == nil {
						n++
					} else if i < 3 {
						t.Logf("someone else's write: %v", err)
					}
				}
			}()
			op, err := operationOf(f.send(t, http.MethodPost, base+"/scale", "day-dora", shared.ScaleRequest{Replicas: ptr.To(3)}))
			if err != nil {
				t.Fatal(err)
			}
			time.AfterFunc(time.Second, func() { stopOnce.Do(func() { close(stop) }) })
			done := f.waitOperation(t, "day-dora", op.ID, 90*time.Second)
			t.Logf("%d writes by someone else during the scale", <-writes)
			var p shared.DeploymentProgress
			if done.Phase != shared.OperationSucceeded || json.Unmarshal(done.Result, &p) != nil || p.Ready != 3 || p.Desired != 3 {
				t.Fatalf("scale: %s %q %s, want succeeded with 3 ready", done.Phase, done.Message, done.Result)
			}
			op, err = operationOf(f.send(t, http.MethodPost, base+"/restart", "day-dora", nil))
			if err != nil {
				t.Fatal(err)
			}
			if done := f.waitOperation(t, "day-dora", op.ID, 90*time.Second); done.Phase != shared.OperationSucceeded {
				t.Fatalf("restart: %s %q", done.Phase, done.Message)
			}
			var template map[string]string
			switch w.resource {
			case "deployments":
				d, err := f.admin.AppsV1().Deployments(ns).Get(ctx, w.name, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				template = d.Spec.Template.Annotations
			default:
				s, err := f.admin.AppsV1().StatefulSets(ns).Get(ctx, w.name, metav1.GetOptions{})
				if err != nil {
					t.Fatal(err)
				}
				template = s.Spec.Template.Annotations
			}
			if template[kube.RestartedAtAnnotation] == "" {
				t.Errorf("the pod template's annotations %v lack %s", template, kube.RestartedAtAnnotation)
			}
		})
	}
	// Bad input.
	for _, tt := range []struct {
		path string
		body any
		code int
	}{
		{"/api/v1/resources/deployments/" + ns + "/web/scale", shared.ScaleRequest{Replicas: ptr.To(-1)}, http.StatusBadRequest},
		{"/api/v1/resources/deployments/" + ns + "/web/scale", shared.ScaleRequest{Replicas: ptr.To(1 << 30)}, http.StatusBadRequest},
		{"/api/v1/resources/deployments/" + ns + "/web/scale", map[string]any{}, http.StatusBadRequest},
		{"/api/v1/resources/pods/" + ns + "/web/scale", shared.ScaleRequest{Replicas: ptr.To(1)}, http.StatusNotFound},
		{"/api/v1/resources/deployments/" + ns + "/missing/restart", nil, http.StatusNotFound},
	} {
		code, env := f.send(t, http.MethodPost, tt.path, "day-dora", tt.body)
		if code != tt.code {
			t.Errorf("POST %s %v: %d %+v, want %d", tt.path, tt.body, code, env.Error, tt.code)
		}
	}
	var got []string
	for _, a := range auditLines(t, f.logs.String()) {
		if a.User == "day-dora" && a.Object.Name == "web" {
			got = append(got, a.Verb+":"+a.Result)
		}
	}
	if want := "scale:accepted,scale:succeeded,restart:accepted,restart:succeeded"; !strings.HasPrefix(strings.Join(got, ","), want) {
		t.Errorf("audit lines of web %v, want %s first", got, want)
	}
}
