package helm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// recorder collects progress messages.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) progress(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msg)
}

// take returns the messages so far and forgets them.
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	msgs := r.msgs
	r.msgs = nil
	return msgs
}

// wantMessages fails unless each of want is contained in one of msgs.
func wantMessages(t *testing.T, msgs []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, w) }) {
			t.Errorf("no progress message says %q; got:\n%s", w, strings.Join(msgs, "\n"))
		}
	}
}

// ignoreUpdated compares releases without their times.
var ignoreUpdated = cmpopts.IgnoreFields(shared.Release{}, "Updated")

// clusterClient is a Client on the local cluster over repository r.
func clusterClient(t *testing.T, r *chartRepo) *Client {
	t.Helper()
	c, err := New(kubeClient(t), Options{Repositories: repositoriesOf(r), Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// releaseSecretNames lists the names of the release Secrets of release
// name in namespace, as the admin sees them.
func releaseSecretNames(t *testing.T, admin kubernetes.Interface, namespace, name string) []string {
	t.Helper()
	list, err := admin.CoreV1().Secrets(namespace).List(context.Background(), metav1.ListOptions{LabelSelector: "owner=helm,name=" + name})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range list.Items {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return names
}

// webObjects checks that the objects of web release name are in namespace
// and not in default, with the deployment's replicas and the config map's
// data as given.
func webObjects(t *testing.T, admin kubernetes.Interface, namespace, name string, replicas int32, config map[string]string) {
	t.Helper()
	ctx := context.Background()
	d, err := admin.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("deployment %s/%s: %v", namespace, name, err)
	}
	if *d.Spec.Replicas != replicas || d.Status.AvailableReplicas != replicas {
		t.Errorf("deployment %s/%s: %d replicas, %d available; want %d", namespace, name, *d.Spec.Replicas, d.Status.AvailableReplicas, replicas)
	}
	cm, err := admin.CoreV1().ConfigMaps(namespace).Get(ctx, name+"-config", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("config map: %v", err)
	}
	if diff := cmp.Diff(config, cm.Data); diff != "" {
		t.Errorf("config map data (-want +got):\n%s", diff)
	}
	if _, err := admin.CoreV1().Secrets(namespace).Get(ctx, name+"-secret", metav1.GetOptions{}); err != nil {
		t.Errorf("secret: %v", err)
	}
	if _, err := admin.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{}); err != nil {
		t.Errorf("service: %v", err)
	}
	if _, err := admin.AppsV1().Deployments("default").Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a deployment %q in default: %v", name, err)
	}
	if _, err := admin.CoreV1().ConfigMaps("default").Get(ctx, name+"-config", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("a config map %q in default: %v", name+"-config", err)
	}
	if got := releaseSecretNames(t, admin, "default", name); len(got) != 0 {
		t.Errorf("release Secrets in default: %v", got)
	}
}

func TestReleaseLifecycle(t *testing.T) {
	t.Parallel()
	admin := clusterAdmin(t)
	ns := teamNamespace(t, admin, "alice")
	r := newChartRepo(t, testChart(t, "web", "1.0.0"), testChart(t, "web", "1.1.0"))
	c := clusterClient(t, r)
	alice := kube.User{Name: "alice", Groups: []string{"team-a"}}
	ctx := t.Context()
	var rec recorder

	// Install.
	got, err := c.Install(ctx, alice, InstallRequest{Namespace: ns, Name: "web", Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"}, rec.progress)
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	want := shared.Release{
		Name: "web", Namespace: ns, Chart: "web", ChartVersion: "1.0.0", AppVersion: "1.0",
		Description: "A small web server, for Kubedeck's tests.", Icon: "https://charts.example.test/icons/web.png",
		Status: shared.ReleaseDeployed, Revision: 1,
	}
	if diff := cmp.Diff(want, got, ignoreUpdated); diff != "" {
		t.Errorf("installed release (-want +got):\n%s", diff)
	}
	if time.Since(got.Updated) > time.Minute {
		t.Errorf("installed release updated at %v", got.Updated)
	}
	wantMessages(t, rec.take(), "Downloading chart web 1.0.0 from repository test",
		"Installing chart web 1.0.0 as release web in namespace "+ns, "beginning wait for", "Release web is deployed (revision 1)")
	webObjects(t, admin, ns, "web", 1, map[string]string{"greeting": "hi", "chartVersion": "1.0.0"})
	if diff := cmp.Diff([]string{"sh.helm.release.v1.web.v1"}, releaseSecretNames(t, admin, ns, "web")); diff != "" {
		t.Errorf("release Secrets (-want +got):\n%s", diff)
	}

	// List.
	list, err := c.List(ctx, alice, ns)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]shared.Release{want}, list, ignoreUpdated); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}

	// Get, with values and without.
	d, err := c.Get(ctx, alice, ns, "web", true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, d.Release, ignoreUpdated); diff != "" {
		t.Errorf("detail's release (-want +got):\n%s", diff)
	}
	if d.Values != "greeting: hi\n" || !strings.Contains(d.ComputedValues, "replicaCount: 1") || !strings.Contains(d.ComputedValues, "greeting: hi") {
		t.Errorf("values %q, computed values %q", d.Values, d.ComputedValues)
	}
	if !strings.Contains(d.Notes, "web serves hi on port 80.") {
		t.Errorf("notes %q", d.Notes)
	}
	if strings.Contains(d.Manifest, "czNjcmV0LWZyb20tZGVmYXVsdHM=") || strings.Contains(d.Manifest, "token-s3cret") ||
		!strings.Contains(d.Manifest, "password: '<redacted: 20 bytes>'") || !strings.Contains(d.Manifest, "kind: Deployment") {
		t.Errorf("manifest not masked as it should be:\n%s", d.Manifest)
	}
	wantResources := []shared.ReleaseResource{
		{Kind: "Secret", Namespace: ns, Name: "web-secret"},
		{Kind: "ConfigMap", Namespace: ns, Name: "web-config"},
		{Kind: "Service", Namespace: ns, Name: "web"},
		{Kind: "Deployment", Namespace: ns, Name: "web"},
	}
	if diff := cmp.Diff(wantResources, d.Resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	hidden, err := c.Get(ctx, alice, ns, "web", false)
	if err != nil {
		t.Fatal(err)
	}
	if !hidden.ValuesHidden || hidden.Values != "" || hidden.ComputedValues != "" || hidden.Manifest != "" || len(hidden.Resources) != 4 {
		t.Errorf("detail without values: %+v", hidden)
	}

	// Upgrade: the values replace the previous ones.
	got, err = c.Upgrade(ctx, alice, UpgradeRequest{Namespace: ns, Name: "web", Chart: "test/web", Version: "1.1.0", Values: "replicaCount: 2\n"}, rec.progress)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if got.Revision != 2 || got.ChartVersion != "1.1.0" || got.Status != shared.ReleaseDeployed {
		t.Errorf("upgraded release: %+v", got)
	}
	wantMessages(t, rec.take(), "Upgrading to chart web 1.1.0", "Release web is deployed (revision 2)")
	webObjects(t, admin, ns, "web", 2, map[string]string{"greeting": "hello", "chartVersion": "1.1.0"})

	// History.
	d, err = c.Get(ctx, alice, ns, "web", false)
	if err != nil {
		t.Fatal(err)
	}
	wantHistory := []shared.ReleaseRevision{
		{Revision: 1, Status: shared.ReleaseSuperseded, ChartVersion: "1.0.0", AppVersion: "1.0", Description: "Install complete"},
		{Revision: 2, Status: shared.ReleaseDeployed, ChartVersion: "1.1.0", AppVersion: "1.0", Description: "Upgrade complete"},
	}
	ignoreRevisionTime := cmpopts.IgnoreFields(shared.ReleaseRevision{}, "Updated")
	if diff := cmp.Diff(wantHistory, d.History, ignoreRevisionTime); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}

	// Rollback to revision 1 makes revision 3.
	got, err = c.Rollback(ctx, alice, ns, "web", 1, rec.progress)
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if got.Revision != 3 || got.ChartVersion != "1.0.0" || got.Status != shared.ReleaseDeployed {
		t.Errorf("rolled back release: %+v", got)
	}
	wantMessages(t, rec.take(), "Rolling back release web in namespace "+ns+" to revision 1", "Release web is deployed (revision 3)")
	webObjects(t, admin, ns, "web", 1, map[string]string{"greeting": "hi", "chartVersion": "1.0.0"})
	d, err = c.Get(ctx, alice, ns, "web", false)
	if err != nil {
		t.Fatal(err)
	}
	wantHistory = append(wantHistory, shared.ReleaseRevision{Revision: 3, Status: shared.ReleaseDeployed, ChartVersion: "1.0.0", AppVersion: "1.0", Description: "Rollback to 1"})
	wantHistory[1].Status = shared.ReleaseSuperseded
	if diff := cmp.Diff(wantHistory, d.History, ignoreRevisionTime); diff != "" {
		t.Errorf("history after the rollback (-want +got):\n%s", diff)
	}
	if _, err := c.Rollback(ctx, alice, ns, "web", 9, nil); !errors.Is(err, kube.ErrNotFound) {
		t.Errorf("rollback to a revision that does not exist: %v, want ErrNotFound", err)
	}

	// The name is taken.
	_, err = c.Install(ctx, alice, InstallRequest{Namespace: ns, Name: "web", Chart: "test/web"}, nil)
	if !errors.Is(err, kube.ErrConflict) || !strings.Contains(publicMessageOf(err), "already exists") {
		t.Errorf("install over a release: %v, want ErrConflict", err)
	}

	// Uninstall.
	if err := c.Uninstall(ctx, alice, ns, "web", false); err != nil {
		t.Fatalf("uninstall: %v", err)
	}
	if got := releaseSecretNames(t, admin, ns, "web"); len(got) != 0 {
		t.Errorf("release Secrets after uninstall: %v", got)
	}
	pollUntil(t, "the deployment is gone", 10*time.Second, func() error {
		if _, err := admin.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("still there: %v", err)
		}
		return nil
	})
	if _, err := c.Get(ctx, alice, ns, "web", true); !errors.Is(err, kube.ErrNotFound) {
		t.Errorf("get after uninstall: %v, want ErrNotFound", err)
	}
	if err := c.Uninstall(ctx, alice, ns, "web", false); !errors.Is(err, kube.ErrNotFound) {
		t.Errorf("uninstall again: %v, want ErrNotFound", err)
	}
	if _, err := c.Upgrade(ctx, alice, UpgradeRequest{Namespace: ns, Name: "web", Chart: "test/web"}, nil); !errors.Is(err, kube.ErrNotFound) {
		t.Errorf("upgrade of a release that is gone: %v, want ErrNotFound", err)
	}
	if list, err := c.List(ctx, alice, ns); err != nil || len(list) != 0 {
		t.Errorf("list after uninstall: %v, %v", list, err)
	}
}

func TestJobAndFailedRelease(t *testing.T) {
	t.Parallel()
	admin := clusterAdmin(t)
	ns := teamNamespace(t, admin, "alice")
	r := newChartRepo(t, testChart(t, "job", ""), testChart(t, "broken", ""))
	c := clusterClient(t, r)
	alice := kube.User{Name: "alice"}
	ctx := t.Context()

	// Helm waits for the Job (kwok completes the pods of Jobs).
	var rec recorder
	rel, err := c.Install(ctx, alice, InstallRequest{Namespace: ns, Name: "once", Chart: "test/job"}, rec.progress)
	if err != nil {
		t.Fatalf("install of a Job: %v", err)
	}
	if rel.Status != shared.ReleaseDeployed {
		t.Errorf("job release: %+v", rel)
	}
	job, err := admin.BatchV1().Jobs(ns).Get(ctx, "once", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status.Succeeded != 1 {
		t.Errorf("the install returned before the Job completed: %+v", job.Status)
	}

	_, err = c.Install(ctx, alice, InstallRequest{Namespace: ns, Name: "broken", Chart: "test/broken"}, nil)
	if !errors.Is(err, kube.ErrInvalid) || !strings.Contains(publicMessageOf(err), "Not_A_Valid_Name") {
		t.Fatalf("install of a chart with an invalid object: %v, want ErrInvalid naming the object", err)
	}
	list, err := c.List(ctx, alice, ns)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range list {
		got[r.Name] = r.Status
		if r.Stuck {
			t.Errorf("release %s marked stuck", r.Name)
		}
	}
	if diff := cmp.Diff(map[string]string{"once": shared.ReleaseDeployed, "broken": shared.ReleaseFailed}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestStuckRelease(t *testing.T) {
	t.Parallel()
	admin := clusterAdmin(t)
	ns := teamNamespace(t, admin, "alice")
	r := newChartRepo(t, testChart(t, "web", ""))
	c := clusterClient(t, r)
	alice := kube.User{Name: "alice"}
	ctx := t.Context()
	if _, err := c.Install(ctx, alice, InstallRequest{Namespace: ns, Name: "stuck", Chart: "test/web"}, nil); err != nil {
		t.Fatal(err)
	}
	// An upgrade interrupted by a restart leaves its revision pending.
	store := driver.NewSecrets(admin.CoreV1().Secrets(ns))
	const key = "sh.helm.release.v1.stuck.v1"
	rel, err := store.Get(key)
	if err != nil {
		t.Fatal(err)
	}
	rel.Info.Status = release.StatusPendingUpgrade
	if err := store.Update(key, rel); err != nil {
		t.Fatal(err)
	}

	list, err := c.List(ctx, alice, ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != shared.ReleasePendingUpgrade || !list[0].Stuck {
		t.Fatalf("list of a pending release: %+v", list)
	}
	_, err = c.Upgrade(ctx, alice, UpgradeRequest{Namespace: ns, Name: "stuck", Chart: "test/web"}, nil)
	if !errors.Is(err, kube.ErrConflict) || !strings.Contains(publicMessageOf(err), "roll it back") {
		t.Errorf("upgrade of a pending release: %v, want ErrConflict with a hint to roll back", err)
	}
	got, err := c.Rollback(ctx, alice, ns, "stuck", 1, nil)
	if err != nil {
		t.Fatalf("rollback of a pending release: %v", err)
	}
	if got.Status != shared.ReleaseDeployed || got.Revision != 2 || got.Stuck {
		t.Errorf("release after the rollback: %+v", got)
	}
}

func TestForbidden(t *testing.T) {
	t.Parallel()
	admin := clusterAdmin(t)
	ns := teamNamespace(t, admin, "alice")
	r := newChartRepo(t, testChart(t, "web", ""))
	c := clusterClient(t, r)
	mallory := kube.User{Name: "mallory", Groups: []string{"team-b"}}
	ctx := t.Context()
	checks := map[string]func() error{
		"list": func() error { _, err := c.List(ctx, mallory, ns); return err },
		"get":  func() error { _, err := c.Get(ctx, mallory, ns, "web", true); return err },
		"install": func() error {
			_, err := c.Install(ctx, mallory, InstallRequest{Namespace: ns, Name: "web", Chart: "test/web"}, nil)
			return err
		},
		"rollback":  func() error { _, err := c.Rollback(ctx, mallory, ns, "web", 1, nil); return err },
		"uninstall": func() error { return c.Uninstall(ctx, mallory, ns, "web", false) },
	}
	for name, check := range checks {
		t.Run(name, func(t *testing.T) {
			err := check()
			t.Logf("%s: %s", name, publicMessageOf(err))
			if !errors.Is(err, kube.ErrForbidden) || !strings.Contains(publicMessageOf(err), "You may not") {
				t.Errorf("%s as a user without rights: %v (%q), want ErrForbidden", name, err, publicMessageOf(err))
			}
		})
	}
	if got := releaseSecretNames(t, admin, ns, "web"); len(got) != 0 {
		t.Errorf("release Secrets after refused calls: %v", got)
	}
}

func TestInstallCancelled(t *testing.T) {
	t.Parallel()
	admin := clusterAdmin(t)
	ns := teamNamespace(t, admin, "alice")
	r := newChartRepo(t, testChart(t, "web", ""))
	c, err := New(kubeClient(t), Options{Repositories: repositoriesOf(r), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	alice := kube.User{Name: "alice"}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var rec recorder
	waiting := make(chan struct{})
	var once sync.Once
	progress := func(msg string) {
		rec.progress(msg)
		if strings.Contains(msg, "beginning wait") {
			once.Do(func() { close(waiting) })
		}
	}
	done := make(chan error, 1)
	go func() {
		// kwok never makes pods of a "fail-pull" image ready.
		_, err := c.Install(ctx, alice, InstallRequest{Namespace: ns, Name: "slow", Chart: "test/web",
			Values: "image:\n  repository: registry.example.test/fail-pull\n  tag: '1'\n"}, progress)
		done <- err
	}()
	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("install returned before waiting: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("install did not start waiting")
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled install: %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("install did not return within 2 s of its context ending")
	}
	n := len(rec.take())
	time.Sleep(2500 * time.Millisecond) // Helm's wait polls every 2 s
	if late := rec.take(); len(late) != 0 {
		t.Errorf("progress called after Install returned (%d before): %q", n, late)
	}
	list, err := c.List(t.Context(), alice, ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || (list[0].Status != shared.ReleaseFailed && list[0].Status != shared.ReleasePendingInstall) {
		t.Errorf("release after a cancelled install: %+v", list)
	}
}

// TestConcurrentInstalls runs installs at once, each with its own Helm
// configuration: two of one name (one wins, the other is a conflict) and
// others by two users (each lands as its own).
func TestConcurrentInstalls(t *testing.T) {
	t.Parallel()
	admin := clusterAdmin(t)
	ns := teamNamespace(t, admin, "alice")
	rb, err := admin.RbacV1().RoleBindings(ns).Get(context.Background(), "alice-edit", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rb.Subjects = append(rb.Subjects, rb.Subjects[0])
	rb.Subjects[1].Name = "bob"
	if _, err := admin.RbacV1().RoleBindings(ns).Update(context.Background(), rb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAllowed(t, admin, "bob", authorizationv1.ResourceAttributes{Namespace: ns, Verb: "create", Resource: "secrets"})
	r := newChartRepo(t, testChart(t, "job", ""))
	c := clusterClient(t, r)
	ctx := t.Context()
	type result struct {
		user, name string
		err        error
	}
	installs := []struct{ user, name string }{
		{"alice", "same"}, {"bob", "same"}, {"alice", "a1"}, {"alice", "a2"}, {"bob", "b1"}, {"bob", "b2"},
	}
	results := make(chan result, len(installs))
	for _, in := range installs {
		go func() {
			_, err := c.Install(ctx, kube.User{Name: in.user}, InstallRequest{Namespace: ns, Name: in.name, Chart: "test/job"}, nil)
			results <- result{in.user, in.name, err}
		}()
	}
	var sameOK, sameConflict int
	for range installs {
		res := <-results
		switch {
		case res.name != "same" && res.err != nil:
			t.Errorf("install of %s by %s: %v", res.name, res.user, res.err)
		case res.name == "same" && res.err == nil:
			sameOK++
		case res.name == "same" && errors.Is(res.err, kube.ErrConflict):
			sameConflict++
		case res.name == "same":
			t.Errorf("second install of the same name: %v, want ErrConflict", res.err)
		}
	}
	if sameOK != 1 || sameConflict != 1 {
		t.Errorf("two installs of one name: %d succeeded, %d conflicted; want 1 and 1", sameOK, sameConflict)
	}
	list, err := c.List(ctx, kube.User{Name: "alice"}, ns)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, rel := range list {
		names = append(names, rel.Name)
	}
	if diff := cmp.Diff([]string{"a1", "a2", "b1", "b2", "same"}, names); diff != "" {
		t.Errorf("releases (-want +got):\n%s", diff)
	}
	// The API server's audit log names who made each release: Kubedeck,
	// as the user who asked.
	events, err := cluster.AuditEvents()
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]string{} // "resource/name" → "user as impersonated user"
	for _, e := range events {
		if e.Verb != "create" || e.ObjectRef == nil || e.ObjectRef.Namespace != ns || e.ResponseStatus == nil || e.ResponseStatus.Code != 201 {
			continue
		}
		as := e.User.Username + " as "
		if e.ImpersonatedUser != nil {
			as += e.ImpersonatedUser.Username
		}
		made[e.ObjectRef.Resource+"/"+e.ObjectRef.Name] = as
	}
	for _, in := range installs {
		if in.name == "same" {
			continue
		}
		for _, obj := range []string{"secrets/sh.helm.release.v1." + in.name + ".v1", "jobs/" + in.name} {
			if got, want := made[obj], "kubedeck as "+in.user; got != want {
				t.Errorf("%s was created by %q, want %q", obj, got, want)
			}
		}
	}
}
