//go:build !wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/server"
	"github.com/kubedeck/kubedeck/web"
)

// testServer is Kubedeck's server running in this process.
type testServer struct {
	origin string // http://127.0.0.1:port
	logs   *syncBuffer
	stop   func()
}

func startServer(t *testing.T, base, version string) *testServer {
	t.Helper()
	return startServerAt(t, "127.0.0.1:0", base, version)
}

// startServerAt starts the server on addr (a new build in the same place).
func startServerAt(t *testing.T, addr, base, version string) *testServer {
	t.Helper()
	wi, err := server.InspectWeb(web.FS)
	if err != nil {
		t.Fatal(err)
	}
	ui, err := buildAppHandler(appHandlerConfig{basePath: base, version: version, web: wi, testRoutes: true})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg := server.Config{BasePath: base, Version: version, Auth: server.AuthConfig{
		Mode: server.AuthDev, DevUser: kube.User{Name: "ada", Groups: []string{"developers"}},
	}}
	srv, err := server.New(cfg,
		server.Deps{Log: slog.New(slog.NewJSONHandler(logs, nil)), UI: ui, Web: web.FS})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &testServer{origin: "http://" + ln.Addr().String(), logs: logs, stop: stop}
}

// newBrowser opens a tab in a browser context of its own (a fresh profile:
// no cookies, storage, caches or service workers of another test) in the
// test binary's Chromium, started with the flags of COMMON.md on first use.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	parent, err := chromiumProcesses.browser(chromium)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(wideWidth, wideHeight)); err != nil { // opens the tab
		t.Fatalf("open a tab in chromium: %v", err)
	}
	return ctx
}

// consoleErrors collects the page's console errors and uncaught exceptions.
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func watchConsole(ctx context.Context) *consoleErrors {
	c := &consoleErrors{}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type != chromedp.ConsoleError && !m.IsException() {
				continue
			}
			func() {
				c.mu.Lock()
				defer c.mu.Unlock()
				c.msgs = append(c.msgs, m.String())
			}()
		}
	}()
	return c
}

func (c *consoleErrors) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.msgs
	c.msgs = nil
	return out
}

// within runs steps with a deadline, failing the test with what was tried.
func within(t *testing.T, ctx context.Context, d time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("%s: %v\nthe page then: %s", what, err, pageState(ctx))
	}
}

// pageState says where the page is, for a failure's message: its URL, the
// focused element, the checked boxes and the toasts shown.
func pageState(ctx context.Context) string {
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	state, err := chromedp.Run(sctx, chromedp.Evaluate[string](`JSON.stringify({
		url: location.href,
		focus: document.activeElement ? document.activeElement.tagName + "#" + document.activeElement.id : "",
		checked: [...document.querySelectorAll("input[type=checkbox]:checked")].map(b => b.id),
		toasts: [...document.querySelectorAll(".kd-toast")].map(t => t.textContent),
		dialog: document.querySelector("[role=dialog], [role=alertdialog]")?.textContent ?? "",
	})`))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return state
}

func eval[T any](t *testing.T, ctx context.Context, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitAcrossLoads waits until expr is true while the page may be replaced
// (an evaluation can land between two documents and fail).
func waitAcrossLoads(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second) // a loaded CI machine once took over 20 s
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`Boolean(`+expr+`)`))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor waits until the JavaScript expression is true.
//
// An expression that throws (an element not there yet, as during a
// reload, when the old page's marks may still show) counts as false until
// it holds, instead of failing at once: CI met that race after a reload.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	guarded := `(() => { try { return Boolean(` + expr + `); } catch (e) { return false; } })()`
	poll := chromedp.Poll[bool](guarded, chromedp.WithPollingInterval(20*time.Millisecond))
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := poll(ctx, t); err != nil {
			return fmt.Errorf("waiting for %s: %w", shorten(expr, 300), err)
		}
		return nil
	})
}

// shorten cuts s to at most n bytes for a message, saying it did.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// needBrowser is the path of Chromium for a browser test, with the app's
// routes registered; it skips the test, saying how to get what is missing,
// without Chromium or a built app.wasm (`make test` provides both).
func needBrowser(t *testing.T) string {
	t.Helper()
	if _, err := fs.Stat(web.FS, "app.wasm.gz"); err != nil {
		t.Skip("web/app.wasm is not built into this test binary: run `make wasm` (or `make test`) first")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed: run `make test` (it installs it) or `apt-get install chromium`")
	}
	registerRoutes()
	return chromium
}

// checkTableRows fails the test unless the rows of the table that
// selector names are laid out as a table's: each row's cells side by side
// on one line (a stylesheet rule meant for other rows once made them a
// grid of stacked cells).
func checkTableRows(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	bad := eval[[]string](t, ctx, `[...document.querySelectorAll(`+jsString(selector+" tbody tr")+`)].filter(r =>
		getComputedStyle(r).display !== "table-row" ||
		new Set([...r.cells].map(c => Math.round(c.getBoundingClientRect().top))).size !== 1
	).map(r => r.textContent.slice(0, 60))`)
	if len(bad) > 0 {
		t.Errorf("rows of %s not laid out as table rows: %q", selector, bad)
	}
}

// click clicks the first visible node sel matches, as chromedp.Click does,
// and tries again when a render replaced the node between finding it and
// clicking it (go-app re-renders a drawer while /me or a watch answers;
// CI met "Could not find node with given id" so).
func click[S chromedp.Selectable](sel S, opts ...chromedp.QueryOption) chromedp.Action[chromedp.Void] {
	once := chromedp.Click(sel, opts...)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			_, err := once(ctx, t)
			if err == nil || !nodeWentAway(err) || ctx.Err() != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return err
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// nodeWentAway reports whether err says the node found was gone (replaced
// by a render) by the time it was used.
func nodeWentAway(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Could not find node with given id") ||
		strings.Contains(msg, "Node is detached from document") ||
		strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Could not compute box model") ||
		errors.Is(err, chromedp.ErrInvalidBoxModel)
}
