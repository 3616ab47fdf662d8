package kube

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/transport"
)

// dynamicAs is a dynamic client that acts as u, like As, on the shared
// connection pool. It is built for one call (it costs a few microseconds,
// and writes are rare) so that warns, when not nil, collects the warnings
// the API server sends with that call's answers and no other's.
func (c *Client) dynamicAs(u User, warns *warnings) (dynamic.Interface, error) {
	imp, err := c.impersonation(u)
	if err != nil {
		return nil, err
	}
	cfg := rest.CopyConfig(c.userConfig)
	if warns != nil {
		cfg.WarningHandlerWithContext = warns
	}
	hc := &http.Client{
		Transport: transport.NewImpersonatingRoundTripper(imp, c.transport),
		Timeout:   c.userTimeout,
	}
	dc, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, fmt.Errorf("impersonating dynamic client: %w", err)
	}
	return dc, nil
}

// warnings collects the API server's Warning headers for one call, each
// once, in the order they came.
type warnings struct {
	mu   sync.Mutex
	list []string
}

// HandleWarningHeaderWithContext implements rest.WarningHandlerWithContext.
func (w *warnings) HandleWarningHeaderWithContext(_ context.Context, code int, _ string, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Contains(w.list, text) {
		w.list = append(w.list, text)
	}
}

// all is the warnings collected so far.
func (w *warnings) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.list)
}
