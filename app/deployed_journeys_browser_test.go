//go:build !wasm

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/internal/idptest"
	"github.com/kubedeck/kubedeck/shared"
)

// The journeys' users. alice may edit the namespace through her group
// team-a; bob may only look (view, and read on Secrets so Helm's releases
// show).
var (
	journeyAlice = idptest.User{Subject: "0f3c9e2a-alice", Username: "alice", Email: "alice@example.com", Groups: []string{"team-a"}}
	journeyBob   = idptest.User{Subject: "7d1b44c0-bob", Username: "bob", Email: "bob@example.com", Groups: []string{"readers"}}
)

// The failures a journey may meet without a fault: the test chart's icon,
// whose host does not exist here (the page shows the letter instead).
const iconMiss = "/api/v1/catalog/icon"

// TestDeployedJourneysBrowser walks through Kubedeck as the chart deploys
// it, behind the chart's own oauth2-proxy, at the root and under /v2: sign
// in at the provider, browse, deploy an app through the wizard, install,
// upgrade and bulk-uninstall charts; a view-only user finds every write
// disabled with its reason; a user removed from her group loses its
// rights once the session is refreshed; sign-out sends the next visit to
// the provider again.
func TestDeployedJourneysBrowser(t *testing.T) {
	chromium := needBrowser(t)
	for _, base := range []string{"", "/v2"} {
		t.Run("base="+base, func(t *testing.T) {
			// The two bases share nothing but the cluster (each has its
			// own namespace, provider, proxy and Kubedeck), so they run
			// side by side: most of a journey is waiting on a rollout.
			t.Parallel()
			d := startDeployed(t, deployedOptions{base: base, refresh: "3s", users: []idptest.User{journeyAlice, journeyBob}})
			ensureClusterRole(t, "kubedeck-test-secret-reader",
				rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "list", "watch"}})
			ns := namespaceWith(t, "journey", map[string]string{
				"Group:team-a": "edit",
				"User:bob":     "view", "Group:readers": "kubedeck-test-secret-reader",
			})
			seedDeployment(t, ns, "seeded")

			a := newJourney(t, chromium, d)
			steps := []struct {
				name string
				run  func(t *testing.T)
			}{
				{"sign in, browse, deploy", func(t *testing.T) { journeyDeploy(a.use(t), ns) }},
				{"install, upgrade, bulk uninstall", func(t *testing.T) { journeyCharts(a.use(t), ns) }},
				{"view only", func(t *testing.T) { journeyViewOnly(newJourney(t, chromium, d), ns) }},
				{"removed from the group", func(t *testing.T) { journeyGroupRemoved(a.use(t), ns) }},
				{"sign out", func(t *testing.T) { journeySignOut(a.use(t)) }},
			}
			for _, s := range steps {
				if !t.Run(s.name, s.run) {
					break // each step starts where the one before left off
				}
			}
		})
	}
}

// seedDeployment makes a Deployment of one replica in ns as the admin.
func seedDeployment(t *testing.T, ns, name string) {
	t.Helper()
	labels := map[string]string{"app": name}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx:1.27"}}},
			},
		},
	}
	if _, err := clusterAdmin(t).AppsV1().Deployments(ns).Create(context.Background(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// journeyDeploy: signed out → the provider → signed in as alice; the
// objects view lists the namespace's Deployment; the wizard deploys an app
// to Available, and the objects view finds it.
func journeyDeploy(j *journey, ns string) {
	t, ctx := j.t, j.ctx
	submitted := j.signIn("/apps/objects?kind=deployments&namespace="+ns, "alice", "alice")
	if n := j.d.provider.Logins(); n != 1 {
		t.Errorf("the provider showed its form %d times, want 1", n)
	}
	within(t, ctx, 30*time.Second, "the objects view lists the namespace's Deployment",
		waitFor(`document.querySelector(`+jsString(`tr[data-name="seeded"]`)+`) !== null`))
	t.Logf("sign-in to first table row: %v from the provider's Sign in to the row on Kubedeck's page", time.Since(submitted).Round(time.Millisecond))

	within(t, ctx, 60*time.Second, "open the wizard",
		chromedp.Navigate(j.d.URL()+"/apps/deploy"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#deploy-name")),
		waitFor(`[...document.querySelectorAll('#deploy-namespace option')].some(o => o.value === `+jsString(ns)+`)`))
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("deploy-namespace");
		s.value = `+jsString(ns)+`; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	within(t, ctx, 20*time.Second, "fill in Basics",
		setField("deploy-name", "web"),
		setField("deploy-image", "nginx:1.27"),
		setField("deploy-port", "8080"),
		setField("deploy-replicas", "3"),
		waitFor(`!document.querySelector('#deploy-next').disabled`))
	within(t, ctx, 20*time.Second, "Exposure: internal", next(stepExposure), click(chromedp.CSS("#deploy-exposure-internal")),
		waitFor(`document.querySelector('#deploy-exposure-internal').checked`))
	within(t, ctx, 10*time.Second, "Resources", next(stepResources))
	within(t, ctx, 10*time.Second, "Command", next(stepCommand))
	within(t, ctx, 10*time.Second, "Volumes", next(stepVolumes))
	within(t, ctx, 60*time.Second, "Review: the server's preview and verdicts", next(stepReview),
		chromedp.WaitVisible(chromedp.CSS("#deploy-verdicts")),
		waitFor(`!document.querySelector('#deploy-create').disabled`))
	start := time.Now()
	within(t, ctx, 10*time.Second, "Create", click(chromedp.CSS("#deploy-create")),
		chromedp.WaitVisible(chromedp.CSS("#deploy-progress")))
	within(t, ctx, 120*time.Second, "the rollout reaches Available",
		waitFor(`document.querySelector('#deploy-progress').dataset.phase === "Available"`))
	t.Logf("Available %v after Create", time.Since(start).Round(time.Millisecond))
	within(t, ctx, 60*time.Second, "the objects view finds the app",
		chromedp.Navigate(j.d.URL()+"/apps/objects?kind=deployments&namespace="+ns+"&q=web"), chromedp.WaitVisible(live),
		waitFor(`document.querySelector(`+jsString(`tr[data-name="web"]`)+`) !== null`))
	// The Deployment was made as alice: the API server's audit log says so.
	j.check(iconMiss)
}

// journeyCharts: alice installs the web chart from the catalog, upgrades
// it from its drawer, installs a second release and uninstalls both at
// once.
func journeyCharts(j *journey, ns string) {
	t, ctx := j.t, j.ctx
	card := `document.querySelector('[data-chart="test/web"]')`
	within(t, ctx, 60*time.Second, "the catalog offers the repository's chart",
		chromedp.Navigate(j.d.URL()+"/apps/charts?view=catalog"), chromedp.WaitVisible(live),
		waitFor(card+` !== null`))
	within(t, ctx, 20*time.Second, "choose the web chart",
		click(byID("kd-choose-test/web")),
		chromedp.WaitVisible(chromedp.CSS("#kd-install")),
		waitFor(`document.getElementById("kd-install-version").value === "1.0.0"`),
		waitFor(`[...document.querySelectorAll('#kd-install-namespace option')].some(o => o.value === `+jsString(ns)+`)`),
		setField("kd-install-name", "j-one"))
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("kd-install-namespace");
		s.value = `+jsString(ns)+`; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	start := time.Now()
	within(t, ctx, 20*time.Second, "Install",
		setField("kd-install-values", "greeting: hi"),
		click(chromedp.CSS("#kd-install-submit")),
		chromedp.WaitVisible(chromedp.CSS("#kd-install-progress")))
	within(t, ctx, 150*time.Second, "the install succeeds",
		waitFor(`(document.getElementById("kd-install-progress") || {dataset: {}}).dataset.phase === "succeeded"`),
		waitFor(jsToast("success", "Release "+ns+"/j-one installed.")))
	t.Logf("installed %v after Install", time.Since(start).Round(time.Millisecond))

	key := ns + "/j-one"
	row := func(name string) string {
		return `document.querySelector('[data-release=` + jsString(ns+"/"+name) + `]')`
	}
	within(t, ctx, 30*time.Second, "upgrade it from its drawer",
		click(chromedp.CSS("#kd-install-releases")),
		waitFor(row("j-one")+` !== null`),
		click(byID("kd-open-"+key)),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`!document.getElementById("kd-drawer-upgrade").disabled`),
		click(chromedp.CSS("#kd-drawer-upgrade")),
		waitFor(`document.getElementById("kd-upgrade-values")?.value.includes("greeting: hi")`),
		setField("kd-upgrade-values", "greeting: upgraded"),
		click(chromedp.CSS("#kd-upgrade-submit")))
	within(t, ctx, 150*time.Second, "the upgrade succeeds",
		waitFor(`(document.getElementById("kd-upgrade-progress") || {dataset: {}}).dataset.phase === "succeeded"`))
	status, body := j.fetchJSON("GET", "/api/v1/charts/j-one?namespace="+ns, "")
	var env struct {
		Data shared.ReleaseDetail `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &env); status != 200 || err != nil || env.Data.Release.Revision != 2 || !strings.Contains(env.Data.Values, "upgraded") {
		t.Fatalf("after the upgrade: %d %s", status, shorten(body, 300))
	}

	// A second release, sent from the page as the API client would.
	raw, _ := json.Marshal(shared.ChartInstall{Name: "j-two", Namespace: ns, Chart: "test/web", Version: "1.0.0"})
	if status, body := j.fetchJSON("POST", "/api/v1/charts?namespace="+ns, string(raw)); status != 202 {
		t.Fatalf("install j-two: %d %s", status, shorten(body, 300))
	}
	within(t, ctx, 150*time.Second, "both releases are listed, deployed",
		chromedp.Navigate(j.d.URL()+"/apps/charts"), chromedp.WaitVisible(live),
		waitFor(row("j-one")+`?.dataset.status === "deployed" && `+row("j-two")+`?.dataset.status === "deployed"`))
	start = time.Now()
	within(t, ctx, 150*time.Second, "select both and uninstall them at once",
		// The Go side has taken a tick once the button counts it: only
		// then is the page laid out for the next click.
		click(byID("kd-select-"+ns+"/j-one")),
		waitFor(`document.getElementById("kd-uninstall-selected").textContent === "Uninstall selected (1)"`),
		click(byID("kd-select-"+ns+"/j-two")),
		waitFor(`document.getElementById("kd-uninstall-selected").textContent === "Uninstall selected (2)"`),
		click(chromedp.CSS("#kd-uninstall-selected")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")),
		click(chromedp.CSS("#kd-confirm-delete")),
		waitFor(jsToast("success", "Release "+ns+"/j-one uninstalled.")),
		waitFor(jsToast("success", "Release "+ns+"/j-two uninstalled.")),
		waitFor(row("j-one")+` === null && `+row("j-two")+` === null`))
	t.Logf("both uninstalled %v after the confirmation", time.Since(start).Round(time.Millisecond))
	j.check(iconMiss)
}

// journeyViewOnly: bob, who may only look, signs in and finds every write
// disabled with its reason: the wizard's Next, and a release's Upgrade and
// Uninstall.
func journeyViewOnly(j *journey, ns string) {
	t, ctx := j.t, j.ctx
	raw, _ := json.Marshal(shared.ChartInstall{Name: "j-keep", Namespace: ns, Chart: "test/web", Version: "1.0.0"})
	j.signIn("/", "bob", "bob")
	// alice's release, which bob may see and not change.
	alice := newJourney(t, needBrowser(t), j.d)
	alice.signIn("/", "alice", "alice")
	if status, body := alice.fetchJSON("POST", "/api/v1/charts?namespace="+ns, string(raw)); status != 202 {
		t.Fatalf("install j-keep as alice: %d %s", status, shorten(body, 300))
	}
	deployed := func() bool {
		status, body := alice.fetchJSON("GET", "/api/v1/charts/j-keep?namespace="+ns, "")
		var env struct {
			Data shared.ReleaseDetail `json:"data"`
		}
		return status == 200 && json.Unmarshal([]byte(body), &env) == nil && env.Data.Release.Status == shared.ReleaseDeployed
	}
	for deadline := time.Now().Add(150 * time.Second); !deployed(); time.Sleep(500 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("alice's release j-keep is not deployed after 150 s")
		}
	}

	eval[chromedp.Void](t, ctx, `localStorage.setItem(`+jsString(namespaceStorageKey)+`, JSON.stringify(`+jsString(ns)+`))`)
	within(t, ctx, 60*time.Second, "the wizard: Next is disabled, with the reason",
		chromedp.Navigate(j.d.URL()+"/apps/deploy"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#deploy-name")),
		setField("deploy-name", "nope"),
		setField("deploy-image", "nginx:1.27"),
		waitFor(`document.querySelector('#deploy-namespace-error')?.textContent.includes(`+jsString(ns)+`)`),
		waitFor(`document.querySelector('#deploy-next').disabled`))
	t.Logf("the wizard says: %q", eval[string](t, ctx, `document.querySelector('#deploy-namespace-error').textContent`))

	key := ns + "/j-keep"
	within(t, ctx, 150*time.Second, "the release's Upgrade and Uninstall are disabled, with the reasons",
		chromedp.Navigate(j.d.URL()+"/apps/charts?release="+key), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#kd-drawer")),
		waitFor(`document.getElementById("kd-drawer-upgrade").disabled && document.getElementById("kd-drawer-upgrade").title !== ""`),
		waitFor(`document.getElementById("kd-drawer-uninstall").disabled && document.getElementById("kd-drawer-uninstall").title !== ""`))
	for _, id := range []string{"kd-drawer-upgrade", "kd-drawer-uninstall"} {
		if why := eval[string](t, ctx, `document.getElementById(`+jsString(id)+`).title`); !strings.Contains(why, ns) {
			t.Errorf("%s's reason %q does not name the namespace", id, why)
		}
	}
	// What the page refuses, the server refuses too, before any operation
	// starts.
	if status, body := j.fetchJSON("DELETE", "/api/v1/charts/j-keep?namespace="+ns, ""); status != 403 {
		t.Errorf("bob's uninstall: %d %s, want 403", status, shorten(body, 300))
	}
	if !deployed() {
		t.Error("after bob's uninstall, alice's release is no longer deployed")
	}
	j.check(iconMiss, "/api/v1/charts/j-keep")
	alice.check(iconMiss, "/api/v1/charts/j-keep") // polled until the install is recorded
}

// journeyGroupRemoved: alice leaves team-a at the provider; once her
// session is refreshed (3 s here) Kubedeck no longer lets her deploy.
func journeyGroupRemoved(j *journey, ns string) {
	t := j.t
	can := func() bool {
		status, body := j.fetchJSON("GET", "/api/v1/me?namespace="+ns, "")
		var env struct {
			Data shared.Me `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &env); status != 200 || err != nil {
			t.Fatalf("/me: %d %s", status, shorten(body, 300))
		}
		return env.Data.Can[shared.ActionCreateDeployments]
	}
	if !can() {
		t.Fatal("alice may not deploy before leaving the group")
	}
	j.d.provider.SetGroups("alice")
	start := time.Now()
	for can() {
		if time.Since(start) > 30*time.Second {
			t.Fatal("30 s after leaving team-a, alice may still deploy")
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("the group's rights were gone %v after the change at the provider (refresh every 3 s)", time.Since(start).Round(time.Millisecond))
	j.d.provider.SetGroups("alice", "team-a")
}

// journeySignOut: Log out ends the session at the provider too and goes
// on to the provider's form; a later visit (the offline shell answers it)
// says the session ended, and its link asks the provider again instead of
// signing straight back in.
func journeySignOut(j *journey) {
	t, ctx := j.t, j.ctx
	logins := j.d.provider.Logins()
	within(t, ctx, 60*time.Second, "log out",
		chromedp.Navigate(j.d.URL()+"/"), chromedp.WaitVisible(live),
		click(chromedp.CSS("a.kd-logout")))
	waitAcrossLoads(t, ctx, "the provider asks who you are", `document.getElementById("idp-login") !== null`)
	if n := j.d.provider.Logouts(); n != 1 {
		t.Errorf("the provider's session was ended %d times, want 1", n)
	}
	within(t, ctx, 60*time.Second, "a later visit says the session ended",
		chromedp.Navigate(j.d.URL()+"/apps/charts"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS(`#kd-signin[role="alertdialog"]`)))
	eval[chromedp.Void](t, ctx, `document.getElementById("kd-signin-link").click()`)
	waitAcrossLoads(t, ctx, "its link asks the provider again", `document.getElementById("idp-login") !== null`)
	if n := j.d.provider.Logins() - logins; n != 2 {
		t.Errorf("the provider's form was shown %d times after Log out, want 2", n)
	}
	// The shell answered while signed out: its API calls were refused.
	j.check(iconMiss, "/api/v1/")
}
