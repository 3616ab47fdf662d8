package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// deployFixture is a server on the local cluster with the wizard's settings
// of a cluster that has a domain, sign-in for private apps and GPUs.
type deployFixture struct {
	*clusterFixture
	logs *lockedBuffer
}

func newDeployFixture(t testing.TB, cfg Config) *deployFixture {
	t.Helper()
	f := newClusterFixture(t, cfg, time.Second)
	base := kube.DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig(),
		PrivateAnnotations: map[string]string{"nginx.ingress.kubernetes.io/auth-url": "https://auth.apps.test/oauth2/auth"}}
	base.Domain, base.MaxGPU = "apps.test", 8
	logs := &lockedBuffer{}
	cfg.Auth.ProxySecret = testProxySecret
	cfg.AllowedHosts = append(cfg.AllowedHosts, "example.com")
	s, err := New(cfg, Deps{Log: slog.New(slog.NewJSONHandler(logs, nil)),
		Kube: f.client, Objects: f.s.deps.Objects, Access: f.s.deps.Access,
		Operations: operations.NewMemory(operations.MemoryOptions{}),
		Deploy:     kube.NewDeploySettings(base, nil)})
	if err != nil {
		t.Fatal(err)
	}
	f.s = s
	return &deployFixture{clusterFixture: f, logs: logs}
}

// send sends a request with a JSON body from the trusted proxy as user and
// decodes the envelope.
func (f *deployFixture) send(t testing.TB, method, path, user string, body any) (int, shared.Envelope) {
	t.Helper()
	code, env, err := f.call(method, path, user, body)
	if err != nil {
		t.Fatal(err)
	}
	return code, env
}

// call is deployFixture.send for goroutines: it reports what went wrong
// instead of stopping the test.
func (f *deployFixture) call(method, path, user string, body any) (int, shared.Envelope, error) {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return 0, shared.Envelope{}, err
		}
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(b))
	req.RemoteAddr = proxyPeer
	req.Header.Set(headerProxySecret, testProxySecret)
	req.Header.Set(headerUser, user)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	var env shared.Envelope
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		return rec.Code, env, fmt.Errorf("%s %s as %s: %v: %s", method, path, user, err, rec.Body)
	}
	return rec.Code, env, nil
}

// waitOperation polls GET /api/v1/operations/{id} until the operation is
// done, and returns its final state.
func (f *deployFixture) waitOperation(t *testing.T, user, id string, limit time.Duration) shared.Operation {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		code, env := f.send(t, http.MethodGet, "/api/v1/operations/"+id, user, nil)
		var rep shared.OperationReply
		if code != http.StatusOK || json.Unmarshal(env.Data, &rep) != nil {
			t.Fatalf("GET operation: %d %+v", code, env.Error)
		}
		if rep.Operation.Done() {
			return rep.Operation
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation not done after %s: %+v", limit, rep.Operation)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func webSpec(ns string) shared.DeploymentSpec {
	return shared.DeploymentSpec{Name: "web", Namespace: ns, Image: "registry.example/web:1.0", Port: 8080,
		Replicas: 3, Exposure: shared.ExposePublic, CPURequest: "100m", MemoryRequest: "64Mi", MemoryLimit: "128Mi"}
}

// A user with the edit role creates a public app of three replicas: the
// answer is a 202 with an operation that ends Available, with the URL; the
// Deployment has three ready replicas, the Service three endpoints and the
// Ingress the host; GET /deployments lists the app, and DELETE removes
// all three objects.
func TestDeployCreateAvailableAndDelete(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns := f.namespace(t, "deploy")
	f.bind(t, "alice@example.com", "edit", ns)

	code, env := f.send(t, http.MethodPost, "/api/v1/deployments", "alice@example.com", webSpec(ns))
	if code != http.StatusAccepted {
		t.Fatalf("POST /deployments: %d %+v", code, env.Error)
	}
	var rep shared.OperationReply
	if err := json.Unmarshal(env.Data, &rep); err != nil || rep.Operation.ID == "" {
		t.Fatalf("202 data %s: %v", env.Data, err)
	}
	final := f.waitOperation(t, "alice@example.com", rep.Operation.ID, 90*time.Second)
	if final.Phase != shared.OperationSucceeded {
		t.Fatalf("operation %+v (error %+v), want succeeded", final, final.Error)
	}
	var outcome shared.DeploymentOutcome
	if err := json.Unmarshal(final.Result, &outcome); err != nil {
		t.Fatal(err)
	}
	if outcome.URL != "http://web."+ns+".apps.test/" || len(outcome.Created) != 3 || outcome.Progress.Ready != 3 {
		t.Errorf("outcome %+v, want the URL, 3 objects created and 3 ready", outcome)
	}

	d, err := f.admin.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil || d.Status.ReadyReplicas != 3 {
		t.Fatalf("Deployment: %v, ready %d", err, d.Status.ReadyReplicas)
	}
	if d.Labels[kube.LabelManagedBy] != kube.ManagedByKubedeck || d.Annotations[kube.AnnotationOwner] != "alice@example.com" {
		t.Errorf("Deployment labels %v annotations %v", d.Labels, d.Annotations)
	}
	eventually(t, "the Service has 3 ready endpoints", func() bool {
		slices, err := f.admin.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=web"})
		if err != nil {
			return false
		}
		ready := 0
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				if e.Conditions.Ready != nil && *e.Conditions.Ready {
					ready++
				}
			}
		}
		return ready == 3
	})
	ing, err := f.admin.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil || len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].Host != "web."+ns+".apps.test" {
		t.Fatalf("Ingress: %v %+v", err, ing.Spec)
	}

	code, env = f.send(t, http.MethodGet, "/api/v1/deployments?namespace="+ns, "alice@example.com", nil)
	var apps []shared.DeployedApp
	if code != http.StatusOK || json.Unmarshal(env.Data, &apps) != nil || len(apps) != 1 || apps[0].Name != "web" || apps[0].Progress.Phase != shared.PhaseAvailable {
		t.Fatalf("GET /deployments: %d %s", code, env.Data)
	}
	code, env = f.send(t, http.MethodGet, "/api/v1/deployments/web?namespace="+ns, "alice@example.com", nil)
	var detail shared.DeploymentDetails
	if code != http.StatusOK || json.Unmarshal(env.Data, &detail) != nil || detail.Spec == nil || detail.Spec.Image != "registry.example/web:1.0" || len(detail.Pods) != 3 {
		t.Fatalf("GET /deployments/web: %d %s", code, env.Data)
	}

	code, env = f.send(t, http.MethodDelete, "/api/v1/deployments/web?namespace="+ns, "alice@example.com", nil)
	var deleted shared.DeletedApp
	if code != http.StatusOK || json.Unmarshal(env.Data, &deleted) != nil || len(deleted.Deleted) != 3 {
		t.Fatalf("DELETE: %d %s %+v", code, env.Data, env.Error)
	}
	if _, err := f.admin.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Deployment after delete: %v", err)
	}
	if _, err := f.admin.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Service after delete: %v", err)
	}
	if _, err := f.admin.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Ingress after delete: %v", err)
	}
	// The create's request is accepted, its operation succeeds, the
	// delete is done at once: one audit line each.
	var got []string
	for _, a := range auditLines(t, f.logs.String()) {
		if a.User == "alice@example.com" && a.Object.Name == "web" {
			got = append(got, a.Verb+":"+a.Result)
		}
	}
	if strings.Join(got, ",") != "create:accepted,create:succeeded,delete:ok" {
		t.Errorf("audit lines of web %v, want the create accepted, then succeeded, and the delete ok:\n%s", got, f.logs)
	}
}

// The validation's dry run, as the user, catches what the API server would
// refuse and persists nothing: a ResourceQuota on CPU (charged to the Pod),
// an RBAC denial naming the verb and resource, and a name in use (409 when
// creating).
func TestDeployDryRunVerdicts(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns := f.namespace(t, "dryrun")
	f.bind(t, "wizard-bob", "edit", ns)
	spec := webSpec(ns)
	spec.Exposure = shared.ExposeInternal

	validate := func(user string, s shared.DeploymentSpec) shared.DeploymentValidation {
		t.Helper()
		code, env := f.send(t, http.MethodPost, "/api/v1/deployments/validate", user, s)
		var v shared.DeploymentValidation
		if code != http.StatusOK || json.Unmarshal(env.Data, &v) != nil {
			t.Fatalf("validate: %d %s %+v", code, env.Data, env.Error)
		}
		return v
	}
	verdict := func(v shared.DeploymentValidation, kind string) shared.DryRunVerdict {
		t.Helper()
		for _, d := range v.Verdicts {
			if d.Kind == kind {
				return d
			}
		}
		t.Fatalf("no verdict on a %s in %+v", kind, v.Verdicts)
		return shared.DryRunVerdict{}
	}

	t.Run("allowed", func(t *testing.T) {
		v := validate("wizard-bob", spec)
		if !v.Valid || !v.Allowed() || !strings.Contains(v.YAML, "kind: Deployment") || !strings.Contains(v.YAML, "kind: Service") {
			t.Fatalf("validation %+v, want valid and allowed with the YAML", v)
		}
		if got := verdict(v, "Pod"); !got.Allowed {
			t.Errorf("Pod verdict %+v", got)
		}
		// The API server's audit log shows each dry run, made by Kubedeck as
		// bob.
		eventually(t, "the audit log shows the dry runs as bob", func() bool {
			events, err := cluster.AuditEvents()
			if err != nil {
				return false
			}
			seen := map[string]bool{}
			for _, e := range events {
				if e.Verb == "create" && e.ObjectRef != nil && e.ObjectRef.Namespace == ns && strings.Contains(e.RequestURI, "dryRun=All") &&
					e.User.Username == "kubedeck" && e.ImpersonatedUser != nil && e.ImpersonatedUser.Username == "wizard-bob" {
					seen[e.ObjectRef.Resource] = true
				}
			}
			return seen["deployments"] && seen["services"] && seen["pods"]
		})
	})
	t.Run("quota on the Pod", func(t *testing.T) {
		q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "cpu", Namespace: ns},
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse("50m")}}}
		if _, err := f.admin.CoreV1().ResourceQuotas(ns).Create(ctx, q, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.admin.CoreV1().ResourceQuotas(ns).Delete(ctx, "cpu", metav1.DeleteOptions{}) }()
		eventually(t, "the quota is in force", func() bool {
			got := verdict(validate("wizard-bob", spec), "Pod")
			return !got.Allowed && strings.Contains(got.Reason, "exceeded quota")
		})
		v := validate("wizard-bob", spec)
		if got := verdict(v, "Deployment"); !got.Allowed {
			t.Errorf("Deployment verdict %+v, want allowed (quota is charged to Pods)", got)
		}
		if got := verdict(v, "Pod"); got.Code != shared.CodeForbidden {
			t.Errorf("Pod verdict %+v, want FORBIDDEN", got)
		}
		code, env := f.send(t, http.MethodPost, "/api/v1/deployments", "wizard-bob", spec)
		if code != http.StatusForbidden || !strings.Contains(env.Error.Message, "exceeded quota") {
			t.Errorf("create under the quota: %d %+v, want 403 naming the quota", code, env.Error)
		}
	})
	t.Run("RBAC denial", func(t *testing.T) {
		v := validate("wizard-carol", spec)
		got := verdict(v, "Deployment")
		if got.Allowed || got.Code != shared.CodeForbidden || !strings.Contains(got.Reason, "create") || !strings.Contains(got.Reason, "deployments") {
			t.Errorf("Deployment verdict for a user without rights %+v, want FORBIDDEN naming create and deployments", got)
		}
	})
	t.Run("name in use", func(t *testing.T) {
		if _, err := f.admin.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got := verdict(validate("wizard-bob", spec), "Service")
		if got.Allowed || got.Code != shared.CodeConflict {
			t.Errorf("Service verdict %+v, want CONFLICT", got)
		}
		code, env := f.send(t, http.MethodPost, "/api/v1/deployments", "wizard-bob", spec)
		if code != http.StatusConflict || !strings.Contains(env.Error.Message, "Service web") {
			t.Errorf("create: %d %+v, want 409 naming the Service", code, env.Error)
		}
	})
	// Nothing of the app was persisted by any of it.
	if _, err := f.admin.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a Deployment exists after dry runs and refusals: %v", err)
	}
	pods, err := f.admin.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(pods.Items) != 0 {
		t.Errorf("pods after dry runs: %v %d", err, len(pods.Items))
	}
}

// A user who may create Deployments and Services but not Ingresses gets a
// 403 for an external app, and nothing is left behind.
func TestDeployForbiddenIngressLeavesNothing(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns := f.namespace(t, "noingress")
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "apps-no-ingress", Namespace: ns},
		Rules: []rbacv1.PolicyRule{
			{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "list", "watch", "create", "delete"}},
			{APIGroups: []string{""}, Resources: []string{"services", "pods"}, Verbs: []string{"get", "list", "watch", "create", "delete"}},
		}}
	if _, err := f.admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "wizard-dave", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "wizard-dave"}}}
	if _, err := f.admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	f.waitAuthorized(t, "wizard-dave", nil, ns)
	code, env := f.send(t, http.MethodPost, "/api/v1/deployments", "wizard-dave", webSpec(ns))
	if code != http.StatusForbidden || env.Error.Details["kind"] != "Ingress" {
		t.Fatalf("create: %d %+v, want 403 about the Ingress", code, env.Error)
	}
	time.Sleep(time.Second)
	if _, err := f.admin.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Deployment left behind: %v", err)
	}
	if _, err := f.admin.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Service left behind: %v", err)
	}
}

// A rollout that cannot finish is reported with its reason: an image that
// cannot be pulled (a kwok stage), a quota that admits one Pod of three
// (FailedCreate), and more GPUs than a node has (unschedulable).
func TestDeployStuckReasons(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(ns string, s *shared.DeploymentSpec)
		want   string
	}{
		{"image pull", func(_ string, s *shared.DeploymentSpec) { s.Image = "registry.example/fail-pull:1" }, "cannot be pulled"},
		{"quota", func(ns string, s *shared.DeploymentSpec) {
			q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "pods", Namespace: ns},
				Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}}}
			if _, err := f.admin.CoreV1().ResourceQuotas(ns).Create(ctx, q, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the quota has its usage", func() bool {
				got, err := f.admin.CoreV1().ResourceQuotas(ns).Get(ctx, "pods", metav1.GetOptions{})
				return err == nil && got.Status.Used != nil
			})
		}, "quota"},
		// The local cluster's GPU nodes have 4 GPUs each.
		{"GPU", func(_ string, s *shared.DeploymentSpec) { s.GPU = 5 }, "Not enough GPUs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := f.namespace(t, "stuck")
			f.bind(t, "wizard-erin", "edit", ns)
			spec := webSpec(ns)
			spec.Exposure = shared.ExposeInternal
			tt.change(ns, &spec)
			code, env := f.send(t, http.MethodPost, "/api/v1/deployments", "wizard-erin", spec)
			if code != http.StatusAccepted {
				t.Fatalf("POST: %d %+v", code, env.Error)
			}
			var rep shared.OperationReply
			if err := json.Unmarshal(env.Data, &rep); err != nil {
				t.Fatal(err)
			}
			var got shared.OperationReply
			defer func() {
				if t.Failed() {
					t.Logf("the operation's last state: %+v (error %+v)", got.Operation, got.Operation.Error)
				}
			}()
			eventually(t, "the rollout's step names "+tt.want, func() bool {
				_, env := f.send(t, http.MethodGet, "/api/v1/operations/"+rep.Operation.ID, "wizard-erin", nil)
				if json.Unmarshal(env.Data, &got) != nil {
					return false
				}
				for _, s := range got.Operation.Steps {
					if s.Name == shared.StepRollout && strings.Contains(s.Message, tt.want) {
						return true
					}
				}
				return got.Operation.Error != nil && strings.Contains(got.Operation.Error.Message, tt.want)
			})
			// A rollout given up on still says what was created.
			if e := got.Operation.Error; e != nil && e.Details["outcome"] == nil {
				t.Errorf("the failed operation's details %v lack the outcome", e.Details)
			}
		})
	}
}

// An app the wizard did not make is not the wizard's to delete.
func TestDeployDeleteRefusesForeignDeployment(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns := f.namespace(t, "foreign")
	f.bind(t, "wizard-frank", "edit", ns)
	if _, err := f.admin.AppsV1().Deployments(ns).Create(ctx, testDeployment(ns, "web", "registry.example/web:1", 1, 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	code, env := f.send(t, http.MethodDelete, "/api/v1/deployments/web?namespace="+ns, "wizard-frank", nil)
	if code != http.StatusBadRequest || !strings.Contains(env.Error.Message, "not made by Kubedeck") {
		t.Fatalf("DELETE a foreign Deployment: %d %+v, want 400", code, env.Error)
	}
	if _, err := f.admin.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Errorf("the foreign Deployment is gone: %v", err)
	}
}
