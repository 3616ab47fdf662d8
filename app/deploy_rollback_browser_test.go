//go:build !wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// apiWrite sends a write to Kubedeck's API at origin (dev mode: the dev
// user) and waits until the operation it starts has succeeded.
func apiWrite(t *testing.T, origin, method, path string, body any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(method, origin+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	env := apiCall(t, req)
	var rep shared.OperationReply
	if err := json.Unmarshal(env.Data, &rep); err != nil || rep.Operation.ID == "" {
		t.Fatalf("%s %s: %+v", method, path, env.Error)
	}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, origin+"/api/v1/operations/"+rep.Operation.ID, nil)
		env := apiCall(t, req)
		var got shared.OperationReply
		if err := json.Unmarshal(env.Data, &got); err != nil {
			t.Fatalf("operation %s: %+v", rep.Operation.ID, env.Error)
		}
		switch {
		case got.Operation.Phase == shared.OperationSucceeded:
			return
		case got.Operation.Done() || time.Now().After(deadline):
			t.Fatalf("%s %s: operation %s %q %+v", method, path, got.Operation.Phase, got.Operation.Message, got.Operation.Error)
		}
	}
}

// apiCall sends req and decodes the envelope.
func apiCall(t *testing.T, req *http.Request) shared.Envelope {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var env shared.Envelope
	if err := json.NewDecoder(res.Body).Decode(&env); err != nil {
		t.Fatalf("%s %s: %d: %v", req.Method, req.URL, res.StatusCode, err)
	}
	return env
}

// TestDeployRollbackBrowser: an app made with the wizard and then updated
// to a new image is rolled back from My apps in one click (and a
// confirmation): the progress runs to Available and the list shows the
// old image again.
func TestDeployRollbackBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "rollback")
	srv := c.serve(t, "127.0.0.1:0")
	spec := shared.DeploymentSpec{Name: "web", Namespace: ns, Image: "nginx:1.27", Replicas: 2, Exposure: shared.ExposeNone}
	apiWrite(t, srv.origin, http.MethodPost, "/api/v1/deployments", spec)
	spec.Image = "nginx:1.28"
	apiWrite(t, srv.origin, http.MethodPut, "/api/v1/deployments/web?namespace="+ns, spec)
	solo := spec
	solo.Name = "solo"
	apiWrite(t, srv.origin, http.MethodPost, "/api/v1/deployments", solo)

	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	row := `document.querySelector('tr.kd-app-row[data-name="web"][data-namespace=` + jsString(ns) + `]')`
	within(t, ctx, 60*time.Second, "My apps lists the app at its new image",
		chromedp.Navigate(srv.origin+"/apps/deploy"), chromedp.WaitVisible(live),
		waitFor(row+`?.querySelector('.kd-app-image').textContent === "nginx:1.28"`))
	start := time.Now()
	within(t, ctx, 90*time.Second, "Roll back, confirm: the rollout ends, the old image is back",
		waitFor(`document.getElementById(`+jsString("deploy-app-rollback-"+ns+"-web")+`) !== null`),
		click(chromedp.CSS("#deploy-app-rollback-"+ns+"-web")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")),
		waitFor(`document.querySelector('#kd-confirm-title').textContent === "Roll back app?"`),
		waitFor(`document.activeElement && document.activeElement.id === 'kd-confirm-cancel'`),
		click(chromedp.CSS("#kd-confirm-roll-back")))
	within(t, ctx, 90*time.Second, "the rollback's progress",
		chromedp.WaitVisible(chromedp.CSS("#deploy-progress")),
		waitFor(`document.querySelector('#deploy-progress [data-step="rollback"]') !== null`),
		waitFor(`document.querySelector('#deploy-progress').dataset.op === "succeeded"`),
		waitFor(`document.querySelector('#deploy-progress-title').textContent === `+jsString(ns+"/web is available")),
		waitFor(row+`?.querySelector('.kd-app-image').textContent === "nginx:1.27"`))
	t.Logf("rolled back and listed %v after the confirmation", time.Since(start).Round(time.Millisecond))
	d, err := c.admin.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if image := d.Spec.Template.Spec.Containers[0].Image; image != "nginx:1.27" {
		t.Errorf("the Deployment's image after the rollback is %s, want nginx:1.27", image)
	}
	if errs := console.take(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", errs)
	}

	// An app of one revision: the server's refusal is the toast.
	within(t, ctx, 30*time.Second, "Roll back an app of one revision: the server's reason as a toast",
		click(chromedp.CSS("#deploy-again")),
		waitFor(`document.getElementById(`+jsString("deploy-app-rollback-"+ns+"-solo")+`) !== null`),
		click(chromedp.CSS("#deploy-app-rollback-"+ns+"-solo")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm-roll-back")),
		click(chromedp.CSS("#kd-confirm-roll-back")),
		waitFor(jsToasts+`.includes(`+jsString("App "+ns+"/solo has no previous revision to roll back to.")+`)`),
		chromedp.WaitNotPresent(chromedp.CSS("#kd-confirm")))
}
