package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// The holes black-box probing of the writes found, as requests.

// An app is never given a host an Ingress serves already, whoever made
// it: here a private Ingress made outside Kubedeck, in another namespace,
// on the host the app would get. The check and the create say so on the
// exposure field; nothing is created.
func TestDeployHostInUse(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns, other := f.namespace(t, "hosts"), f.namespace(t, "hosts-other")
	f.bind(t, "host-hana", "edit", ns)
	spec := webSpec(ns)
	spec.Name, spec.Exposure = "shop", shared.ExposePublic
	host := "shop." + ns + ".apps.test"
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "private-shop", Namespace: other,
			Annotations: map[string]string{"nginx.ingress.kubernetes.io/auth-url": "https://auth.apps.test/oauth2/auth"}},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: host,
			IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix),
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "shop", Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}}}}}},
	}
	if _, err := f.admin.NetworkingV1().Ingresses(other).Create(ctx, ing, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "The host " + host + " is served already, by the Ingress " + other + "/private-shop"
	var v shared.DeploymentValidation
	deadline := time.Now().Add(10 * time.Second)
	for { // the informer sees the Ingress shortly
		code, env := f.send(t, http.MethodPost, "/api/v1/deployments/validate", "host-hana", spec)
		if code != http.StatusOK || json.Unmarshal(env.Data, &v) != nil {
			t.Fatalf("validate: %d %+v", code, env.Error)
		}
		if !v.Valid || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if v.Valid || !strings.Contains(string(v.Errors), want) || !strings.Contains(string(v.Errors), `"exposure"`) {
		t.Fatalf("validation %s (valid %v), want the exposure refused: %s", v.Errors, v.Valid, want)
	}
	code, env := f.send(t, http.MethodPost, "/api/v1/deployments", "host-hana", spec)
	raw, _ := json.Marshal(env.Error)
	if code != http.StatusBadRequest || !strings.Contains(string(raw), want) {
		t.Fatalf("create: %d %s, want 400 naming the Ingress", code, raw)
	}
	if _, err := f.admin.AppsV1().Deployments(ns).Get(ctx, "shop", metav1.GetOptions{}); err == nil {
		t.Error("a Deployment was created")
	}
	// An internal app needs no host, so the Ingress does not concern it.
	spec.Exposure = shared.ExposeInternal
	code, env = f.send(t, http.MethodPost, "/api/v1/deployments/validate", "host-hana", spec)
	if code != http.StatusOK || json.Unmarshal(env.Data, &v) != nil || !v.Valid {
		t.Errorf("internal app: %d %s %+v, want valid", code, v.Errors, env.Error)
	}
}

// Every Helm write checks the user's right before it starts: a user with
// no rights in the namespace, or only the view role, gets 403 for each,
// no operation starts and nothing is claimed, so the owner's upgrade
// right after is not blocked. The refusals are audited as refusals.
func TestChartsWritesCheckRightsFirst(t *testing.T) {
	f := newChartsFixture(t)
	ns := f.namespace(t, "charts-rights")
	f.bind(t, "rights-owner", "edit", ns)
	f.bind(t, "rights-viewer", "view", ns)
	if op := f.install(t, "rights-owner", ns, "web"); op.Phase != shared.OperationSucceeded {
		t.Fatalf("install: %+v", op.Error)
	}
	reg := f.s.deps.Operations.(*operations.Memory)
	before := reg.Len()
	upgrade := shared.ChartInstall{Chart: "test/web", Version: "1.0.0", Values: "greeting: again\n"}
	writes := []struct {
		name, method, path string
		body               any
	}{
		{"install", http.MethodPost, "/api/v1/charts", shared.ChartInstall{Name: "web2", Namespace: ns, Chart: "test/web", Version: "1.0.0"}},
		{"upgrade", http.MethodPut, "/api/v1/charts/web?namespace=" + ns, upgrade},
		{"rollback", http.MethodPost, "/api/v1/charts/web/rollback?namespace=" + ns, shared.ChartRollback{}},
		{"uninstall", http.MethodDelete, "/api/v1/charts/web?namespace=" + ns, nil},
	}
	for _, user := range []string{"rights-stranger", "rights-viewer"} {
		for _, w := range writes {
			t.Run(user+"/"+w.name, func(t *testing.T) {
				start := time.Now()
				code, env := f.send(t, w.method, w.path, user, w.body)
				if code != http.StatusForbidden || env.Error == nil || !strings.Contains(env.Error.Message, "Secrets") {
					t.Fatalf("%d %s %+v, want 403 naming the Secrets", code, env.Data, env.Error)
				}
				// The owner's upgrade is not blocked by the refused write.
				if w.name == "upgrade" {
					op, err := operationOf(f.send(t, http.MethodPut, "/api/v1/charts/web?namespace="+ns, "rights-owner", upgrade))
					if err != nil {
						t.Fatalf("the owner's upgrade right after %s's: %v", user, err)
					}
					if done := f.waitOperation(t, "rights-owner", op.ID, time.Minute); done.Phase != shared.OperationSucceeded {
						t.Fatalf("the owner's upgrade: %+v", done.Error)
					}
					before++
				}
				t.Logf("refused in %s", time.Since(start).Round(time.Millisecond))
			})
		}
	}
	if n := reg.Len(); n != before {
		t.Errorf("%d operations, want %d: a refused write started one", n, before)
	}
	refused := 0
	for _, line := range strings.Split(f.logs.String(), "\n") {
		var a struct {
			Msg, User, Verb, Result string
		}
		if json.Unmarshal([]byte(line), &a) != nil || a.Msg != "audit" || (a.User != "rights-stranger" && a.User != "rights-viewer") {
			continue
		}
		if a.Result != string(shared.CodeForbidden) {
			t.Errorf("audit line %s: want result FORBIDDEN", line)
		}
		refused++
	}
	if refused != 2*len(writes) {
		t.Errorf("%d audit lines of refused writes, want %d", refused, 2*len(writes))
	}
}

// A namespace in the query that disagrees with the body's is 400, for an
// install and its preview as for the wizard; one that agrees, or a body
// without one, is taken.
func TestChartsNamespaceMismatch(t *testing.T) {
	f := newChartsFixture(t)
	ns, other := f.namespace(t, "charts-ns"), f.namespace(t, "charts-ns-other")
	f.bind(t, "ns-nora", "edit", ns)
	f.bind(t, "ns-nora", "edit", other)
	body := shared.ChartInstall{Name: "web", Namespace: ns, Chart: "test/web", Version: "1.0.0"}
	for _, path := range []string{"/api/v1/charts?namespace=" + other, "/api/v1/charts/preview?namespace=" + other} {
		code, env := f.send(t, http.MethodPost, path, "ns-nora", shared.ChartPreview{ChartInstall: body})
		if code != http.StatusBadRequest || env.Error == nil || env.Error.Details[shared.DetailParameter] != "namespace" {
			t.Errorf("POST %s: %d %+v, want 400 on the namespace", path, code, env.Error)
		}
	}
	noNamespace := body
	noNamespace.Namespace = ""
	code, env := f.send(t, http.MethodPost, "/api/v1/charts/preview?namespace="+ns, "ns-nora", shared.ChartPreview{ChartInstall: noNamespace})
	var d shared.ReleaseDetail
	if code != http.StatusOK || json.Unmarshal(env.Data, &d) != nil || d.Release.Namespace != ns {
		t.Errorf("preview with the namespace in the query: %d %+v, want the release in %s", code, env.Error, ns)
	}
}

// An operation that fails after its 202 leaves two audit lines: the
// request's ("accepted", with the operation's id) and the operation's end,
// with the code it failed with; never "ok" for a write that did not
// happen.
func TestAuditRecordsOperationOutcomes(t *testing.T) {
	f := newChartsFixture(t)
	ctx := context.Background()
	ns := f.namespace(t, "charts-audit")
	// The user may keep releases (Secrets) but may not make the chart's
	// objects: the install starts, and Kubernetes refuses it.
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "releases-only", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "watch", "create", "update", "delete"}}}}
	if _, err := f.admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "audit-abe", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "releases-only"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "audit-abe"}}}
	if _, err := f.admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var op shared.Operation
	deadline := time.Now().Add(20 * time.Second)
	for { // until the binding reaches the authorizer
		code, env := f.send(t, http.MethodPost, "/api/v1/charts", "audit-abe", shared.ChartInstall{Name: "web", Namespace: ns, Chart: "test/web", Version: "1.0.0"})
		if code == http.StatusAccepted {
			var err error
			if op, err = operationOf(code, env); err != nil {
				t.Fatal(err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("install: %d %+v", code, env.Error)
		}
		time.Sleep(200 * time.Millisecond)
	}
	done := f.waitOperation(t, "audit-abe", op.ID, time.Minute)
	if done.Phase != shared.OperationFailed || done.Error == nil || done.Error.Code != shared.CodeForbidden {
		t.Fatalf("the install: %s %+v, want failed FORBIDDEN", done.Phase, done.Error)
	}
	var results []string
	deadline = time.Now().Add(5 * time.Second)
	for len(results) < 2 && time.Now().Before(deadline) {
		results = nil
		for _, line := range strings.Split(f.logs.String(), "\n") {
			var a struct{ Msg, User, Verb, Result, Operation string }
			if json.Unmarshal([]byte(line), &a) == nil && a.Msg == "audit" && a.User == "audit-abe" && a.Operation == op.ID {
				results = append(results, a.Verb+":"+a.Result)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Join(results, ",") != "install:accepted,install:FORBIDDEN" {
		t.Errorf("audit lines of the operation %v, want the request accepted and the operation FORBIDDEN", results)
	}
}
