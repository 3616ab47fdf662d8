//go:build !wasm

package main

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/server"
)

// jsTerminalText is the text xterm.js shows in the shell page's terminal.
const jsTerminalText = `((document.querySelector('#kd-terminal .xterm-rows') || {}).textContent || "")`

// TestShellPageRunsACommand opens the shell page of a running pod in
// Chromium as a user who may exec there, types a command and sees its
// output in the terminal; a user who may only view the namespace sees the
// reason on the same page, and no terminal.
func TestShellPageRunsACommand(t *testing.T) {
	localcluster.Need(t, cluster)
	chromium := needBrowser(t)
	ctx := context.Background()
	admin := clusterAdmin(t)
	client, objects := startServerCache(t, ctx)
	ns := "shell-ui-" + strings.ToLower(rand.Text()[:6])
	if _, err := admin.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	bindRole(t, admin, ns, "sheller", "edit")
	bindRole(t, admin, ns, "looker", "view")
	runShellPod(t, admin, ns, "box")
	serve := func(user string) string {
		return serveKubedeck(t, server.Config{
			Auth: server.AuthConfig{Mode: server.AuthDev, DevUser: kube.User{Name: user}},
		}, server.Deps{Kube: client, Objects: objects, Access: kube.NewAccess(client, kube.AccessOptions{TTL: 200 * time.Millisecond})})
	}

	b := newBrowser(t, chromium)
	cons := watchConsole(b)
	defer func() {
		for _, m := range cons.take() {
			if !strings.Contains(m, "Content Security Policy") {
				t.Logf("console: %s", m)
			}
		}
	}()
	origin := serve("sheller")
	page := origin + "/apps/shell/" + ns + "/box"
	// The RoleBinding reaches the API server's authorizer a little later.
	deadline := time.Now().Add(20 * time.Second)
	for {
		within(t, b, 60*time.Second, "open the shell page", chromedp.Navigate(page), chromedp.WaitVisible(live),
			waitFor(`!document.querySelector('#kd-shell-status').textContent.startsWith("Checking")`))
		status := eval[string](t, b, `document.querySelector('#kd-shell-status').textContent`)
		if status != "Not allowed" || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	within(t, b, 30*time.Second, "the shell connects and prints a prompt",
		waitFor(`document.querySelector('#kd-shell-status').textContent === "Connected to main"`),
		waitFor(jsTerminalText+`.includes("$")`))
	// The same page from the pod's drawer in the object viewer.
	within(t, b, 60*time.Second, "the pod's drawer offers a shell, which opens the shell page",
		chromedp.Navigate(origin+"/apps/objects?kind=pods&namespace="+ns+"&name=box"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#kd-shell-main")),
		waitFor(`document.querySelector('#kd-shell-main').getAttribute('href').endsWith("/apps/shell/`+ns+`/box?container=main")`),
		click(chromedp.CSS("#kd-shell-main")))
	waitAcrossLoads(t, b, "the shell page, connected", `document.querySelector('#kd-shell-status')?.textContent === "Connected to main"`)
	start := time.Now()
	within(t, b, 20*time.Second, "type a command and see its output",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#kd-terminal textarea').focus()`),
		typeKeys("echo $((6*7))\r"),
		waitFor(jsTerminalText+`.replace(/\u00a0/g, " ").split("echo $((6*7))")[1]?.includes("42")`))
	t.Logf("keypress to output in the terminal: %v", time.Since(start))
	if eval[bool](t, b, `document.querySelector('.kd-error-card') !== null`) {
		t.Error("an error card is showing")
	}
	within(t, b, 20*time.Second, "exit: the page says how the session ended and offers to reconnect",
		typeKeys("exit 4\r"),
		waitFor(`document.querySelector('#kd-shell-status').textContent === "Exited with code 4"`),
		chromedp.WaitVisible(chromedp.CSS("#kd-shell-reconnect")))
	if !eval[bool](t, b, jsTerminalText+`.includes("42")`) {
		t.Errorf("the terminal lost its output when the session ended: %d terminals, %q", eval[int](t, b, `document.querySelectorAll('#kd-terminal .xterm').length`), eval[string](t, b, jsTerminalText))
	}
	within(t, b, 5*time.Second, "reconnect", click(chromedp.CSS("#kd-shell-reconnect")))
	waitAcrossLoads(t, b, "reconnected, in a fresh terminal",
		`document.querySelector('#kd-shell-status')?.textContent === "Connected to main" && `+
			`document.querySelectorAll('#kd-terminal .xterm').length === 1 && !`+jsTerminalText+`.includes("42")`)

	other := serve("looker")
	within(t, b, 60*time.Second, "a viewer sees why, not a terminal",
		chromedp.Navigate(other+"/apps/shell/"+ns+"/box"), chromedp.WaitVisible(live),
		waitFor(`document.querySelector('#kd-shell-status').textContent === "Not allowed"`))
	msg := eval[string](t, b, `document.querySelector('#kd-shell-message[role="alert"]').textContent`)
	if !strings.Contains(msg, "pods/exec") || !strings.Contains(msg, ns) {
		t.Errorf("the reason %q does not name pods/exec in %s", msg, ns)
	}
	if eval[bool](t, b, `!document.querySelector('#kd-terminal').hidden || document.querySelector('#kd-terminal .xterm') !== null`) {
		t.Error("a terminal is shown to a user who may not exec")
	}
	within(t, b, 60*time.Second, "the viewer's pod drawer: Shell disabled, with the reason",
		chromedp.Navigate(other+"/apps/objects?kind=pods&namespace="+ns+"&name=box"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#kd-shell")),
		waitFor(`document.querySelector('#kd-shell').disabled`),
		// "Checking whether you may…" until /me answers, then the reason.
		waitFor(`(document.querySelector('#kd-shell-reason') || {}).textContent?.includes("pods/exec")`))
}

// typeKeys types s as a keyboard does, one key at a time: a keydown that
// carries its text (the browser then makes the keypress, unless the page
// handled the keydown), then a keyup. chromedp.KeyEvent sends the text as
// a separate "char" event, which xterm.js, having handled the keydown,
// would take as a second keystroke.
func typeKeys(s string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, r := range s {
			down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: string(r), Text: string(r)}
			if r == '\r' {
				down.Key, down.Code, down.WindowsVirtualKeyCode, down.NativeVirtualKeyCode = "Enter", "Enter", 13, 13
			}
			up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: down.Key, Code: down.Code}
			for _, ev := range []input.DispatchKeyEventParams{down, up} {
				if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// bindRole gives user the ClusterRole role in namespace.
func bindRole(t *testing.T, admin kubernetes.Interface, namespace, user, role string) {
	t.Helper()
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-" + role, Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}
	if _, err := admin.RbacV1().RoleBindings(namespace).Create(context.Background(), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// runShellPod creates a pod with one container, main, and waits until it runs.
func runShellPod(t *testing.T, admin kubernetes.Interface, namespace, name string) {
	t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "example.com/box:1"}}}}
	if _, err := admin.CoreV1().Pods(namespace).Create(context.Background(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		p, err := admin.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		t.Fatalf("pod %s never ran: %v", name, err)
	}
}
