package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	authnv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// clusterAdmin is a clientset with the cluster's admin identity, for setting
// the stage of a test.
func clusterAdmin(t testing.TB) kubernetes.Interface {
	t.Helper()
	localcluster.Need(t, cluster)
	cs, err := kubernetes.NewForConfig(cluster.AdminConfig())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// impersonatorConfig is the config of the cluster's kubedeck user, allowed to
// impersonate users and groups and nothing else, as Kubedeck runs in
// production.
func impersonatorConfig(t testing.TB) *rest.Config {
	t.Helper()
	admin := clusterAdmin(t)
	const name = "kubedeck-test-impersonator"
	applyClusterRole(t, admin, name, []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"users", "groups"}, Verbs: []string{"impersonate"},
	}})
	bindClusterRole(t, admin, name, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser})
	// The authorizer sees the binding a little later; until then a call is
	// refused for Kubedeck's impersonation, not for the user it acts as.
	pollUntil(t, "the API server lets kubedeck impersonate", func() error {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               localcluster.ServerUser,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "users"},
		}}
		got, err := admin.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), sar, metav1.CreateOptions{})
		if err == nil && !got.Status.Allowed {
			err = errors.New("not yet allowed")
		}
		return err
	})
	return cluster.UserConfig(localcluster.ServerUser)
}

// applyClusterRole creates or replaces a ClusterRole; it stays for the other
// tests of the package (the cluster goes away with them).
func applyClusterRole(t testing.TB, admin kubernetes.Interface, name string, rules []rbacv1.PolicyRule) {
	t.Helper()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}
	ctx := context.Background()
	_, err := admin.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = admin.RbacV1().ClusterRoles().Update(ctx, role, metav1.UpdateOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// bindClusterRole binds a ClusterRole to subject across the cluster.
func bindClusterRole(t testing.TB, admin kubernetes.Interface, role string, subject rbacv1.Subject) {
	t.Helper()
	b := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: role + "-" + subject.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{subject},
	}
	_, err := admin.RbacV1().ClusterRoleBindings().Create(context.Background(), b, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

// pollUntil calls f until it returns nil or 10 s have passed, then fails
// with f's last error. RBAC changes take a moment to reach the authorizer.
func pollUntil(t testing.TB, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestImpersonationOnCluster(t *testing.T) {
	admin := clusterAdmin(t)
	reg := prometheus.NewRegistry()
	c, err := NewClient(impersonatorConfig(t), ClientOptions{GroupPrefix: "oidc:"}, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	carol := User{Name: "carol", Groups: []string{"readers"}}

	// No RBAC for carol yet: forbidden, with a message for people.
	_, err = c.Namespaces(ctx, carol)
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("Namespaces as carol without RBAC: %v, want ErrForbidden", err)
	}
	if diff := cmp.Diff("You may not list namespaces across the cluster.", publicMessage(err)); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	// A spoofed system:masters group is dropped, so still forbidden (with
	// and without a prefix, which alone would already defuse it).
	plain, err := NewClient(impersonatorConfig(t), ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for _, client := range []*Client{plain, c} {
		if _, err := client.Namespaces(ctx, User{Name: "carol", Groups: []string{"system:masters", "readers"}}); !errors.Is(err, ErrForbidden) {
			t.Fatalf("Namespaces as carol claiming system:masters: %v, want ErrForbidden", err)
		}
	}

	// Grant listing namespaces to the prefixed group: carol may list them.
	const reader = "kubedeck-test-namespace-reader"
	applyClusterRole(t, admin, reader, []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "list"},
	}})
	bindClusterRole(t, admin, reader, rbacv1.Subject{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: "oidc:readers"})
	var names []string
	pollUntil(t, "Namespaces as carol after the binding", func() error {
		nss, err := c.Namespaces(ctx, carol)
		names = nil
		for _, ns := range nss {
			names = append(names, ns.Name)
			if ns.Status != "Active" || ns.Created == 0 {
				return fmt.Errorf("namespace %+v lacks status or creation time", ns)
			}
		}
		return err
	})
	for _, want := range []string{"default", "kube-node-lease", "kube-public", "kube-system"} {
		if !slices.Contains(names, want) {
			t.Errorf("namespaces %v lack %q", names, want)
		}
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("namespaces not sorted: %v", names)
		}
	}
	// The binding is to the prefixed group: without the prefix it does not apply.
	if _, err := plain.Namespaces(ctx, carol); !errors.Is(err, ErrForbidden) {
		t.Errorf("Namespaces as carol in group readers (no prefix): %v, want ErrForbidden", err)
	}

	// A real not-found, translated.
	cs, err := c.As(carol)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Namespaces().Get(ctx, "no-such-namespace", metav1.GetOptions{})
	err = Translate(err)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("get missing namespace: %v, want ErrNotFound", err)
	}
	if diff := cmp.Diff(`Namespace "no-such-namespace" was not found.`, publicMessage(err)); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	// A real forbidden in a namespace.
	_, err = cs.CoreV1().Secrets("kube-system").List(ctx, metav1.ListOptions{})
	if diff := cmp.Diff(`You may not list secrets in namespace "kube-system".`, publicMessage(TranslateIn(err, "kube-system"))); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
}

// TestSelfSubjectReview asks the API server who it thinks the impersonating
// client is: exactly the user and the filtered, prefixed groups.
func TestSelfSubjectReview(t *testing.T) {
	base := impersonatorConfig(t)
	tests := []struct {
		name       string
		opts       ClientOptions
		user       User
		wantGroups []string
	}{
		{name: "groups as given", user: User{Name: "alice", Groups: []string{"team-a"}},
			wantGroups: []string{"team-a", "system:authenticated"}},
		{name: "prefixed", opts: ClientOptions{GroupPrefix: "oidc:"}, user: User{Name: "alice", Groups: []string{"team-a", "data"}},
			wantGroups: []string{"oidc:team-a", "oidc:data", "system:authenticated"}},
		{name: "system groups dropped", opts: ClientOptions{GroupPrefix: "oidc:"}, user: User{Name: "mallory", Groups: []string{"system:masters", "system:nodes", "team-a"}},
			wantGroups: []string{"oidc:team-a", "system:authenticated"}},
		{name: "allowlist", opts: ClientOptions{GroupAllowlist: []string{"team-a"}}, user: User{Name: "alice", Groups: []string{"team-a", "team-b"}},
			wantGroups: []string{"team-a", "system:authenticated"}},
		{name: "no groups", user: User{Name: "bob"}, wantGroups: []string{"system:authenticated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(base, tt.opts, prometheus.NewRegistry())
			if err != nil {
				t.Fatal(err)
			}
			cs, err := c.As(tt.user)
			if err != nil {
				t.Fatal(err)
			}
			review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(t.Context(), &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := review.Status.UserInfo
			want := authnv1.UserInfo{Username: tt.user.Name, Groups: tt.wantGroups}
			if diff := cmp.Diff(want, authnv1.UserInfo{Username: got.Username, Groups: got.Groups}); diff != "" {
				t.Errorf("the API server sees (-want +got):\n%s", diff)
			}
		})
	}
	// The base client is Kubedeck itself.
	c, err := NewClient(base, ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	review, err := c.Base().AuthenticationV1().SelfSubjectReviews().Create(t.Context(), &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if review.Status.UserInfo.Username != localcluster.ServerUser {
		t.Errorf("the base client is %q, want %q", review.Status.UserInfo.Username, localcluster.ServerUser)
	}
}

func TestRequestMetricsOnCluster(t *testing.T) {
	admin := clusterAdmin(t)
	const reader = "kubedeck-test-namespace-reader"
	applyClusterRole(t, admin, reader, []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "list"},
	}})
	bindClusterRole(t, admin, reader, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "metrics-reader"})
	reg := prometheus.NewRegistry()
	c, err := NewClient(impersonatorConfig(t), ClientOptions{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	u := User{Name: "metrics-reader"}
	pollUntil(t, "the binding takes effect", func() error { _, err := c.Namespaces(t.Context(), u); return err })
	before := c.RequestCount("list", "namespaces")
	const n = 5
	for range n {
		if _, err := c.Namespaces(t.Context(), u); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.RequestCount("list", "namespaces") - before; got != n {
		t.Errorf("list namespaces counted %v times, want %d", got, n)
	}
	if err := c.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if got := c.RequestCount("get", "/readyz"); got != 1 {
		t.Errorf("get /readyz counted %v times, want 1", got)
	}
	// The same numbers reach /metrics through the registry.
	if got, err := testutil.GatherAndCount(reg, "kubedeck_apiserver_requests_total"); err != nil || got < 2 {
		t.Errorf("kubedeck_apiserver_requests_total has %d series (err %v), want at least 2", got, err)
	}
}

func TestPing(t *testing.T) {
	localcluster.Need(t, cluster)
	tests := []struct {
		name    string
		config  *rest.Config
		wantErr error
	}{
		{name: "up", config: cluster.AdminConfig()},
		{name: "nothing listening", config: &rest.Config{Host: "https://127.0.0.1:1"}, wantErr: ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.config, ClientOptions{}, prometheus.NewRegistry())
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Ping(t.Context()); !errors.Is(err, tt.wantErr) {
				t.Errorf("Ping = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// publicMessage is what a person is told about err.
func publicMessage(err error) string {
	var pm interface{ PublicMessage() string }
	if errors.As(err, &pm) {
		return pm.PublicMessage()
	}
	return ""
}
