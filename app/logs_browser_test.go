//go:build !wasm

package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// JavaScript that reads the log viewer.
const (
	jsLogText  = `document.querySelector('#kd-logs-pane').textContent`
	jsLogLines = `[...document.querySelectorAll('#kd-logs-pane .kd-log-line')].map(l => l.textContent)`
)

// hostileLog is a log that tries to become markup, to move the cursor, to
// set the title, and to break the layout with one very long line.
func hostileLog() []string {
	return []string{
		"first line",
		"<script>window.__pwned = 1</script>",
		`<img src=x onerror="window.__pwned = 2">`,
		"\x1b[31mred\x1b[0m and \x1b[1;92mbold green\x1b[0m",
		"\x1b]0;pwned title\x07after osc",
		"bell\x07 nul\x00 clear\x1b[2J\x1b[H",
		strings.Repeat("long-", 20000) + "end",
	}
}

// logsPod runs a pod in ns whose logs come from files of the test's:
// current holds lines, previous the container's before a restart.
func logsPod(t *testing.T, c *objectsCluster, ns, name string, current, previous []string) (file string) {
	t.Helper()
	ctx := context.Background()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "example.com/talker:1"}}}}
	if _, err := c.admin.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		p, err := c.admin.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		t.Fatalf("pod %s never ran: %v", name, err)
	}
	dir := t.TempDir()
	file, prev := filepath.Join(dir, "current.log"), filepath.Join(dir, "previous.log")
	start := time.Now().Add(-time.Minute)
	if err := localcluster.AppendPodLog(file, start, current...); err != nil {
		t.Fatal(err)
	}
	if err := localcluster.AppendPodLog(prev, start.Add(-time.Hour), previous...); err != nil {
		t.Fatal(err)
	}
	if err := cluster.ServePodLogs(ctx, ns, name, localcluster.PodLogFiles{File: file, Previous: prev}); err != nil {
		t.Fatal(err)
	}
	// kwok picks the Logs object up within moments.
	var got string
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		b, err := c.admin.CoreV1().Pods(ns).GetLogs(name, &corev1.PodLogOptions{}).DoRaw(ctx)
		got = string(b)
		return err == nil && strings.HasPrefix(got, current[0]+"\n"), nil
	})
	if err != nil {
		t.Fatalf("the pod's logs never came from the test's file: %q", shorten(got, 200))
	}
	return file
}

// TestLogsBrowser reads a pod's logs in Chromium through the real server:
// a hostile log shows as text, the previous container's log, a follow
// that shows appended lines (timed), search, and a user who may not read
// logs told why.
func TestLogsBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "logs-e2e")
	file := logsPod(t, c, ns, "talker", hostileLog(), []string{"why it crashed"})
	srv := c.serve(t, "127.0.0.1:0")
	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	page := srv.origin + "/apps/logs/pods/" + ns + "/talker"

	// The server cuts the long line at shared.MaxLogLineBytes.
	within(t, ctx, 60*time.Second, "the logs page shows the pod's lines",
		chromedp.Navigate(page), chromedp.WaitVisible(live),
		waitFor(jsLogText+`.includes('first line')`), waitFor(jsLogText+`.includes('long-long-long')`))
	checkHostileLogIsText(t, ctx)

	within(t, ctx, 30*time.Second, "previous container's log from the URL",
		chromedp.Navigate(page+"?previous=true"), chromedp.WaitVisible(live),
		waitFor(jsLogText+`.includes('why it crashed')`),
		waitFor(`document.querySelector('#kd-logs-previous').checked`))
	if text := eval[string](t, ctx, jsLogText); strings.Contains(text, "first line") {
		t.Errorf("the previous log shows the current one's lines")
	}
	within(t, ctx, 30*time.Second, "previous off reads the current log",
		click(chromedp.CSS("#kd-logs-previous")),
		waitFor(`!location.search.includes('previous')`),
		waitFor(jsLogText+`.includes('first line')`))

	within(t, ctx, 30*time.Second, "the drawer's Logs tab",
		chromedp.Navigate(srv.origin+"/apps/objects?kind=pods&namespace="+ns+"&name=talker"), chromedp.WaitVisible(live),
		click(chromedp.CSS("#kd-tab-Logs")),
		waitFor(`document.querySelector('#kd-drawer #kd-logs-pane').textContent.includes('first line')`),
		waitFor(`document.querySelector('#kd-logs-open').getAttribute('href') === '/apps/logs/pods/`+ns+`/talker'`))

	checkFollow(t, ctx, page, file)
	checkSearch(t, ctx)
	if errs := console.take(); len(errs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(errs, "\n"))
	}
	checkLogsForbidden(t, c, ns, chromium)
}

// checkHostileLogIsText asserts that nothing of the log became markup and
// that its text shows.
func checkHostileLogIsText(t *testing.T, ctx context.Context) {
	t.Helper()
	injected := eval[int](t, ctx, `document.querySelectorAll('#kd-logs-pane img, #kd-logs-pane script, #kd-logs-pane iframe').length`)
	if injected != 0 {
		t.Errorf("%d elements injected by the log", injected)
	}
	if p := eval[any](t, ctx, `window.__pwned === undefined ? null : window.__pwned`); p != nil {
		t.Errorf("the log ran script: __pwned = %v", p)
	}
	if title := eval[string](t, ctx, `document.title`); title != "Logs · Kubedeck" {
		t.Errorf("title %q: the OSC sequence reached it", title)
	}
	lines := eval[[]string](t, ctx, jsLogLines)
	for _, want := range []string{"<script>window.__pwned = 1</script>", `<img src=x onerror="window.__pwned = 2">`,
		"red and bold green", "after osc", "bell␇ nul␀ clear"} {
		if !slices.Contains(lines, want) {
			t.Errorf("line %q not shown as text; lines:\n%s", want, shorten(strings.Join(lines, "\n"), 2000))
		}
	}
	if red := eval[string](t, ctx, `(document.querySelector('#kd-logs-pane .kd-ansi-fg1') || {}).textContent`); red != "red" {
		t.Errorf("the red span shows %q", red)
	}
	// The long line wraps inside the pane; the page does not scroll sideways.
	if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
		t.Errorf("a long line made the page wider than the window")
	}
	visible := eval[bool](t, ctx, `(() => { const l = [...document.querySelectorAll('#kd-logs-pane .kd-log-line')].find(l => l.textContent === 'first line'); const r = l.getBoundingClientRect(); return r.height > 0 && r.width > 0 && getComputedStyle(l).visibility === 'visible'; })()`)
	if !visible {
		t.Errorf("the first line is not visible")
	}
}

// checkFollow follows the log and times appended lines from the file to
// the page: the page records when each line is added (a MutationObserver),
// the test when it wrote it.
func checkFollow(t *testing.T, ctx context.Context, page, file string) {
	t.Helper()
	within(t, ctx, 30*time.Second, "follow the log",
		chromedp.Navigate(page+"?follow=true"), chromedp.WaitVisible(live),
		waitFor(jsLogText+`.includes('first line')`),
		waitFor(`document.querySelector('#kd-logs-follow').checked`))
	eval[bool](t, ctx, `(() => {
		window.__seen = {};
		new MutationObserver(() => {
			const now = performance.timeOrigin + performance.now();
			for (const l of document.querySelectorAll('#kd-logs-pane .kd-log-line')) {
				const m = /^tick (\d+)$/.exec(l.textContent);
				if (m && !(m[1] in window.__seen)) window.__seen[m[1]] = now;
			}
		}).observe(document.querySelector('#kd-logs-pane'), {childList: true, subtree: true, characterData: true});
		return true;
	})()`)
	const n = 50
	wrote := make([]float64, n)
	for i := range n {
		at := time.Now()
		wrote[i] = float64(at.UnixNano()) / 1e6
		if err := localcluster.AppendPodLog(file, at, fmt.Sprintf("tick %d", i)); err != nil {
			t.Fatal(err)
		}
		within(t, ctx, 20*time.Second, fmt.Sprintf("tick %d shows", i), waitFor(fmt.Sprintf(`%d in window.__seen`, i)))
		time.Sleep(20 * time.Millisecond)
	}
	seen := eval[map[string]float64](t, ctx, `window.__seen`)
	var lat []time.Duration
	for i := range n {
		lat = append(lat, time.Duration((seen[fmt.Sprint(i)]-wrote[i])*1e6))
	}
	slices.Sort(lat)
	t.Logf("append to visible line, %d appends: p50 %v, p99 %v, max %v", n,
		lat[n/2].Round(time.Millisecond), lat[n*99/100].Round(time.Millisecond), lat[n-1].Round(time.Millisecond))
	if lines := eval[[]string](t, ctx, jsLogLines); slices.Index(lines, "tick 0") != slices.Index(lines, "tick 1")-1 {
		t.Errorf("appended lines out of order or shown twice")
	}
	// Pause holds what comes and counts it; resume shows it.
	within(t, ctx, 10*time.Second, "pause",
		click(chromedp.CSS("#kd-logs-pause")),
		waitFor(`document.querySelector('#kd-logs-pause').textContent.includes('0 new lines waiting')`))
	if err := localcluster.AppendPodLog(file, time.Now(), "while paused"); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 20*time.Second, "a line waits while paused",
		waitFor(`document.querySelector('#kd-logs-pause').textContent.includes('1 new line waiting')`))
	if strings.Contains(eval[string](t, ctx, jsLogText), "while paused") {
		t.Errorf("a line shows while paused")
	}
	within(t, ctx, 10*time.Second, "resume shows it",
		click(chromedp.CSS("#kd-logs-pause")), waitFor(jsLogText+`.includes('while paused')`))
}

// checkSearch searches the followed log with the keyboard.
func checkSearch(t *testing.T, ctx context.Context) {
	t.Helper()
	within(t, ctx, 10*time.Second, "/ focuses the search, Enter steps through matches",
		chromedp.Focus(chromedp.CSS("#kd-logs-pane")),
		slashDown(),
		waitFor(`document.activeElement.id === 'kd-logs-search'`),
		chromedp.KeyEvent("tick 4"),
		waitFor(`location.search.includes('search=tick+4')`),
		waitFor(`document.querySelector('#kd-logs-matches').textContent === '1 of 11'`),
		waitFor(`document.querySelector('#kd-log-current').textContent === 'tick 4'`),
		chromedp.KeyEvent(kb.Enter),
		waitFor(`document.querySelector('#kd-logs-matches').textContent === '2 of 11'`),
	)
	within(t, ctx, 10*time.Second, "Shift+Enter goes back",
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierShift)),
		waitFor(`document.querySelector('#kd-logs-matches').textContent === '1 of 11'`))
	if n := eval[int](t, ctx, `document.querySelectorAll('#kd-logs-pane mark.kd-log-match').length`); n != 11 {
		t.Errorf("%d matches marked, want 11", n)
	}
}

// slashDown presses "/" as a browser does: a keydown whose default (the
// character) the page may prevent. (chromedp.KeyEvent sends the character
// as an event of its own, which no keydown handler can stop.)
func slashDown() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191}
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkLogsForbidden opens the logs as a user who may see pods but not
// their logs: the page says which right is missing.
func checkLogsForbidden(t *testing.T, c *objectsCluster, ns, chromium string) {
	t.Helper()
	ctx := context.Background()
	const user = "no-logs-reader"
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "pods-only", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}}}}
	if _, err := c.admin.RbacV1().Roles(ns).Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "pods-only", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "pods-only"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}}}
	if _, err := c.admin.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := c.serveAs(t, "127.0.0.1:0", kube.User{Name: user})
	bctx := newBrowser(t, chromium)
	for _, follow := range []string{"", "?follow=true"} {
		within(t, bctx, 30*time.Second, "the missing right is named"+follow,
			chromedp.Navigate(srv.origin+"/apps/logs/pods/"+ns+"/talker"+follow), chromedp.WaitVisible(live),
			waitFor(`document.querySelector('#kd-logs-error') !== null`))
		msg := eval[string](t, bctx, `document.querySelector('#kd-logs-error').textContent`)
		if !strings.Contains(msg, "pods/log") {
			t.Errorf("the refusal (follow %q) does not name the right: %q", follow, msg)
		}
	}
}
