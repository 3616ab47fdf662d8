//go:build !wasm

package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// TestDeployEditBrowser: an app made with the wizard is edited from My
// apps: the wizard opens on its spec (and again after a reload), name and
// namespace fixed; the review lists the new image and replicas old → new;
// Apply updates the app and follows the rollout to Available; Roll back
// then puts the old image back.
func TestDeployEditBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "edit")
	srv := c.serve(t, "127.0.0.1:0")
	spec := shared.DeploymentSpec{Name: "web", Namespace: ns, Image: "nginx:1.27", Replicas: 2, Exposure: shared.ExposeNone}
	apiWrite(t, srv.origin, http.MethodPost, "/api/v1/deployments", spec)

	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	row := `document.querySelector('tr.kd-app-row[data-name="web"][data-namespace=` + jsString(ns) + `]')`
	field := func(id string) string { return `document.getElementById(` + jsString(id) + `)` }
	prefilled := []chromedp.Action[chromedp.Void]{
		waitFor(field("deploy-image") + `?.value === "nginx:1.27"`),
		waitFor(field("deploy-replicas") + `?.value === "2"`),
		waitFor(field("deploy-name") + `?.readOnly && ` + field("deploy-name") + `.value === "web"`),
		waitFor(field("deploy-namespace") + `?.readOnly && ` + field("deploy-namespace") + `.value === ` + jsString(ns)),
		waitFor(`new URLSearchParams(location.search).get("edit") === ` + jsString(ns+"/web")),
	}
	within(t, ctx, 60*time.Second, "Edit on My apps opens the wizard on the app's spec",
		append([]chromedp.Action[chromedp.Void]{
			chromedp.Navigate(srv.origin + "/apps/deploy"), chromedp.WaitVisible(live),
			waitFor(field("deploy-app-edit-"+ns+"-web") + ` !== null`),
			click(chromedp.CSS("#deploy-app-edit-" + ns + "-web")),
			waitFor(`document.querySelector('h1').textContent === ` + jsString("Edit app "+ns+"/web")),
		}, prefilled...)...)
	within(t, ctx, 60*time.Second, "a reload reads the app's spec again",
		append([]chromedp.Action[chromedp.Void]{chromedp.Reload(), chromedp.WaitVisible(live)}, prefilled...)...)

	within(t, ctx, 60*time.Second, "a new tag and replicas: the review lists both, old → new",
		setField("deploy-image", "nginx:1.28"),
		setField("deploy-replicas", "3"),
		waitFor(`!document.querySelector('#deploy-step-review').disabled`),
		click(chromedp.CSS("#deploy-step-review")),
		waitFor(`document.querySelector('#deploy-wizard').dataset.step === "review"`),
		waitFor(`(r => r && r.querySelector('.kd-diff-old').textContent === "nginx:1.27" && r.querySelector('.kd-diff-new').textContent === "nginx:1.28")`+
			`(document.querySelector('#deploy-diff tr[data-field="image"]'))`),
		waitFor(`(r => r && r.querySelector('.kd-diff-old').textContent === "2" && r.querySelector('.kd-diff-new').textContent === "3")`+
			`(document.querySelector('#deploy-diff tr[data-field="replicas"]'))`),
		waitFor(`document.querySelectorAll('#deploy-diff tr.kd-diff-row').length === 2`),
		waitFor(`document.querySelector('#deploy-verdicts [data-kind="Deployment"]')?.dataset.allowed === "true"`),
		waitFor(`!document.querySelector('#deploy-apply').disabled`))

	start := time.Now()
	within(t, ctx, 90*time.Second, "Apply: the update's rollout runs to Available",
		click(chromedp.CSS("#deploy-apply")),
		chromedp.WaitVisible(chromedp.CSS("#deploy-progress")),
		waitFor(`document.querySelector('#deploy-progress').dataset.op === "succeeded"`),
		waitFor(`document.querySelector('#deploy-progress-title').textContent === `+jsString(ns+"/web is available")),
		waitFor(jsToasts+`.includes(`+jsString("App "+ns+"/web is available")+`)`),
		waitFor(`!new URLSearchParams(location.search).has("edit")`),
		waitFor(row+`?.querySelector('.kd-app-image').textContent === "nginx:1.28"`))
	t.Logf("updated and listed %v after Apply", time.Since(start).Round(time.Millisecond))
	d, err := c.admin.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if image, replicas := d.Spec.Template.Spec.Containers[0].Image, *d.Spec.Replicas; image != "nginx:1.28" || replicas != 3 {
		t.Errorf("the Deployment after the update runs %s ×%d, want nginx:1.28 ×3", image, replicas)
	}

	within(t, ctx, 90*time.Second, "Roll back from the update's progress: the old image is back",
		click(chromedp.CSS("#deploy-progress-rollback")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm-roll-back")),
		click(chromedp.CSS("#kd-confirm-roll-back")),
		waitFor(`document.querySelector('#deploy-progress [data-step="rollback"]') !== null`),
		waitFor(`document.querySelector('#deploy-progress').dataset.op === "succeeded"`),
		waitFor(row+`?.querySelector('.kd-app-image').textContent === "nginx:1.27"`))
	d, err = c.admin.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if image := d.Spec.Template.Spec.Containers[0].Image; image != "nginx:1.27" {
		t.Errorf("the Deployment's image after the rollback is %s, want nginx:1.27", image)
	}
	if errs := console.take(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", errs)
	}
}
