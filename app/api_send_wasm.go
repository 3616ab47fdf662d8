//go:build wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// send is the browser's sender, over the Fetch API. Linking net/http's
// client instead would bring its whole transport (HTTP/2, TLS, x509) into
// the WASM, only to call fetch in the end.
func send(ctx context.Context, method, url string, payload []byte) (reply, error) {
	abort := js.Global().Get("AbortController").New()
	headers := map[string]any{"Accept": "application/json"}
	init := map[string]any{"method": method, "headers": headers, "signal": abort.Get("signal")}
	if payload != nil {
		headers["Content-Type"] = "application/json"
		body := js.Global().Get("Uint8Array").New(len(payload))
		js.CopyBytesToJS(body, payload)
		init["body"] = body
	}
	resp, err := await(ctx, abort, js.Global().Call("fetch", url, init))
	if err != nil {
		return reply{}, err
	}
	buf, err := await(ctx, abort, resp.Call("arrayBuffer"))
	if err != nil {
		return reply{}, err
	}
	n := buf.Get("byteLength").Int()
	if n > maxReply {
		return reply{}, fmt.Errorf("the reply has %d bytes, more than %d", n, maxReply)
	}
	raw := make([]byte, n)
	js.CopyBytesToGo(raw, js.Global().Get("Uint8Array").New(buf))
	return reply{status: resp.Get("status").Int(), body: raw}, nil
}

// await waits for a promise of fetch; when ctx ends first it aborts the
// request and returns ctx's error. The callbacks are released once the
// promise settles, which an abort makes it do, never before: a released
// callback that the promise still calls crashes the program.
func await(ctx context.Context, abort, promise js.Value) (js.Value, error) {
	type outcome struct {
		v   js.Value
		err error
	}
	done := make(chan outcome, 1)
	var ok, failed js.Func
	settle := func(o outcome) {
		done <- o
		ok.Release()
		failed.Release()
	}
	ok = js.FuncOf(func(_ js.Value, args []js.Value) any {
		settle(outcome{v: args[0]})
		return nil
	})
	failed = js.FuncOf(func(_ js.Value, args []js.Value) any {
		settle(outcome{err: errors.New(args[0].Call("toString").String())})
		return nil
	})
	promise.Call("then", ok, failed)
	select {
	case o := <-done:
		return o.v, o.err
	case <-ctx.Done():
		abort.Call("abort")
		return js.Value{}, ctx.Err()
	}
}
