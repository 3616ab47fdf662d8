//go:build !wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/server"
	"github.com/kubedeck/kubedeck/shared"
)

// requestLog records the requests the page sends, as the DevTools
// protocol reports them (Network.requestWillBeSent).
type requestLog struct {
	mu     sync.Mutex
	reqs   []seenRequest
	failed []string // "404 http://…": the replies with an error status
}

type seenRequest struct {
	at   time.Time
	what string // "GET http://…/api/v1/deployments"
}

func watchRequests(t *testing.T, ctx context.Context) *requestLog {
	t.Helper()
	l := &requestLog{}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable the network domain: %v", err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			l.mu.Lock()
			defer l.mu.Unlock()
			l.reqs = append(l.reqs, seenRequest{at: time.Now(), what: e.Request.Method + " " + e.Request.URL})
		case *network.EventResponseReceived:
			if e.Response != nil && e.Response.Status >= 400 {
				l.mu.Lock()
				defer l.mu.Unlock()
				l.failed = append(l.failed, fmt.Sprint(e.Response.Status, " ", e.Response.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return l
}

// since lists the requests sent after t.
func (l *requestLog) since(t time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.reqs {
		if !r.at.Before(t) {
			out = append(out, r.what)
		}
	}
	return out
}

// failures lists the replies with an error status.
func (l *requestLog) failures() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.failed)
}

// last is when the last request whose text ends with suffix was sent.
func (l *requestLog) last(suffix string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.reqs) - 1; i >= 0; i-- {
		if strings.HasSuffix(l.reqs[i].what, suffix) {
			return l.reqs[i].at
		}
	}
	return time.Time{}
}

// quietMoment waits for a moment when no background request is due for a
// while: just after the apps were listed again (every 5 s), with the
// server's version (every 30 s) not about to be asked.
func (l *requestLog) quietMoment(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		apps := l.last("/api/v1/deployments")
		if v := l.last("/api/v1/version"); !apps.IsZero() && time.Since(apps) < 400*time.Millisecond &&
			time.Since(apps) > 150*time.Millisecond && time.Since(v) > time.Second && time.Since(v) < 25*time.Second {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no quiet moment between the page's background requests")
}

// setField empties a field as a user would, then types text in it.
func setField(id, text string) chromedp.Action[chromedp.Void] {
	clear := chromedp.Evaluate[chromedp.Void](`(() => { const el = document.getElementById(` + jsString(id) + `);
		el.focus(); el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})); })()`)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := clear(ctx, tg); err != nil {
			return err
		}
		if text == "" {
			return nil
		}
		// The field has focus (clear gave it); typing into the focused
		// element needs no node lookup. (SendKeys reads the node's
		// attributes while chromedp's event loop writes them: a data
		// race under -race.)
		_, err := chromedp.KeyEvent(text)(ctx, tg)
		return err
	})
}

// typeInto focuses field id and types text into it as key events.
// chromedp.SendKeys would look the node up and read its attributes while
// chromedp's event loop writes them as the page re-renders: a data race
// under -race.
func typeInto(id, text string) chromedp.Action[chromedp.Void] {
	focus := chromedp.Evaluate[chromedp.Void](`document.getElementById(` + jsString(id) + `).focus()`)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := focus(ctx, tg); err != nil {
			return err
		}
		_, err := chromedp.KeyEvent(text)(ctx, tg)
		return err
	})
}

// next presses Next and waits for the step.
func next(step wizardStep) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, a := range []chromedp.Action[chromedp.Void]{
			waitFor(`!document.querySelector('#deploy-next').disabled`),
			click(chromedp.CSS("#deploy-next")),
			waitFor(`document.querySelector('#deploy-wizard').dataset.step === ` + jsString(step.name())),
		} {
			if _, err := a(ctx, tg); err != nil {
				return err
			}
		}
		return nil
	})
}

// TestDeployWizardBrowser deploys an app through the wizard in Chromium,
// against a real server on the local cluster (kwok runs its Pods): errors
// show as the user types without a request, the form survives a reload,
// the preview is the server's YAML, and the progress follows the rollout
// to Available, then the app is listed and deleted.
func TestDeployWizardBrowser(t *testing.T) {
	chromium := needBrowser(t)
	c := newObjectsCluster(t)
	ns := c.namespaceFor(t, "deploy-e2e")
	cfg := kube.DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
	cfg.Domain = "apps.test"
	origin := serveKubedeck(t, server.Config{Auth: server.AuthConfig{
		Mode: server.AuthDev, DevUser: kube.User{Name: objectsDevUser, Groups: []string{"developers"}},
	}}, server.Deps{Kube: c.client, Objects: c.objects, Access: c.access,
		Operations: operations.NewMemory(operations.MemoryOptions{}),
		Deploy:     kube.NewDeploySettings(cfg, nil)})

	ctx := newBrowser(t, chromium)
	console := watchConsole(ctx)
	requests := watchRequests(t, ctx)
	start := time.Now()
	within(t, ctx, 90*time.Second, "open the wizard",
		chromedp.Navigate(origin+"/apps/deploy"), chromedp.WaitVisible(live),
		chromedp.WaitVisible(chromedp.CSS("#deploy-name")),
		waitFor(`document.querySelector('#deploy-apps .kd-state-empty, #deploy-apps table') !== null`))
	t.Logf("the wizard is usable %v after navigation", time.Since(start).Round(time.Millisecond))
	// The namespaces offered are those the user may deploy to; the one
	// chosen is remembered (localStorage) for the next visit.
	if !eval[bool](t, ctx, `[...document.querySelectorAll('#deploy-namespace option')].some(o => o.value === `+jsString(ns)+`)`) {
		t.Fatalf("the test's namespace %s is not offered", ns)
	}
	eval[chromedp.Void](t, ctx, `(() => { const s = document.getElementById("deploy-namespace");
		s.value = `+jsString(ns)+`; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	within(t, ctx, 10*time.Second, "choose the namespace",
		waitFor(`localStorage.getItem(`+jsString(namespaceStorageKey)+`) === `+jsString(`"`+ns+`"`)))

	checkErrorsAsTyped(t, ctx, requests)

	within(t, ctx, 10*time.Second, "fill in Basics",
		setField("deploy-name", "web"),
		setField("deploy-image", "nginx:1.27"),
		setField("deploy-port", "8080"),
		setField("deploy-replicas", "2"),
		waitFor(`document.querySelector('#deploy-name-error').textContent === ""`),
		waitFor(`!document.querySelector('#deploy-next').disabled`),
		waitFor(`document.querySelector('#deploy-step-basics').dataset.errors !== "true"`))

	// A reload keeps what was typed.
	within(t, ctx, 60*time.Second, "reload mid-form",
		chromedp.Reload(), chromedp.WaitVisible(live), chromedp.WaitVisible(chromedp.CSS("#deploy-name")))
	got := eval[[]string](t, ctx, `["name", "namespace", "image", "port", "replicas"].map(f => document.getElementById("deploy-" + f).value)`)
	if diff := strings.Join(got, " "); diff != "web "+ns+" nginx:1.27 8080 2" {
		t.Errorf("after the reload the fields hold %q", got)
	}

	checkPhoneWidth(t, ctx, "Basics")

	within(t, ctx, 10*time.Second, "Exposure: public, with its address",
		next(stepExposure),
		click(chromedp.CSS("#deploy-exposure-public")),
		waitFor(`(document.querySelector('#deploy-url') || {}).textContent?.includes(`+jsString("web."+ns+".apps.test")+`)`))
	within(t, ctx, 10*time.Second, "Resources: the small preset",
		next(stepResources),
		click(chromedp.CSS("#deploy-preset-small")),
		waitFor(`document.querySelector('#deploy-cpuRequest').value === "250m"`))
	within(t, ctx, 10*time.Second, "Enter in a field is Next",
		typeInto("deploy-cpuRequest", kb.Enter),
		waitFor(`document.querySelector('#deploy-wizard').dataset.step === "command"`),
		waitFor(`document.activeElement.id === "deploy-step-title"`))
	within(t, ctx, 10*time.Second, "Command and environment: one variable typed, one pasted",
		click(chromedp.CSS("#deploy-env-add")),
		chromedp.WaitVisible(chromedp.CSS("#deploy-env-0-name")),
		typeInto("deploy-env-0-name", "GREETING"),
		typeInto("deploy-env-0-value", "hello"),
		typeInto("deploy-envPaste", "DEBUG=1"),
		waitFor(`!document.querySelector('#deploy-env-paste').disabled`),
		click(chromedp.CSS("#deploy-env-paste")),
		waitFor(`(document.getElementById("deploy-env-1-name") || {}).value === "DEBUG"`))
	within(t, ctx, 10*time.Second, "Volumes: none", next(stepVolumes))
	within(t, ctx, 60*time.Second, "Review: the server's preview and verdicts",
		next(stepReview),
		chromedp.WaitVisible(chromedp.CSS("#deploy-yaml")),
		chromedp.WaitVisible(chromedp.CSS("#deploy-verdicts")),
		waitFor(`!document.querySelector('#deploy-create').disabled`))

	checkPhoneWidth(t, ctx, "Review")

	// The preview is exactly what the server answers for the same spec.
	small := shared.DefaultDeploymentConfig().Presets[0]
	spec := shared.DeploymentSpec{Name: "web", Namespace: ns, Image: "nginx:1.27", Port: 8080, Replicas: 2,
		Exposure: shared.ExposePublic, CPURequest: small.CPURequest, CPULimit: small.CPULimit,
		MemoryRequest: small.MemoryRequest, MemoryLimit: small.MemoryLimit,
		Env: []shared.EnvVar{{Name: "GREETING", Value: "hello"}, {Name: "DEBUG", Value: "1"}}}
	want := validateSpec(t, origin, spec)
	if !want.Valid || want.YAML == "" {
		t.Fatalf("the server finds the spec not valid: %s", want.Errors)
	}
	if preview := eval[string](t, ctx, `document.querySelector('#deploy-yaml pre').textContent`); preview != want.YAML {
		t.Errorf("the preview differs from the server's YAML.\npreview:\n%s\nserver:\n%s", preview, want.YAML)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#deploy-verdicts tbody tr[data-allowed="true"]').length`); n != len(want.Verdicts) {
		t.Errorf("%d verdicts say allowed, want all %d", n, len(want.Verdicts))
	}

	start = time.Now()
	within(t, ctx, 10*time.Second, "Create", click(chromedp.CSS("#deploy-create")),
		chromedp.WaitVisible(chromedp.CSS("#deploy-progress")))
	within(t, ctx, 120*time.Second, "the rollout reaches Available, with a success toast",
		waitFor(`document.querySelector('#deploy-progress').dataset.phase === "Available" &&
			[...document.querySelectorAll('.kd-toast-success')].some(t => t.textContent.includes("is available"))`))
	t.Logf("Available %v after Create: %q", time.Since(start).Round(time.Millisecond),
		eval[string](t, ctx, `document.querySelector('#deploy-progress').textContent`))
	progress := eval[string](t, ctx, `document.querySelector('#deploy-progress').textContent`)
	for _, w := range []string{"2 of 2 replicas ready", "Deployment web", "Service web", "Ingress web", "http://web." + ns + ".apps.test/"} {
		if !strings.Contains(progress, w) {
			t.Errorf("the progress view lacks %q:\n%s", w, progress)
		}
	}
	if href := eval[string](t, ctx, `document.querySelector('#deploy-progress-objects').getAttribute('href')`); href != "/apps/objects?kind=deployments&namespace="+ns+"&name=web" {
		t.Errorf("objects link %q", href)
	}
	if draft := eval[string](t, ctx, `String(sessionStorage.getItem(`+jsString(draftStorageKey)+`))`); draft != "null" {
		t.Errorf("the draft is kept after Create: %s", draft)
	}
	row := `#deploy-apps tr[data-name="web"][data-namespace=` + jsString(ns) + `]`
	within(t, ctx, 30*time.Second, "the app is listed in My apps",
		waitFor(`document.querySelector(`+jsString(row)+`) !== null`),
		waitFor(`document.querySelector(`+jsString(row)+`).dataset.phase === "Available"`))

	within(t, ctx, 10*time.Second, "Delete asks first",
		// In the middle of the window: the toasts sit in its bottom corner.
		chromedp.Evaluate[chromedp.Void](`document.getElementById(`+jsString("deploy-app-delete-"+ns+"-web")+`).scrollIntoView({block: "center"})`),
		click(chromedp.CSS("#deploy-app-delete-"+ns+"-web")),
		chromedp.WaitVisible(chromedp.CSS("#kd-confirm")))
	within(t, ctx, 20*time.Second, "delete it",
		click(chromedp.CSS("#kd-confirm-delete")),
		waitFor(`[...document.querySelectorAll('.kd-toast-success')].some(t => t.textContent.includes("is being deleted"))`))
	start = time.Now()
	within(t, ctx, 60*time.Second, "the app leaves My apps", waitFor(`document.querySelector(`+jsString(row)+`) === null`))
	t.Logf("the app left My apps %v after the delete", time.Since(start).Round(time.Millisecond))
	if errs := console.take(); len(errs) > 0 {
		t.Errorf("console errors:\n%s\nfailed replies: %v", strings.Join(errs, "\n"), requests.failures())
	}
}

// checkErrorsAsTyped types an invalid name: its error shows right after
// the first key (within 500 ms, however busy the machine), the page sends no request meanwhile, and Next stays
// disabled.
func checkErrorsAsTyped(t *testing.T, ctx context.Context, requests *requestLog) {
	t.Helper()
	eval[chromedp.Void](t, ctx, `(() => {
		const input = document.getElementById("deploy-name"), error = document.getElementById("deploy-name-error");
		window.kdKeyAt = 0; window.kdErrorAt = 0;
		input.addEventListener("keydown", () => { if (!window.kdKeyAt) window.kdKeyAt = performance.now(); }, {capture: true});
		new MutationObserver(() => {
			if (!window.kdErrorAt && error.textContent !== "") window.kdErrorAt = performance.now();
		}).observe(error, {childList: true, characterData: true, subtree: true});
	})()`)
	requests.quietMoment(t)
	from := time.Now()
	within(t, ctx, 5*time.Second, "type an invalid name",
		typeInto("deploy-name", "Web"),
		waitFor(`document.getElementById("deploy-name-error").textContent !== ""`),
		waitFor(`document.getElementById("deploy-name").value === "Web"`))
	sent := requests.since(from)
	took := eval[float64](t, ctx, `window.kdErrorAt - window.kdKeyAt`)
	t.Logf("the name's error showed %.1f ms after the first key; %d requests meanwhile", took, len(sent))
	// The proof that the check runs in the page is that no request was
	// sent; the time is logged, and bounded only loosely, since a busy CI
	// machine under -race took 150 ms once (speed is for benchmarks).
	if took < 0 || took > 500 {
		t.Errorf("the error showed %.1f ms after the key, want within 500 ms", took)
	}
	if len(sent) > 0 {
		t.Errorf("typing sent requests: %v", sent)
	}
	msg := eval[string](t, ctx, `document.getElementById("deploy-name-error").textContent`)
	if want := shared.FieldError(shared.DeploymentSpec{Name: "Web"}.Validate(), "name"); msg != want {
		t.Errorf("the error says %q, want %q", msg, want)
	}
	if !eval[bool](t, ctx, `document.querySelector('#deploy-next').disabled &&
		document.querySelector('#deploy-step-basics').dataset.errors === "true" &&
		document.getElementById("deploy-name").getAttribute("aria-invalid") === "true"`) {
		t.Error("with an invalid name Next is enabled, or the step or field is not marked")
	}
}

// validateSpec asks the server, as the page does, what it makes of spec.
func validateSpec(t *testing.T, origin string, spec shared.DeploymentSpec) shared.DeploymentValidation {
	t.Helper()
	body, _ := json.Marshal(spec)
	resp, err := http.Post(origin+"/api/v1/deployments/validate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env shared.Envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.Success {
		t.Fatalf("POST validate: %s %v %+v", resp.Status, err, env.Error)
	}
	var v shared.DeploymentValidation
	if err := json.Unmarshal(env.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// checkPhoneWidth: at 360 px the page does not overflow sideways (wide
// parts, the YAML and the tables, scroll inside their boxes).
func checkPhoneWidth(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	within(t, ctx, 10*time.Second, "360 px wide", chromedp.EmulateViewport(360, 740),
		chromedp.WaitVisible(chromedp.CSS("#deploy-wizard")))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("%s: the page is %d px wide at a 360 px viewport; too wide: %s", where, w, eval[string](t, ctx,
			`[...document.querySelectorAll("#page-deploy *")].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join("; ")`))
	}
	within(t, ctx, 10*time.Second, "back to the wide viewport", chromedp.EmulateViewport(wideWidth, wideHeight))
}
