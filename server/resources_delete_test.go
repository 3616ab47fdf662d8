package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// auditLine is the part of the server's audit log line the tests read.
type auditLine struct {
	Msg    string `json:"msg"`
	User   string `json:"user"`
	Verb   string `json:"verb"`
	Result string `json:"result"`
	Object struct {
		Kind      string `json:"kind"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"object"`
}

// auditLines are the audit lines in a JSON log.
func auditLines(t *testing.T, log string) []auditLine {
	t.Helper()
	var out []auditLine
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		var a auditLine
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if a.Msg == "audit" {
			out = append(out, a)
		}
	}
	return out
}

func TestDeleteResourceAsTheUser(t *testing.T) {
	f := newClusterFixture(t, proxyConfig(), time.Second)
	logs := &lockedBuffer{}
	s, err := New(proxyConfig(), Deps{Log: slog.New(slog.NewJSONHandler(logs, nil)),
		Kube: f.client, Objects: f.s.deps.Objects, Access: f.s.deps.Access})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	ctx := context.Background()
	ns := f.namespace(t, "delete")
	mk := func(name string) *corev1.ConfigMap {
		t.Helper()
		cm, err := f.admin.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return cm
	}
	del := func(path, user string) (int, shared.Envelope) {
		rec := do(f.s, http.MethodDelete, path, proxyPeer, map[string]string{headerUser: user})
		var env shared.Envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("DELETE %s: %v: %s", path, err, rec.Body)
		}
		return rec.Code, env
	}
	gone := func(name string) bool {
		_, err := f.admin.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	}
	// The object cache must know the kind's objects before the handler runs.
	eventually(t, "the cache syncs", func() bool { return f.s.deps.Objects.Synced() })

	victim := mk("victim")
	path := "/api/v1/resources/configmaps/" + ns + "/victim"

	// Without rights: 403, and the object stays.
	if code, env := del(path, "bob"); code != http.StatusForbidden || env.Error == nil || env.Error.Code != shared.CodeForbidden {
		t.Fatalf("bob without rights: %d %+v", code, env.Error)
	}
	if gone("victim") {
		t.Fatal("bob's refused delete removed the object")
	}

	// With edit rights in the namespace: 200 and the object is gone.
	f.bind(t, "bob", "edit", ns)
	var code int
	var env shared.Envelope
	eventually(t, "bob's new rights reach the API server", func() bool {
		code, env = del(path+"?uid="+string(victim.UID), "bob")
		return code != http.StatusForbidden
	})
	if code != http.StatusOK || !env.Success {
		t.Fatalf("bob with edit rights: %d %+v", code, env.Error)
	}
	var got shared.DeletedObject
	if err := json.Unmarshal(env.Data, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shared.DeletedObject{Kind: "configmaps", Namespace: ns, Name: "victim"}, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
	if env.Message != "ConfigMap "+ns+"/victim is being deleted." {
		t.Errorf("message %q", env.Message)
	}
	eventually(t, "the ConfigMap is gone", func() bool { return gone("victim") })

	// A missing object: 404.
	if code, env := del("/api/v1/resources/configmaps/"+ns+"/never-was", "bob"); code != http.StatusNotFound ||
		env.Error == nil || env.Error.Code != shared.CodeNotFound {
		t.Errorf("missing object: %d %+v", code, env.Error)
	}

	// A uid that is not the object's: 409, and it stays.
	mk("other")
	if code, env := del("/api/v1/resources/configmaps/"+ns+"/other?uid=00000000-0000-0000-0000-000000000000", "bob"); code != http.StatusConflict {
		t.Errorf("wrong uid: %d %+v", code, env.Error)
	}
	if gone("other") {
		t.Error("a delete with another object's uid removed the object")
	}

	// Bad paths: 400; the wrapper audits them too, with the path's object.
	for _, p := range []string{
		"/api/v1/resources/configmaps/-/victim",
		"/api/v1/resources/persistentvolumes/" + ns + "/x",
		"/api/v1/resources/configmaps/" + ns + "/victim?uid=a%20b",
	} {
		if code, _ := del(p, "bob"); code != http.StatusBadRequest {
			t.Errorf("DELETE %s: %d, want 400", p, code)
		}
	}

	// One audit line per delete sent to the cluster, with its outcome.
	type line struct{ User, Verb, Kind, Namespace, Name, Result string }
	var lines []line
	for _, a := range auditLines(t, logs.String()) {
		lines = append(lines, line{a.User, a.Verb, a.Object.Kind, a.Object.Namespace, a.Object.Name, a.Result})
	}
	// The first refusals while the binding propagated repeat the FORBIDDEN line.
	for len(lines) > 1 && lines[1].Result == string(shared.CodeForbidden) {
		lines = append(lines[:1], lines[2:]...)
	}
	want := []line{
		{"bob", "delete", "ConfigMap", ns, "victim", string(shared.CodeForbidden)},
		{"bob", "delete", "ConfigMap", ns, "victim", "ok"},
		{"bob", "delete", "ConfigMap", ns, "never-was", string(shared.CodeNotFound)},
		{"bob", "delete", "ConfigMap", ns, "other", string(shared.CodeConflict)},
		{"bob", "delete", "configmaps", "-", "victim", string(shared.CodeValidation)},
		{"bob", "delete", "persistentvolumes", ns, "x", string(shared.CodeValidation)},
		{"bob", "delete", "ConfigMap", ns, "victim", string(shared.CodeValidation)},
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("audit lines (-want +got):\n%s", diff)
	}
}

// TestDeleteWritableKinds deletes an Ingress (a kind the write API knows
// but the object viewer does not list), a Service and a StatefulSet
// through DELETE /api/v1/resources/{kind}/{namespace}/{name}, as a user
// with edit rights on the real cluster.
func TestDeleteWritableKinds(t *testing.T) {
	f := newClusterFixture(t, proxyConfig(), time.Second)
	ctx := context.Background()
	ns := f.namespace(t, "delete-kinds")
	labels := map[string]string{"app": "web"}
	prefix := networkingv1.PathTypePrefix
	if _, err := f.admin.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "web.example"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "web.example.com",
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
				Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix, Backend: networkingv1.IngressBackend{
					Service: &networkingv1.IngressServiceBackend{Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: appsv1.StatefulSetSpec{ServiceName: "web", Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "db", Image: "registry.example/db:1"}}}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	f.bind(t, "bob", "edit", ns)

	tests := []struct {
		kind, name, message string
		gone                func() error
	}{
		{"ingresses", "web.example", "Ingress " + ns + "/web.example is being deleted.", func() error {
			_, err := f.admin.NetworkingV1().Ingresses(ns).Get(ctx, "web.example", metav1.GetOptions{})
			return err
		}},
		{"services", "web", "Service " + ns + "/web is being deleted.", func() error {
			_, err := f.admin.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{})
			return err
		}},
		{"statefulsets", "db", "StatefulSet " + ns + "/db is being deleted.", func() error {
			_, err := f.admin.AppsV1().StatefulSets(ns).Get(ctx, "db", metav1.GetOptions{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			path := "/api/v1/resources/" + tt.kind + "/" + ns + "/" + tt.name
			rec := do(f.s, http.MethodDelete, path, proxyPeer, map[string]string{headerUser: "bob"})
			var env shared.Envelope
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("DELETE %s: %v: %s", path, err, rec.Body)
			}
			if rec.Code != http.StatusOK || !env.Success {
				t.Fatalf("DELETE %s: %d %s", path, rec.Code, rec.Body)
			}
			var got shared.DeletedObject
			if err := json.Unmarshal(env.Data, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(shared.DeletedObject{Kind: tt.kind, Namespace: ns, Name: tt.name}, got); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
			if env.Message != tt.message {
				t.Errorf("message %q, want %q", env.Message, tt.message)
			}
			eventually(t, tt.kind+" "+tt.name+" is gone", func() bool { return apierrors.IsNotFound(tt.gone()) })
		})
	}
}
