package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// An app refers to objects it does not create: the pull secret, the Secrets
// and ConfigMaps its variables read, the claims it mounts. A dry run passes
// whether they exist or not (the Pods fail later, one by one), so the server
// looks them up as the user: what is missing or of the wrong type is a field
// error, on /validate and on create (which then makes nothing); a
// ReadWriteOnce claim with several replicas is a warning; what the user may
// not read is a warning, never an existence leak.
func TestDeployReferencesChecked(t *testing.T) {
	f := newDeployFixture(t, proxyConfig())
	ctx := context.Background()
	ns := f.namespace(t, "refs")
	f.bind(t, "wizard-refs", "edit", ns)
	core := f.admin.CoreV1()
	mustCreate := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustCreate(core.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "registry"},
		Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths":{}}`)}}, metav1.CreateOptions{}))
	mustCreate(core.Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "opaque"},
		Data: map[string][]byte{"token": []byte("s3cret-value")}}, metav1.CreateOptions{}))
	mustCreate(core.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"},
		Data: map[string]string{"mode": "fast"}}, metav1.CreateOptions{}))
	claim := func(name string, mode corev1.PersistentVolumeAccessMode) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{mode},
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}
	}
	mustCreate(core.PersistentVolumeClaims(ns).Create(ctx, claim("single", corev1.ReadWriteOnce), metav1.CreateOptions{}))
	mustCreate(core.PersistentVolumeClaims(ns).Create(ctx, claim("many", corev1.ReadWriteMany), metav1.CreateOptions{}))

	validate := func(user string, s shared.DeploymentSpec) (shared.DeploymentValidation, map[string]string) {
		t.Helper()
		code, env := f.send(t, http.MethodPost, "/api/v1/deployments/validate", user, s)
		var v shared.DeploymentValidation
		if code != http.StatusOK || json.Unmarshal(env.Data, &v) != nil {
			t.Fatalf("validate: %d %s %+v", code, env.Data, env.Error)
		}
		if strings.Contains(string(env.Data), "s3cret") {
			t.Fatalf("a Secret's value left the server: %s", env.Data)
		}
		return v, flatErrors(t, v.Errors)
	}
	base := func() shared.DeploymentSpec {
		s := webSpec(ns)
		s.Exposure, s.Replicas = shared.ExposeInternal, 2
		return s
	}

	t.Run("all present", func(t *testing.T) {
		s := base()
		s.PullSecret = "registry"
		s.Env = []shared.EnvVar{{Name: "TOKEN", SecretKeyRef: &shared.KeyRef{Name: "opaque", Key: "token"}},
			{Name: "MODE", ConfigMapKeyRef: &shared.KeyRef{Name: "settings", Key: "mode"}}}
		s.Volumes = []shared.Volume{{Type: shared.VolumePVC, Claim: "many", MountPath: "/data"}}
		v, errs := validate("wizard-refs", s)
		if !v.Valid || len(errs) > 0 || !v.Allowed() {
			t.Fatalf("validation %+v (errors %v), want valid and allowed", v, errs)
		}
		if len(v.Warnings) > 0 {
			t.Errorf("warnings %v, want none", v.Warnings)
		}
	})
	t.Run("missing and wrong", func(t *testing.T) {
		s := base()
		s.PullSecret = "opaque"
		s.Env = []shared.EnvVar{{Name: "A", SecretKeyRef: &shared.KeyRef{Name: "nowhere", Key: "token"}},
			{Name: "B", ConfigMapKeyRef: &shared.KeyRef{Name: "settings", Key: "speed"}}}
		s.Volumes = []shared.Volume{{Type: shared.VolumePVC, Claim: "lost", MountPath: "/data"},
			{Type: shared.VolumePVC, Claim: "single", MountPath: "/single"}}
		v, errs := validate("wizard-refs", s)
		if v.Valid || len(v.Verdicts) > 0 {
			t.Fatalf("validation %+v, want not valid with no dry run", v)
		}
		want := map[string]string{
			"pullSecret":      `of type "Opaque"`,
			"env.0.key":       `no Secret "nowhere"`,
			"env.1.key":       `has no key "speed"`,
			"volumes.0.claim": `no PersistentVolumeClaim "lost"`,
		}
		for path, text := range want {
			if !strings.Contains(errs[path], text) {
				t.Errorf("error at %s = %q, want it to hold %q (all: %v)", path, errs[path], text, errs)
			}
		}
		if len(errs) != len(want) {
			t.Errorf("errors %v, want exactly %d", errs, len(want))
		}
		if w := v.Warnings["volumes.1.claim"]; !strings.Contains(w, "ReadWriteOnce") {
			t.Errorf("warning on the RWO claim = %q (all %v)", w, v.Warnings)
		}

		// Create refuses the same spec with the same fields, and makes nothing.
		code, env := f.send(t, http.MethodPost, "/api/v1/deployments", "wizard-refs", s)
		if code != http.StatusBadRequest || env.Error == nil || env.Error.Code != shared.CodeValidation {
			t.Fatalf("create: %d %+v, want 400 VALIDATION_ERROR", code, env.Error)
		}
		raw, _ := json.Marshal(env.Error.Details["fields"])
		if got := flatErrors(t, raw); got["pullSecret"] == "" || got["env.1.key"] == "" {
			t.Errorf("create's field errors %v", got)
		}
		if _, err := f.admin.AppsV1().Deployments(ns).Get(ctx, s.Name, metav1.GetOptions{}); err == nil {
			t.Error("a refused create left a Deployment")
		}
	})
	t.Run("one replica on a ReadWriteOnce claim", func(t *testing.T) {
		s := base()
		s.Replicas = 1
		s.Volumes = []shared.Volume{{Type: shared.VolumePVC, Claim: "single", MountPath: "/single"}}
		if v, errs := validate("wizard-refs", s); !v.Valid || len(errs) > 0 || len(v.Warnings) > 0 {
			t.Fatalf("validation %+v (errors %v), want valid with no warning", v, errs)
		}
	})
	t.Run("what the user may not read is a warning", func(t *testing.T) {
		role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "deployer-no-secrets", Namespace: ns},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"create", "get", "list"}},
				{APIGroups: []string{""}, Resources: []string{"services", "pods"}, Verbs: []string{"create", "get", "list"}},
			}}
		mustCreate(f.admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}))
		mustCreate(f.admin.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "wizard-nosecrets", Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "wizard-nosecrets"}},
		}, metav1.CreateOptions{}))
		f.waitAuthorized(t, "wizard-nosecrets", nil, ns)
		s := base()
		s.PullSecret = "does-not-exist"
		v, errs := validate("wizard-nosecrets", s)
		if len(errs) > 0 {
			t.Fatalf("errors %v: a user who may not read Secrets learnt whether one exists", errs)
		}
		if w := v.Warnings["pullSecret"]; !strings.Contains(w, "Not checked") {
			t.Errorf("pull secret warning %q (all %v)", w, v.Warnings)
		}
		if strings.Contains(v.Warnings["pullSecret"], "There is no") {
			t.Error("the warning says whether the Secret exists")
		}
	})
}

// flatErrors flattens a spec's nested field errors into dotted paths.
func flatErrors(t *testing.T, raw json.RawMessage) map[string]string {
	t.Helper()
	out := map[string]string{}
	if len(raw) == 0 {
		return out
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatalf("field errors %s: %v", raw, err)
	}
	var walk func(string, any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case string:
			out[path] = v
		case map[string]any:
			for k, sub := range v {
				walk(strings.TrimPrefix(path+"."+k, "."), sub)
			}
		}
	}
	walk("", tree)
	return out
}
