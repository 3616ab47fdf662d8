package server

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/shared"
)

// wsClusterFixture is a server on the local cluster (newClusterFixture)
// behind a real HTTP listener, trusting identity headers from loopback.
// Access decisions are kept for a second.
func wsClusterFixture(t *testing.T) (*clusterFixture, *httptest.Server) {
	t.Helper()
	return wsClusterFixtureWith(t, WebSocketConfig{})
}

// wsClusterFixtureWith is wsClusterFixture with the hub's configuration.
func wsClusterFixtureWith(t *testing.T, ws WebSocketConfig) (*clusterFixture, *httptest.Server) {
	t.Helper()
	f := newClusterFixture(t, Config{TrustedProxies: loopbackProxies, WebSocket: ws}, time.Second)
	ts := httptest.NewServer(f.s.Handler())
	t.Cleanup(ts.Close)
	return f, ts
}

// subscribeOnceAllowed subscribes, trying again while a new RoleBinding
// reaches the API server's authorizer and the denial cached before it
// expires.
func subscribeOnceAllowed(t *testing.T, c *wsClient, id, kind, namespace string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.send(subMsg(id, kind, namespace))
		c.send(shared.WSMessage{Type: shared.WSPing})
		m := c.next()
		if m.Type == shared.WSPong {
			return
		}
		if m.Type != shared.WSError || m.Error.Code != shared.CodeForbidden {
			t.Fatalf("subscribe: got %+v %+v, want a pong or FORBIDDEN", m, m.Error)
		}
		if m := c.next(); m.Type != shared.WSPong {
			t.Fatalf("got %+v, want the pong", m)
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscription to %s in %q still refused: %s", kind, namespace, m.Error.Message)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// testDeployment is a Deployment of replicas pods of image, requesting
// gpus GPUs each when gpus > 0.
func testDeployment(namespace, name, image string, replicas int32, gpus int64) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	c := corev1.Container{Name: "app", Image: image}
	if gpus > 0 {
		q := *resource.NewQuantity(gpus, resource.DecimalSI)
		c.Resources = corev1.ResourceRequirements{
			Requests: corev1.ResourceList{"nvidia.com/gpu": q}, Limits: corev1.ResourceList{"nvidia.com/gpu": q}}
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{c}},
			},
		},
	}
}

// readUntil reads messages until done says so; it fails after budget.
func readUntil(t *testing.T, c *wsClient, budget time.Duration, what string, done func(wsMsg) bool) {
	t.Helper()
	deadline := time.Now().Add(budget)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("timed out waiting for %s", what)
		}
		m, err := c.read(left)
		if errors.Is(err, errNoMessage) {
			t.Fatalf("timed out waiting for %s", what)
		}
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if m.Type == shared.WSError {
			t.Fatalf("waiting for %s: error %+v", what, m.Error)
		}
		if done(m) {
			return
		}
	}
}

// A client subscribed to deployments of a namespace sees a Deployment
// created, its status change as its pods become ready, its progress reach
// Available, a scale, and its deletion, in order.
func TestWSClusterDeploymentLifecycle(t *testing.T) {
	f, ts := wsClusterFixture(t)
	ns := f.namespace(t, "ws-life")
	f.bind(t, "ws-viewer", "view", ns)
	c := dialWS(t, ts, "ws-viewer")
	subscribeOnceAllowed(t, c, "deploys", "deployments", ns)

	ctx := context.Background()
	deployments := f.admin.AppsV1().Deployments(ns)
	d, err := deployments.Create(ctx, testDeployment(ns, "web", "registry.example/web:1", 2, 0), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	uid := string(d.UID)

	var events []shared.WSType // resource events about the Deployment, in order
	var phases []shared.DeploymentPhase
	record := func(m wsMsg) {
		switch {
		case m.Row != nil && m.Row.UID == uid:
			if m.Sub != "deploys" || m.Kind != "deployments" {
				t.Errorf("event %s of sub %q kind %q, want sub %q kind %q", m.Type, m.Sub, m.Kind, "deploys", "deployments")
			}
			if len(events) == 0 || events[len(events)-1] != m.Type {
				events = append(events, m.Type)
			}
		case m.Progress != nil && m.Progress.Name == "web":
			if len(phases) == 0 || phases[len(phases)-1] != m.Progress.Phase {
				phases = append(phases, m.Progress.Phase)
			}
		}
	}
	rolledOut := func(n int) func(wsMsg) bool {
		var ready, available bool
		want := shared.DeploymentProgress{Namespace: ns, Name: "web", Phase: shared.PhaseAvailable,
			Desired: n, Updated: n, Ready: n, Available: n}
		return func(m wsMsg) bool {
			record(m)
			if m.Row != nil && m.Row.UID == uid && m.Row.Cells["ready"] == itoa(n)+"/"+itoa(n) {
				ready = true
			}
			if m.Progress != nil && cmp.Equal(*m.Progress, want) {
				available = true
			}
			return ready && available
		}
	}
	readUntil(t, c, 60*time.Second, "the Deployment's 2 pods ready and its progress Available", rolledOut(2))

	scale, err := deployments.GetScale(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scale.Spec.Replicas = 3
	if _, err := deployments.UpdateScale(ctx, "web", scale, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	readUntil(t, c, 60*time.Second, "the Deployment scaled to 3 ready pods", rolledOut(3))

	if err := deployments.Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	readUntil(t, c, 30*time.Second, "the Deployment's deletion", func(m wsMsg) bool {
		record(m)
		return m.Type == shared.WSDeleted && m.Row.UID == uid
	})
	// Nothing about it after its deletion.
	for {
		m, err := c.read(time.Second)
		if errors.Is(err, errNoMessage) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if m.Row != nil && m.Row.UID == uid {
			t.Errorf("got %s after the deletion", m.Type)
		}
	}
	if diff := cmp.Diff([]shared.WSType{shared.WSCreated, shared.WSUpdated, shared.WSDeleted}, events); diff != "" {
		t.Errorf("event types in order, repeats folded (-want +got):\n%s", diff)
	}
	if phases[len(phases)-1] != shared.PhaseAvailable {
		t.Errorf("progress phases %v, want them to end Available", phases)
	}
	t.Logf("progress phases seen: %v", phases)
}

// deployment:progress names why a rollout is stuck: an image that cannot
// be pulled, or not enough GPUs.
func TestWSClusterProgressReasons(t *testing.T) {
	f, ts := wsClusterFixture(t)
	ns := f.namespace(t, "ws-stuck")
	f.bind(t, "ws-viewer", "view", ns)
	c := dialWS(t, ts, "ws-viewer")
	subscribeOnceAllowed(t, c, "deploys", "deployments", ns)

	ctx := context.Background()
	for _, d := range []*appsv1.Deployment{
		testDeployment(ns, "bad-image", "registry.example/fail-pull:1", 1, 0),
		testDeployment(ns, "greedy", "registry.example/train:1", 1, 64), // the cluster has 4 GPUs
	} {
		if _, err := f.admin.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]struct {
		phase shared.DeploymentPhase
		text  string
	}{
		"bad-image": {shared.PhaseFailed, `Image "registry.example/fail-pull:1" cannot be pulled`},
		"greedy":    {shared.PhasePending, "Not enough GPUs free in the cluster"},
	}
	got := map[string]bool{}
	readUntil(t, c, 60*time.Second, "the reasons of both stuck rollouts", func(m wsMsg) bool {
		if p := m.Progress; p != nil {
			if w, ok := want[p.Name]; ok && p.Phase == w.phase && strings.Contains(p.Message, w.text) {
				got[p.Name] = true
			}
		}
		return len(got) == len(want)
	})
}

// A user who may not list deployments in a namespace gets an error for the
// subscription and no event of it.
func TestWSClusterForbidden(t *testing.T) {
	f, ts := wsClusterFixture(t)
	secret := f.namespace(t, "ws-secret")
	open := f.namespace(t, "ws-open")
	f.bind(t, "ws-outsider", "view", open)
	c := dialWS(t, ts, "ws-outsider")

	tests := []struct {
		name, id, namespace, text string
	}{
		{"another team's namespace", "secret", secret, `You may not list deployments in namespace "` + secret + `".`},
		{"every namespace, with rights in one", "all", "", "subscribe to each namespace you may see instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.send(subMsg(tt.id, "deployments", tt.namespace))
			m := c.next()
			if m.Type != shared.WSError || m.Sub != tt.id || m.Error.Code != shared.CodeForbidden || !strings.Contains(m.Error.Message, tt.text) {
				t.Fatalf("got %+v %+v, want FORBIDDEN for %q saying %q", m, m.Error, tt.id, tt.text)
			}
		})
	}
	// Events of the refused namespace never come; those of the allowed one do.
	subscribeOnceAllowed(t, c, "open", "deployments", open)
	ctx := context.Background()
	if _, err := f.admin.AppsV1().Deployments(secret).Create(ctx, testDeployment(secret, "hidden", "registry.example/x:1", 1, 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.AppsV1().Deployments(open).Create(ctx, testDeployment(open, "shown", "registry.example/x:1", 1, 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	readUntil(t, c, 30*time.Second, "the allowed namespace's deployment", func(m wsMsg) bool {
		if m.Row != nil && m.Row.Namespace == secret || m.Progress != nil && m.Progress.Namespace == secret {
			t.Fatalf("got %s about namespace %s, which the user may not list", m.Type, secret)
		}
		return m.Row != nil && m.Row.Name == "shown"
	})
}

// A subscription does not outlive the RoleBinding it was authorized by:
// once the binding is deleted, the client gets an error FORBIDDEN naming
// the subscription within about the access TTL plus the re-authorization
// interval, and no event of it afterwards; its other subscription goes on.
func TestWSClusterRevoked(t *testing.T) {
	const ttl = time.Second // the fixture's access TTL
	f, ts := wsClusterFixtureWith(t, WebSocketConfig{ReauthInterval: ttl})
	revokedNS := f.namespace(t, "ws-revoked")
	keptNS := f.namespace(t, "ws-kept")
	unbind := f.bind(t, "ws-revokee", "view", revokedNS)
	f.bind(t, "ws-revokee", "view", keptNS)
	c := dialWS(t, ts, "ws-revokee")
	subscribeOnceAllowed(t, c, "gone", "deployments", revokedNS)
	subscribeOnceAllowed(t, c, "kept", "deployments", keptNS)

	unbind()
	f.waitDenied(t, "ws-revokee", revokedNS)
	denied := time.Now()
	budget := 2*ttl + 5*time.Second // a cached allow, a round, and slack
	for {
		m, err := c.read(time.Until(denied.Add(budget)))
		if err != nil {
			t.Fatalf("no FORBIDDEN within %v of the API server's denial: %v", budget, err)
		}
		if m.Type != shared.WSError {
			continue
		}
		if m.Sub != "gone" || m.Error.Code != shared.CodeForbidden ||
			!strings.Contains(m.Error.Message, `deployments in namespace "`+revokedNS+`"`) {
			t.Fatalf("got error %+v of sub %q, want FORBIDDEN for subscription \"gone\" naming deployments in %s", m.Error, m.Sub, revokedNS)
		}
		break
	}
	t.Logf("revoked %v after the API server denied the list", time.Since(denied).Round(10*time.Millisecond))

	ctx := context.Background()
	if _, err := f.admin.AppsV1().Deployments(revokedNS).Create(ctx, testDeployment(revokedNS, "hidden", "registry.example/x:1", 1, 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.admin.AppsV1().Deployments(keptNS).Create(ctx, testDeployment(keptNS, "shown", "registry.example/x:1", 1, 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The watch delivers a kind's events in order: none of the revoked
	// namespace's may come before the kept one's.
	readUntil(t, c, 30*time.Second, "the kept namespace's deployment", func(m wsMsg) bool {
		if m.Sub == "gone" {
			t.Fatalf("got %s of the revoked subscription", m.Type)
		}
		return m.Row != nil && m.Row.Name == "shown"
	})
}

// waitDenied waits until the API server itself says user may no longer
// list deployments in namespace.
func (f *clusterFixture) waitDenied(t testing.TB, user, namespace string) {
	t.Helper()
	eventually(t, user+" may not list deployments in "+namespace+" per the API server", func() bool {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               user,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Group: "apps", Resource: "deployments", Namespace: namespace},
		}}
		got, err := f.admin.AuthorizationV1().SubjectAccessReviews().Create(context.Background(), sar, metav1.CreateOptions{})
		return err == nil && !got.Status.Allowed
	})
}

// deployment:progress tells why a rollout is stuck (drawn from its pods)
// only to a user who may list the pods; one who may list deployments only
// sees the phase and counts.
func TestWSClusterProgressPodText(t *testing.T) {
	f, ts := wsClusterFixture(t)
	ns := f.namespace(t, "ws-podtext")
	f.bind(t, "ws-viewer", "view", ns)
	f.bindDeploymentsOnly(t, "ws-deployer", ns)
	viewer := dialWS(t, ts, "ws-viewer")
	subscribeOnceAllowed(t, viewer, "d", "deployments", ns)
	deployer := dialWS(t, ts, "ws-deployer")
	subscribeOnceAllowed(t, deployer, "d", "deployments", ns)

	ctx := context.Background()
	if _, err := f.admin.AppsV1().Deployments(ns).Create(ctx, testDeployment(ns, "bad-image", "registry.example/fail-pull:1", 1, 0), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *wsClient
		text string
	}{
		{"may list pods", viewer, `Image "registry.example/fail-pull:1" cannot be pulled`},
		{"may list deployments only", deployer, podTextWithheld},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readUntil(t, tt.c, 60*time.Second, "the rollout failed", func(m wsMsg) bool {
				p := m.Progress
				if p == nil || p.Name != "bad-image" || p.Phase != shared.PhaseFailed {
					return false
				}
				if !strings.Contains(p.Message, tt.text) {
					t.Fatalf("progress message %q, want it to hold %q", p.Message, tt.text)
				}
				return true
			})
		})
	}
}

// bindDeploymentsOnly lets user read deployments, and nothing else, in
// namespace, and waits until the API server says so.
func (f *clusterFixture) bindDeploymentsOnly(t testing.TB, user, namespace string) {
	t.Helper()
	ctx := context.Background()
	role := &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "deployments-reader", Namespace: namespace},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"apps"}, Resources: []string{"deployments"},
			Verbs: []string{"get", "list", "watch"}}},
	}
	if _, err := f.admin.RbacV1().Roles(namespace).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-deployments-reader", Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := f.admin.RbacV1().RoleBindings(namespace).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, user+" may list deployments in "+namespace+" per the API server", func() bool {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               user,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "list", Group: "apps", Resource: "deployments", Namespace: namespace},
		}}
		got, err := f.admin.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		return err == nil && got.Status.Allowed
	})
}
