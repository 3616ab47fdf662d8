//go:build !wasm

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/kube"
)

// jsToasts is the text of every toast shown.
const jsToasts = `[...document.querySelectorAll('.kd-toast')].map(t => t.textContent).join(' | ')`

// TestWorkloadActionsBrowser scales and restarts a Deployment from the
// object viewer's drawer in Chromium, on the local cluster: replicas out
// of bounds are refused in the page with a message, Enter in the field
// scales and the table's row follows to 3 ready; Restart asks first, then
// its progress runs to its end with a toast; a user who may only view
// finds both disabled, with the reason.
func TestWorkloadActionsBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "day-two")
	seedDeployment(t, ns, "web")
	srv := c.serve(t, "127.0.0.1:0")
	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)

	within(t, ctx, 60*time.Second, "open the Deployment's drawer",
		chromedp.Navigate(srv.origin+"/apps/objects?kind=deployments&namespace="+ns+"&name=web"),
		chromedp.WaitVisible(live), chromedp.WaitVisible(chromedp.CSS("#kd-scale-replicas")),
		waitFor(`document.querySelector('#kd-scale-replicas').value === "1"`),
		waitFor(`!document.querySelector('#kd-scale').disabled && !document.querySelector('#kd-restart').disabled`))

	for _, bad := range []string{"1001", "-1"} {
		within(t, ctx, 10*time.Second, "type "+bad+" replicas",
			setField("kd-scale-replicas", bad),
			waitFor(`(document.querySelector('#kd-scale-error') || {}).textContent?.includes("from 0 to 1000")`),
			waitFor(`document.querySelector('#kd-scale').disabled`),
			waitFor(`document.querySelector('#kd-scale-replicas').getAttribute('aria-invalid') === "true"`),
			chromedp.KeyEvent(kb.Enter))
		if eval[bool](t, ctx, `document.querySelector('#kd-workload-progress') !== null`) {
			t.Fatalf("Enter on %s replicas started a scale", bad)
		}
	}

	start := time.Now()
	within(t, ctx, 90*time.Second, "scale to 3 with the keyboard: the progress runs to Available",
		setField("kd-scale-replicas", "3"),
		waitFor(`document.querySelector('#kd-scale-error') === null`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#kd-workload-progress")),
		waitFor(`document.querySelector('#kd-workload-progress').dataset.op === "succeeded"`),
		waitFor(`(document.querySelector('#kd-workload-replicas') || {}).textContent === "3 of 3 replicas ready"`),
		waitFor(jsToasts+`.includes("Deployment `+ns+`/web scaled: 3 of 3 replicas ready.")`),
		waitFor(jsRowText("web")+`.includes("3/3")`))
	t.Logf("scaled to 3 ready %v after Enter", time.Since(start).Round(time.Millisecond))
	d, err := c.admin.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil || *d.Spec.Replicas != 3 {
		t.Fatalf("the Deployment after the scale: %v, replicas %v", err, d.Spec.Replicas)
	}

	within(t, ctx, 10*time.Second, "Restart asks first, focus on Cancel",
		click(chromedp.CSS("#kd-restart")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")),
		waitFor(`document.querySelector('#kd-confirm-title').textContent === "Restart Deployment?"`),
		waitFor(`document.activeElement && document.activeElement.id === 'kd-confirm-cancel'`))
	start = time.Now()
	within(t, ctx, 90*time.Second, "restart: its progress ends",
		click(chromedp.CSS("#kd-confirm-restart")),
		chromedp.WaitNotPresent(chromedp.CSS("#kd-confirm")),
		waitFor(`document.querySelector('#kd-workload-progress [data-step="restart"]') !== null`),
		waitFor(`document.querySelector('#kd-workload-progress').dataset.op === "succeeded"`),
		waitFor(jsToasts+`.includes("Deployment `+ns+`/web restarted: 3 of 3 replicas ready.")`))
	t.Logf("restart ended %v after the confirmation", time.Since(start).Round(time.Millisecond))
	d, err = c.admin.AppsV1().Deployments(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil || d.Spec.Template.Annotations[kube.RestartedAtAnnotation] == "" {
		t.Fatalf("the Deployment after the restart: %v, template annotations %v", err, d.Spec.Template.Annotations)
	}
	if errs := console.take(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}

	t.Run("a viewer", func(t *testing.T) {
		const viewer = "day-two-viewer"
		rb := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: viewer + "-view", Namespace: ns},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: viewer}},
		}
		if _, err := c.admin.RbacV1().RoleBindings(ns).Create(context.Background(), rb, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		vsrv := c.serveAs(t, "127.0.0.1:0", kube.User{Name: viewer})
		vctx := newBrowser(t, chromium)
		within(t, vctx, 60*time.Second, "the viewer's drawer: Scale and Restart disabled, with the reasons",
			chromedp.Navigate(vsrv.origin+"/apps/objects?kind=deployments&namespace="+ns+"&name=web"),
			chromedp.WaitVisible(live), chromedp.WaitVisible(chromedp.CSS("#kd-restart")),
			waitFor(`document.querySelector('#kd-scale').disabled && document.querySelector('#kd-restart').disabled`),
			waitFor(`document.querySelector('#kd-scale').title.includes("patch deployments/scale")`),
			waitFor(`document.querySelector('#kd-scale-replicas').disabled`))
		restart := eval[string](t, vctx, `document.querySelector('#kd-restart-reason').textContent`)
		if !strings.Contains(restart, "patch deployments in namespace") || !strings.Contains(restart, ns) {
			t.Errorf("the Restart's reason %q does not name the right and the namespace", restart)
		}
		t.Logf("the viewer is told: %q", restart)
	})
}
