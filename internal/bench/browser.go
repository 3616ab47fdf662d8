package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/kubedeck/kubedeck/internal/headless"
)

// probeScript runs in the page before any of its own scripts. It records,
// in performance.now() milliseconds from the navigation: when the
// WebAssembly module was handed to instantiateStreaming (or instantiate)
// and when it was ready, and when the first row of the resource table was
// in the document.
const probeScript = `(() => {
  const b = window.__bench = {};
  const wrap = (name) => {
    const orig = WebAssembly[name];
    if (!orig) return;
    WebAssembly[name] = async function (...args) {
      if (b.wasmStart === undefined) b.wasmStart = performance.now();
      const r = await orig.apply(this, args);
      if (b.wasmReady === undefined) b.wasmReady = performance.now();
      return r;
    };
  };
  ["instantiateStreaming", "instantiate", "compileStreaming", "compile"].forEach(wrap);
  const seen = () => {
    if (b.firstRow === undefined && document.querySelector("tr.kd-row")) {
      b.firstRow = performance.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(seen);
  obs.observe(document, {childList: true, subtree: true});
})();`

// collectScript returns the probe's findings and the resource timing of
// app.wasm.
const collectScript = `(() => {
  const b = window.__bench;
  const w = performance.getEntriesByType("resource").find(e => /app\.wasm/.test(e.name));
  return {
    firstRow: b.firstRow, wasmStart: b.wasmStart, wasmReady: b.wasmReady,
    wasmFetchStart: w ? w.startTime : -1, wasmResponseEnd: w ? w.responseEnd : -1,
    wasmTransferSize: w ? w.transferSize : -1, wasmWorker: w ? w.workerStart > 0 : false,
  };
})()`

// pageLoad is one load of the pods page, in milliseconds from navigation.
type pageLoad struct {
	FirstRow float64 `json:"first_row_ms"`
	// WasmTransfer is the fetch of app.wasm, request to last byte.
	WasmTransfer float64 `json:"wasm_transfer_ms"`
	// WasmInstantiate runs from the call of instantiateStreaming (the
	// fetch starts with it) until the module is ready, so it includes the
	// transfer; WasmAfterTransfer is the part after the last byte came.
	WasmInstantiate   float64 `json:"wasm_instantiate_ms"`
	WasmAfterTransfer float64 `json:"wasm_after_transfer_ms"`
	// WasmBytes is what crossed the network for app.wasm (0 from the
	// service worker's cache); FromWorker says the worker answered.
	WasmBytes  float64 `json:"wasm_transfer_bytes"`
	FromWorker bool    `json:"from_service_worker"`
}

type probe struct {
	FirstRow         *float64 `json:"firstRow"`
	WasmStart        *float64 `json:"wasmStart"`
	WasmReady        *float64 `json:"wasmReady"`
	WasmFetchStart   float64  `json:"wasmFetchStart"`
	WasmResponseEnd  float64  `json:"wasmResponseEnd"`
	WasmTransferSize float64  `json:"wasmTransferSize"`
	WasmWorker       bool     `json:"wasmWorker"`
}

func (p probe) load() (pageLoad, error) {
	if p.FirstRow == nil || p.WasmStart == nil || p.WasmReady == nil || p.WasmResponseEnd < 0 {
		return pageLoad{}, fmt.Errorf("the page was not seen loading app.wasm and showing a row: %+v", p)
	}
	if *p.FirstRow < *p.WasmReady {
		return pageLoad{}, fmt.Errorf("a row was in the page (%.0f ms) before app.wasm ran (%.0f ms): prerendered rows cannot be timed", *p.FirstRow, *p.WasmReady)
	}
	return pageLoad{
		FirstRow: *p.FirstRow, WasmTransfer: p.WasmResponseEnd - p.WasmFetchStart,
		WasmInstantiate: *p.WasmReady - *p.WasmStart, WasmAfterTransfer: max(*p.WasmReady-p.WasmResponseEnd, 0),
		WasmBytes: p.WasmTransferSize, FromWorker: p.WasmWorker,
	}, nil
}

// browserLoads loads the pods page of origin in Chromium: for each of
// runs fresh profiles, once cold and then warm reloads times, once the
// service worker is ready.
func browserLoads(ctx context.Context, chromium, origin string, runs, reloads int) (cold, warm []pageLoad, err error) {
	target := origin + "/apps/objects?kind=pods&namespace=all"
	for range runs {
		c, w, err := browserRun(ctx, chromium, target, reloads)
		if err != nil {
			return nil, nil, err
		}
		cold = append(cold, c)
		warm = append(warm, w...)
	}
	return cold, warm, nil
}

// browserRun starts Chromium with a fresh profile, loads target cold,
// then warm reloads times.
func browserRun(ctx context.Context, chromium, target string, reloads int) (cold pageLoad, warm []pageLoad, err error) {
	dir, err := os.MkdirTemp("", "kubedeck-bench-chromium-")
	if err != nil {
		return cold, nil, err
	}
	defer os.RemoveAll(dir)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, headless.Options(chromium, dir)...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()                            // closes the browser
	if err := chromedp.Do(bctx); err != nil { // starts the browser
		return cold, nil, fmt.Errorf("start chromium: %w", err)
	}
	if _, err := chromedp.Call(bctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: probeScript}); err != nil {
		return cold, nil, err
	}
	if cold, err = loadOnce(bctx, target); err != nil {
		return cold, nil, fmt.Errorf("cold load: %w", err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`navigator.serviceWorker.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		return cold, nil, fmt.Errorf("service worker: %w", err)
	}
	for range reloads {
		w, err := loadOnce(bctx, target)
		if err != nil {
			return cold, nil, fmt.Errorf("warm load: %w", err)
		}
		warm = append(warm, w)
	}
	return cold, warm, nil
}

// loadOnce navigates to target and waits up to a minute for the first row.
func loadOnce(ctx context.Context, target string) (pageLoad, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Navigate(target), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`window.__bench && window.__bench.firstRow !== undefined`,
			chromedp.WithPollingInterval(20*time.Millisecond))(ctx, t)
		return err
	}))
	if err != nil {
		return pageLoad{}, err
	}
	p, err := chromedp.Run(ctx, chromedp.Evaluate[probe](collectScript))
	if err != nil {
		return pageLoad{}, err
	}
	return p.load()
}

// identityProxy plays oauth2-proxy for the browser: it forwards to the
// server with the proxy secret and a user, so the page loads as that user.
type identityProxy struct {
	srv *http.Server
	url string
}

func startIdentityProxy(s *server, user string) (*identityProxy, error) {
	upstream, err := url.Parse(s.url)
	if err != nil {
		return nil, err
	}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(upstream)
		r.Out.Host = r.In.Host // the server checks Host and Origin against each other
		setIdentity(r.Out.Header, s.secret, user)
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &identityProxy{srv: &http.Server{Handler: rp, ReadHeaderTimeout: 10 * time.Second}, url: "http://" + ln.Addr().String()}
	go func() {
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "identity proxy:", err)
		}
	}()
	return p, nil
}

func (p *identityProxy) stop() { _ = p.srv.Close() }
