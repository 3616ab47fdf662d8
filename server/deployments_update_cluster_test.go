package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// deployApp creates the app of spec as user through the API and waits
// until it is available.
func (f *deployFixture) deployApp(t *testing.T, user string, spec shared.DeploymentSpec) {
	t.Helper()
	op, err := operationOf(f.send(t, http.MethodPost, "/api/v1/deployments", user, spec))
	if err != nil {
		t.Fatal(err)
	}
	if done := f.waitOperation(t, user, op.ID, 90*time.Second); done.Phase != shared.OperationSucceeded {
		t.Fatalf("create %s: %s %+v", spec.Name, done.Phase, done.Error)
	}
}

// appSpecOf reads the spec kept on app namespace/name's Deployment.
func (f *deployFixture) appSpecOf(t *testing.T, namespace, name string) (shared.DeploymentSpec, string) {
	t.Helper()
	d, err := f.admin.AppsV1().Deployments(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var spec shared.DeploymentSpec
	if err := json.Unmarshal([]byte(d.Annotations[kube.AnnotationSpec]), &spec); err != nil {
		t.Fatalf("the spec annotation %q: %v", d.Annotations[kube.AnnotationSpec], err)
	}
	return spec, d.Spec.Template.Spec.Containers[0].Image
}

// The owner of an app made by the wizard changes its image, replicas,
// memory, env and exposure: the check shows the diff and the dry run's
// verdict on each object's update; the update is an operation that claims
// the app (a second write meanwhile is a 409 naming it), follows the
// rollout to Available and keeps the new spec on the Deployment, with the
// Ingress made for the new exposure. A rollback puts the old image back;
// taking the exposure back to none removes the Service and Ingress.
func TestDeployUpdateAndRollback(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns := f.namespace(t, "update")
	f.bind(t, "up-uma", "edit", ns)
	f.bind(t, "up-otto", "edit", ns)
	old := shared.DeploymentSpec{Name: "web", Namespace: ns, Image: "registry.example/web:1.0", Port: 8080, Replicas: 2,
		Exposure: shared.ExposeInternal, MemoryRequest: "64Mi"}
	f.deployApp(t, "up-uma", old)
	path := "/api/v1/deployments/web?namespace=" + ns

	// One revision only: nothing to roll back to.
	code, env := f.send(t, http.MethodPost, "/api/v1/deployments/web/rollback?namespace="+ns, "up-uma", nil)
	if code != http.StatusBadRequest || env.Error == nil || !strings.Contains(env.Error.Message, "no previous revision") {
		t.Errorf("rollback of a first revision: %d %+v, want 400 saying there is none", code, env.Error)
	}

	next := old
	next.Image, next.Replicas, next.MemoryRequest, next.Exposure = "registry.example/web:2.0", 3, "96Mi", shared.ExposePublic
	next.Env = []shared.EnvVar{{Name: "MODE", Value: "prod"}}
	code, env = f.send(t, http.MethodPost, "/api/v1/deployments/web/validate?namespace="+ns, "up-uma", next)
	var check shared.DeploymentUpdateCheck
	if code != http.StatusOK || json.Unmarshal(env.Data, &check) != nil {
		t.Fatalf("validate the update: %d %+v", code, env.Error)
	}
	var fields []string
	for _, c := range check.Changes {
		fields = append(fields, c.Field)
	}
	if want := []string{"image", "replicas", "exposure", "memoryRequest", "env"}; !slices.Equal(fields, want) {
		t.Errorf("changes %+v, want the fields %v", check.Changes, want)
	}
	if !check.Allowed() || check.Current.Image != old.Image {
		t.Errorf("check: allowed %v, verdicts %+v, current %+v; want every object allowed and the spec in force", check.Allowed(), check.Verdicts, check.Current)
	}
	var judged []string
	for _, v := range check.Verdicts {
		judged = append(judged, v.Kind)
	}
	if want := []string{"Deployment", "Ingress", "Pod"}; !slices.Equal(judged, want) {
		t.Errorf("verdicts on %v, want %v (the Service stays as it is)", judged, want)
	}

	// Refusals, before anything starts.
	foreign := testDeployment(ns, "hand-made", "registry.example/web:1", 1, 0)
	if _, err := f.admin.AppsV1().Deployments(ns).Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	handMade := next
	handMade.Name = "hand-made"
	renamed := next
	renamed.Name = "other"
	broken := next
	gone := next
	gone.Name = "gone"
	broken.Image, broken.Port = "", 70000
	for _, tt := range []struct {
		name, user, path string
		body             any
		code             int
		says             string
	}{
		{"another user's app", "up-otto", path, next, http.StatusForbidden, "only its owner"},
		{"a Deployment the wizard did not make", "up-uma", "/api/v1/deployments/hand-made?namespace=" + ns, handMade, http.StatusBadRequest, "not made by Kubedeck"},
		{"a new name", "up-uma", path, renamed, http.StatusBadRequest, "name cannot change"},
		{"bad fields", "up-uma", path, broken, http.StatusBadRequest, "not valid"},
		{"nothing changes", "up-uma", path, old, http.StatusBadRequest, "Nothing to change"},
		{"an app that is not there", "up-uma", "/api/v1/deployments/gone?namespace=" + ns, gone, http.StatusNotFound, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, env := f.send(t, http.MethodPut, tt.path, tt.user, tt.body)
			if code != tt.code || env.Error == nil || !strings.Contains(env.Error.Message, tt.says) {
				t.Errorf("PUT %s as %s: %d %+v, want %d saying %q", tt.path, tt.user, code, env.Error, tt.code, tt.says)
			}
		})
	}
	// The owner without the right to update Deployments any more: the
	// dry run refuses, nothing changes.
	unbindEdit := f.bind(t, "up-vera", "edit", ns)
	f.deployApp(t, "up-vera", shared.DeploymentSpec{Name: "vera-app", Namespace: ns, Image: "registry.example/web:1.0", Replicas: 1, Exposure: shared.ExposeNone})
	unbindEdit()
	f.bind(t, "up-vera", "view", ns)
	veraNext := shared.DeploymentSpec{Name: "vera-app", Namespace: ns, Image: "registry.example/web:2.0", Replicas: 1, Exposure: shared.ExposeNone}
	eventually(t, "the check refuses the owner who may only view", func() bool {
		code, env := f.send(t, http.MethodPost, "/api/v1/deployments/vera-app/validate?namespace="+ns, "up-vera", veraNext)
		var c shared.DeploymentUpdateCheck
		return code == http.StatusOK && json.Unmarshal(env.Data, &c) == nil && c.Valid && !c.Allowed()
	})
	code, env = f.send(t, http.MethodPut, "/api/v1/deployments/vera-app?namespace="+ns, "up-vera", veraNext)
	if code != http.StatusForbidden || env.Error == nil || !strings.Contains(env.Error.Message, "Nothing was changed") {
		t.Errorf("PUT by an owner who may only view: %d %+v, want 403 saying nothing was changed", code, env.Error)
	}
	if _, image := f.appSpecOf(t, ns, "vera-app"); image != "registry.example/web:1.0" {
		t.Errorf("the refused update changed the image to %s", image)
	}

	// The update, and a second write while it runs.
	code, env = f.send(t, http.MethodPut, path, "up-uma", next)
	op, err := operationOf(code, env)
	if err != nil {
		t.Fatalf("%v %+v %s", err, env.Error, f.logs)
	}
	code, env = f.send(t, http.MethodPost, "/api/v1/resources/deployments/"+ns+"/web/scale", "up-uma", shared.ScaleRequest{Replicas: ptr.To(1)})
	if code != http.StatusConflict || env.Error == nil || !strings.Contains(env.Error.Message, "web") {
		t.Errorf("a scale during the update: %d %+v, want 409 naming the app", code, env.Error)
	}
	done := f.waitOperation(t, "up-uma", op.ID, 90*time.Second)
	var outcome shared.DeploymentOutcome
	if done.Phase != shared.OperationSucceeded || json.Unmarshal(done.Result, &outcome) != nil ||
		outcome.Progress.Ready != 3 || outcome.URL != "http://web."+ns+".apps.test/" {
		t.Fatalf("update: %s %q %s %+v, want succeeded with 3 ready and the URL", done.Phase, done.Message, done.Result, done.Error)
	}
	spec, image := f.appSpecOf(t, ns, "web")
	if diff := shared.SpecChanges(next, spec); len(diff) != 0 || image != next.Image {
		t.Errorf("after the update the annotation differs from the spec sent: %+v; image %s", diff, image)
	}
	if _, err := f.admin.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Errorf("the Ingress of the public app: %v", err)
	}

	// One click back: the old image, the replicas and exposure in force.
	op, err = operationOf(f.send(t, http.MethodPost, "/api/v1/deployments/web/rollback?namespace="+ns, "up-uma", nil))
	if err != nil {
		t.Fatal(err)
	}
	if done := f.waitOperation(t, "up-uma", op.ID, 90*time.Second); done.Phase != shared.OperationSucceeded {
		t.Fatalf("rollback: %s %q %+v", done.Phase, done.Message, done.Error)
	}
	spec, image = f.appSpecOf(t, ns, "web")
	if image != old.Image || spec.Image != old.Image || spec.Replicas != 3 || spec.Exposure != shared.ExposePublic || len(spec.Env) != 0 {
		t.Errorf("after the rollback: image %s, spec %+v; want %s, 3 replicas, public, no env", image, spec, old.Image)
	}

	// Back to no exposure: the Service and Ingress go.
	closed := spec
	closed.Exposure = shared.ExposeNone
	op, err = operationOf(f.send(t, http.MethodPut, path, "up-uma", closed))
	if err != nil {
		t.Fatal(err)
	}
	if done := f.waitOperation(t, "up-uma", op.ID, 90*time.Second); done.Phase != shared.OperationSucceeded {
		t.Fatalf("update to no exposure: %s %q %+v", done.Phase, done.Message, done.Error)
	}
	if _, err := f.admin.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Ingress after the exposure went to none: %v", err)
	}
	if _, err := f.admin.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Service after the exposure went to none: %v", err)
	}

	var got []string
	for _, a := range auditLines(t, f.logs.String()) {
		if a.User == "up-uma" && a.Object.Name == "web" && a.Verb != "create" {
			got = append(got, a.Verb+":"+a.Result)
		}
	}
	// The refusals are audited too; then the update (with the scale
	// refused meanwhile), the rollback and the second update.
	if want := "update:accepted,scale:CONFLICT,update:succeeded,rollback:accepted,rollback:succeeded,update:accepted,update:succeeded"; !strings.HasSuffix(strings.Join(got, ","), want) {
		t.Errorf("audit lines of web %v, want %s", got, want)
	}
}
