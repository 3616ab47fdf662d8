//go:build !wasm

package main

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/chromedp/chromedp"

	"github.com/kubedeck/kubedeck/internal/headless"
)

// chromiumProcesses is the test binary's Chromium: one process, started by
// the first browser test and closed by TestMain. Each test opens its own
// browser context in it (newBrowser), so cookies, storage, caches and
// service workers stay apart between tests while the process starts once.
var chromiumProcesses = &chromiumProcess{}

// chromiumProcess is one Chromium with the flags of COMMON.md and a fresh
// profile, started on first use and again if it has gone.
type chromiumProcess struct {
	mu     sync.Mutex
	ctx    context.Context // its first tab's; a child context opens a tab in it
	cancel func()
	dir    string
}

// browser is the running process's context, starting Chromium at path
// first when none runs.
func (p *chromiumProcess) browser(path string) (context.Context, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx != nil && p.ctx.Err() == nil {
		return p.ctx, nil
	}
	p.closeLocked() // gone (a crash): start another
	dir, err := os.MkdirTemp("", "kubedeck-chromium-")
	if err != nil {
		return nil, err
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), headless.Options(path, dir)...)
	ctx, cancel := chromedp.NewContext(actx)
	p.ctx, p.dir = ctx, dir
	p.cancel = func() {
		cancel()
		cancelAlloc()
	}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		p.closeLocked()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	return ctx, nil
}

// close stops the process, if one runs, and removes its profile.
func (p *chromiumProcess) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeLocked()
}

func (p *chromiumProcess) closeLocked() {
	if p.cancel != nil {
		p.cancel()
	}
	if p.dir != "" {
		_ = os.RemoveAll(p.dir)
	}
	p.ctx, p.cancel, p.dir = nil, nil, ""
}
