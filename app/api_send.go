//go:build !wasm

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// send is the native sender, over net/http (the tests' client).
func send(ctx context.Context, method, url string, payload []byte) (reply, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return reply{}, fmt.Errorf("build request %s %s: %w", method, url, err)
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, body: raw}, nil
}
