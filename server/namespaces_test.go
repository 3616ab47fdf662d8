package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// namespacesSetup gives the cluster's kubedeck user the right to impersonate
// and the group "ns-viewers" the right to list namespaces, creates two
// namespaces, and returns a kube.Client with the kubedeck identity.
func namespacesSetup(t *testing.T) *kube.Client {
	t.Helper()
	localcluster.Need(t, cluster)
	ctx := context.Background()
	admin, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	grants := []struct {
		role    string
		rule    rbacv1.PolicyRule
		subject rbacv1.Subject
	}{
		{"kubedeck-test-impersonator", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"users", "groups"}, Verbs: []string{"impersonate"}},
			rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser}},
		{"kubedeck-test-namespace-viewer", rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "list"}},
			rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "ns-viewers"}},
	}
	for _, g := range grants {
		role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: g.role}, Rules: []rbacv1.PolicyRule{g.rule}}
		if _, err := admin.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		binding := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: g.role},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: g.role},
			Subjects:   []rbacv1.Subject{g.subject},
		}
		if _, err := admin.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"nsapi-b", "nsapi-a"} {
		_, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	}
	client, err := kube.NewClient(cluster.UserConfig(localcluster.ServerUser), kube.ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestNamespacesEndpoint(t *testing.T) {
	client := namespacesSetup(t)
	viewer := kube.User{Name: "nina", Groups: []string{"ns-viewers"}}
	tests := []struct {
		name        string
		user        kube.User
		kube        *kube.Client
		wantStatus  int
		wantCode    shared.Code
		wantMessage string
		wantNames   []string // present, in this order
	}{
		{name: "a viewer sees them, sorted", user: viewer, kube: client,
			wantStatus: http.StatusOK, wantNames: []string{"default", "nsapi-a", "nsapi-b"}},
		{name: "a user without RBAC is refused", user: kube.User{Name: "nobody", Groups: []string{"strangers"}}, kube: client,
			wantStatus: http.StatusForbidden, wantCode: shared.CodeForbidden, wantMessage: "You may not list namespaces across the cluster."},
		{name: "a spoofed system:masters does not help", user: kube.User{Name: "nobody", Groups: []string{"system:masters"}}, kube: client,
			wantStatus: http.StatusForbidden, wantCode: shared.CodeForbidden, wantMessage: "You may not list namespaces across the cluster."},
		{name: "no cluster", user: viewer,
			wantStatus: http.StatusServiceUnavailable, wantCode: shared.CodeUnavailable, wantMessage: "Kubedeck is not connected to a cluster."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{Auth: AuthConfig{Mode: AuthDev, DevUser: tt.user}}, Deps{Kube: tt.kube})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			var (
				status int
				env    shared.Envelope
			)
			// The RBAC bindings may take a moment to reach the authorizer.
			deadline := time.Now().Add(10 * time.Second)
			for {
				status, env = getEnvelope(t, srv.URL+"/api/v1/namespaces")
				if status == tt.wantStatus || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d; envelope %+v", status, tt.wantStatus, env.Error)
			}
			if tt.wantCode != "" {
				if env.Success || env.Error == nil {
					t.Fatalf("envelope %+v, want an error", env)
				}
				if diff := cmp.Diff([]string{string(tt.wantCode), tt.wantMessage}, []string{string(env.Error.Code), env.Error.Message}); diff != "" {
					t.Errorf("error code and message (-want +got):\n%s", diff)
				}
				return
			}
			var list []shared.Namespace
			if err := json.Unmarshal(env.Data, &list); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ns := range list {
				if slices.Contains(tt.wantNames, ns.Name) {
					got = append(got, ns.Name)
				}
				if ns.Status == "" || ns.Created == 0 {
					t.Errorf("namespace %+v lacks its status or creation time", ns)
				}
			}
			if diff := cmp.Diff(tt.wantNames, got); diff != "" {
				t.Errorf("namespaces (-want +got):\n%s", diff)
			}
		})
	}
}

// getEnvelope GETs url and decodes the envelope.
func getEnvelope(t *testing.T, url string) (int, shared.Envelope) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env shared.Envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
	return resp.StatusCode, env
}
