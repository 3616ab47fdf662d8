package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// allowRole creates a Role in namespace with rules, binds it to user and
// waits until the API server's authorizer allows user attrs.
func (f *resourcesFixture) allowRole(t *testing.T, user, namespace string, rules []rbacv1.PolicyRule, attrs authorizationv1.ResourceAttributes) {
	t.Helper()
	ctx := context.Background()
	name := "test-" + user
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}, Rules: rules}
	if _, err := f.admin.RbacV1().Roles(namespace).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := f.admin.RbacV1().RoleBindings(namespace).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	attrs.Namespace = namespace
	eventually(t, user+" is allowed "+attrs.Verb+" "+attrs.Resource+" "+attrs.Name+" in "+namespace, func() bool {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, Groups: []string{"system:authenticated"}, ResourceAttributes: &attrs}}
		got, err := f.admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		return err == nil && got.Status.Allowed
	})
}

// namespace creates a namespace for the test.
func (f *resourcesFixture) namespace(t *testing.T, base string) string {
	t.Helper()
	return (&clusterFixture{admin: f.admin}).namespace(t, base)
}

// configMaps creates config maps named names in namespace and waits until
// the cache holds them.
func (f *resourcesFixture) configMaps(t *testing.T, namespace string, names ...string) {
	t.Helper()
	for _, name := range names {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}
		if _, err := f.admin.CoreV1().ConfigMaps(namespace).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the cache holds the config maps", func() bool {
		return f.list(t, "/api/v1/resources/configmaps?namespace="+namespace+"&q=cm-").Total == len(names)
	})
}

// TestNamespaceNamesAreNotLeaked lists across all namespaces as users who
// may not learn every namespace's name: the reply names only the namespaces
// the user may get (or list), and counts the others.
func TestNamespaceNamesAreNotLeaked(t *testing.T) {
	f := newResourcesFixture(t, nil)
	known := f.namespace(t, "known")
	f.configMaps(t, known, "cm-1")
	f.allowRole(t, "grace", known,
		[]rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get"}}},
		authorizationv1.ResourceAttributes{Verb: "get", Resource: "namespaces"})
	cms, _ := f.s.deps.Objects.Kind("configmaps")
	// list reads as user, with the namespaces holding config maps just
	// before and after (namespaces of earlier tests may still be going).
	list := func(t *testing.T, user string) (*http.Response, []byte, []string) {
		t.Helper()
		for range 20 {
			before := f.s.deps.Objects.NamespacesOf(cms)
			rec := f.get("/api/v1/resources/configmaps?namespace=all", user, "")
			if slices.Equal(before, f.s.deps.Objects.NamespacesOf(cms)) {
				return rec.Result(), rec.Body.Bytes(), before
			}
		}
		t.Fatal("the namespaces holding config maps kept changing")
		return nil, nil, nil
	}
	tests := []struct {
		name, user    string
		wantForbidden []string
		known         int // namespaces holding config maps the user may know of
	}{
		{"no rights at all", "erin", nil, 0},
		{"may get one namespace", "grace", []string{known}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body, all := list(t, tt.user)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if len(all) < 4 {
				t.Fatalf("config maps in only %v; the test needs several namespaces", all)
			}
			var out shared.ListResult
			if err := jsonData(body, &out); err != nil {
				t.Fatal(err)
			}
			type names struct {
				Forbidden []string
				Hidden    int
			}
			want := names{tt.wantForbidden, len(all) - tt.known}
			if diff := cmp.Diff(want, names{out.Forbidden, out.Hidden}); diff != "" {
				t.Errorf("forbidden and hidden (-want +got):\n%s", diff)
			}
			for _, ns := range all {
				if !slices.Contains(tt.wantForbidden, ns) && bytes.Contains(body, []byte(`"`+ns+`"`)) {
					t.Errorf("the reply names namespace %s: %s", ns, body)
				}
			}
		})
	}
}

// jsonData decodes the data of a successful reply into out.
func jsonData(body []byte, out any) error {
	var env shared.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return err
	}
	if !env.Success {
		return fmt.Errorf("not a success: %s", body)
	}
	return json.Unmarshal(env.Data, out)
}

// TestDetailHonoursResourceNames opens objects as a user whose Role lists
// resourceNames: exactly those open.
func TestDetailHonoursResourceNames(t *testing.T) {
	f := newResourcesFixture(t, nil)
	ns := f.namespace(t, "names")
	f.configMaps(t, ns, "cm-a", "cm-b")
	f.allowRole(t, "heidi", ns,
		[]rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}, ResourceNames: []string{"cm-a"}}},
		authorizationv1.ResourceAttributes{Verb: "get", Resource: "configmaps", Name: "cm-a"})
	tests := []struct {
		name string
		want int
	}{
		{"cm-a", http.StatusOK},
		{"cm-b", http.StatusForbidden},
		{"no-such-map", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.get("/api/v1/resources/configmaps/"+ns+"/"+tt.name, "heidi", "")
			if rec.Code != tt.want {
				t.Errorf("detail of %s: status %d, want %d; body %s", tt.name, rec.Code, tt.want, rec.Body)
			}
		})
	}
}

// gzipBase64 encodes s the way Rancher and Helm store objects.
func gzipBase64(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// TestStoredCopiesOfSecretsWithheld creates a Secret whose annotations hold
// copies of its values (as kapp, Rancher and any custom tool store them) and
// a Helm release stored by the ConfigMap driver: no list, detail or YAML
// shows any of those values.
func TestStoredCopiesOfSecretsWithheld(t *testing.T) {
	f := newResourcesFixture(t, nil)
	ctx := context.Background()
	ns := f.namespace(t, "copies")
	const (
		dataValue    = "data-secret-value-0000"
		kappValue    = "kapp-secret-value-1111"
		rancherValue = "rancher-secret-value-2222"
		customValue  = "custom-secret-value-3333"
		helmValue    = "helm-values-password-4444"
	)
	applied := func(v string) string {
		return fmt.Sprintf(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tool-applied"},"stringData":{"password":%q}}`, v)
	}
	rancher := gzipBase64(t, applied(rancherValue))
	release := gzipBase64(t, `{"name":"demo","config":{"password":"`+helmValue+`"},"manifest":"kind: Secret"}`)
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "tool-applied", Annotations: map[string]string{
			"kapp.k14s.io/original":           applied(kappValue),
			"objectset.rio.cattle.io/applied": rancher,
			"example.com/notes":               "password is " + customValue,
		}},
		StringData: map[string]string{"password": dataValue},
	}
	if _, err := f.admin.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	helm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "sh.helm.release.v1.demo.v1",
			Labels: map[string]string{"owner": "helm", "name": "demo", "status": "deployed", "version": "1"}},
		Data: map[string]string{"release": release},
	}
	if _, err := f.admin.CoreV1().ConfigMaps(ns).Create(ctx, helm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the cache holds both", func() bool {
		return f.list(t, "/api/v1/resources/secrets?namespace="+ns+"&q=tool-applied").Total == 1 &&
			f.list(t, "/api/v1/resources/configmaps?namespace="+ns+"&q=sh.helm").Total == 1
	})

	secrets := []string{dataValue, kappValue, rancherValue, customValue, helmValue, rancher, release,
		base64.StdEncoding.EncodeToString([]byte(dataValue))}
	for _, path := range []string{
		"/api/v1/resources/secrets?namespace=" + ns,
		"/api/v1/resources/configmaps?namespace=" + ns,
		"/api/v1/resources/secrets/" + ns + "/tool-applied",
		"/api/v1/resources/configmaps/" + ns + "/sh.helm.release.v1.demo.v1",
	} {
		t.Run(path, func(t *testing.T) {
			rec := f.get(path, "carol", readersGroup)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			for _, v := range secrets {
				if strings.Contains(body, v) {
					t.Errorf("the reply shows %.40q", v)
				}
			}
			// The YAML is JSON-escaped in the body; check it as the UI shows it.
			var d shared.ObjectDetail
			if err := jsonData(rec.Body.Bytes(), &d); err == nil && d.YAML != "" {
				for _, v := range secrets {
					if strings.Contains(d.YAML, v) {
						t.Errorf("the YAML shows %.40q", v)
					}
				}
			}
		})
	}
	var d shared.ObjectDetail
	f.reply(t, "/api/v1/resources/secrets/"+ns+"/tool-applied", "carol", readersGroup, http.StatusOK, &d)
	if want := fmt.Sprintf(`"example.com/notes":"\u003credacted: %d bytes\u003e"`, len("password is "+customValue)); !strings.Contains(string(d.Metadata), want) {
		t.Errorf("the custom annotation is not replaced by its length (want %s): %s", want, d.Metadata)
	}
	f.reply(t, "/api/v1/resources/configmaps/"+ns+"/sh.helm.release.v1.demo.v1", "carol", readersGroup, http.StatusOK, &d)
	if want := fmt.Sprintf(`"release":"\u003cHelm release payload, not shown: %d bytes\u003e"`, len(release)); !strings.Contains(string(d.Spec), want) {
		t.Errorf("the Helm release is not withheld (want %s): %s", want, d.Spec)
	}
}

// TestOneUserCannotStarveOthers bursts /me and lists with made-up
// namespaces as one user: the made-up names cost no access review at all,
// the user meets the read budget (429 with Retry-After), and another user is
// served meanwhile.
func TestOneUserCannotStarveOthers(t *testing.T) {
	f := newResourcesFixture(t, nil)
	cfg := proxyConfig()
	cfg.ReadsPerMinute, cfg.ReadBurst = 60, 80
	cfg.PermissionsTTL = time.Minute
	access := kube.NewAccess(f.client, kube.AccessOptions{TTL: time.Minute})
	s, err := New(cfg, Deps{Registry: prometheus.NewRegistry(), Kube: f.client, Objects: f.s.deps.Objects, Access: access})
	if err != nil {
		t.Fatal(err)
	}
	as := func(path, user, groups string) *http.Response {
		h := map[string]string{headerUser: user}
		if groups != "" {
			h[headerGroups] = groups
		}
		return do(s, http.MethodGet, path, proxyPeer, h).Result()
	}
	reviews := func() float64 {
		return f.client.RequestCount("create", "subjectaccessreviews") + f.client.RequestCount("create", "selfsubjectaccessreviews")
	}
	burst := func(from, to int) {
		for i := from; i < to; i++ {
			ns := fmt.Sprintf("made-up-%d", i)
			if r := as("/api/v1/me?namespace="+ns, "mallory", ""); r.StatusCode != http.StatusOK {
				t.Fatalf("/me in %s: status %d", ns, r.StatusCode)
			}
			if r := as("/api/v1/resources/pods?namespace="+ns, "mallory", ""); r.StatusCode != http.StatusForbidden {
				t.Fatalf("pods in %s: status %d, want 403 (as in a namespace that exists)", ns, r.StatusCode)
			}
		}
	}
	burst(0, 1) // the user's cluster-wide rights, reviewed once
	before := reviews()
	burst(1, 31)
	if got := reviews() - before; got != 0 {
		t.Errorf("30 made-up namespaces cost %v access reviews, want 0", got)
	}

	limited := false
	for range 100 {
		r := as("/api/v1/me", "mallory", "")
		if r.StatusCode == http.StatusTooManyRequests {
			if r.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			limited = true
			break
		}
	}
	if !limited {
		t.Error("162 reads in a burst, budget 80: never limited")
	}
	if r := as("/api/v1/resources/pods?namespace=team-web", "carol", readersGroup); r.StatusCode != http.StatusOK {
		t.Errorf("another user, meanwhile: status %d", r.StatusCode)
	}
}
