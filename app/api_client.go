package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// apiClient calls Kubedeck's JSON API. It decodes the envelope, retries
// idempotent requests on network errors and 5xx replies with exponential
// backoff (never on 4xx), and reports every failure it is not told to keep
// quiet through onFailure, which the layout turns into a toast.
//
// The same code runs natively (tests against httptest) and in the browser;
// only sending one request differs (send: net/http natively, the Fetch API
// in the browser, which keeps net/http's client and its TLS stack, about
// 5 MB, out of the WASM).
type apiClient struct {
	root      string // URL prefix of the API, e.g. "https://host/v2/api/v1"
	send      sender
	retry     retryPolicy
	onFailure func(error)
	onReach   func(reachable bool)
	onSignIn  func()
}

// retryPolicy is how often and how patiently idempotent requests are retried.
type retryPolicy struct {
	attempts int           // total tries, at least 1
	first    time.Duration // wait before the second try; doubled after each
}

// By default a call is tried three times, waiting 300 ms, then 600 ms.
const (
	defaultAttempts  = 3
	defaultFirstWait = 300 * time.Millisecond
)

// sender sends one request, with the JSON payload when it is not nil, and
// returns the reply. Its error is a network error: no reply came.
type sender func(ctx context.Context, method, url string, payload []byte) (reply, error)

// reply is what the client reads of an HTTP reply.
type reply struct {
	status int
	body   []byte
}

// Bounds on one request: its whole duration and the reply's size.
const (
	requestTimeout = 30 * time.Second
	maxReply       = 16 << 20
)

// statusLine is how a reply's status reads in a message ("404 Not Found").
func statusLine(status int) string { return fmt.Sprintf("%d %s", status, http.StatusText(status)) }

// newAPIClient returns a client for the API under root ("…/api/v1").
func newAPIClient(root string) *apiClient {
	return &apiClient{
		root:  strings.TrimSuffix(root, "/"),
		send:  send,
		retry: retryPolicy{attempts: defaultAttempts, first: defaultFirstWait},
	}
}

// Retry sets the retry policy (tests shorten it).
func (c *apiClient) Retry(attempts int, first time.Duration) *apiClient {
	c.retry = retryPolicy{attempts: max(attempts, 1), first: first}
	return c
}

// OnFailure sets what happens with every failure not marked quiet.
func (c *apiClient) OnFailure(f func(error)) *apiClient {
	c.onFailure = f
	return c
}

// OnUnauthorized sets what happens when the server answers 401
// UNAUTHORIZED (the session ended): the layout shows the sign-in prompt once
// instead of a toast per failed call. Without it a 401 is a failure like
// any other.
func (c *apiClient) OnUnauthorized(f func()) *apiClient {
	c.onSignIn = f
	return c
}

// OnReach sets what learns whether the server answered at all, for the
// connection indicator.
func (c *apiClient) OnReach(f func(reachable bool)) *apiClient {
	c.onReach = f
	return c
}

// callOption adjusts one call.
type callOption func(*call)

// call is one request as the options shaped it.
type call struct {
	quiet       bool
	quietStatus []int
}

// quiet keeps every failure of this call out of the toasts; the caller shows
// it itself.
func quiet() callOption { return func(c *call) { c.quiet = true } }

// quietOn keeps replies with these statuses out of the toasts (for example a
// 404 the caller expects).
func quietOn(statuses ...int) callOption {
	return func(c *call) { c.quietStatus = append(c.quietStatus, statuses...) }
}

// replyError is a failed reply: its HTTP status and what the server said.
// Its message is written for people.
type replyError struct {
	Status int
	API    shared.Error
}

func (e *replyError) Error() string { return e.API.Message }

// networkError is a request that got no reply at all.
type networkError struct{ cause error }

func (e *networkError) Error() string {
	return "Kubedeck's server cannot be reached; check your connection. (" + e.cause.Error() + ")"
}

func (e *networkError) Unwrap() error { return e.cause }

// apiGet fetches path and decodes the envelope's data into a T.
func apiGet[T any](ctx context.Context, c *apiClient, path string, opts ...callOption) (T, error) {
	var out T
	err := c.do(ctx, http.MethodGet, path, nil, &out, opts...)
	return out, err
}

// post sends body as JSON to path and decodes the reply's data into out
// (which may be nil). A POST is never retried: it may not be idempotent.
func (c *apiClient) post(ctx context.Context, path string, body, out any, opts ...callOption) error {
	return c.do(ctx, http.MethodPost, path, body, out, opts...)
}

// do runs one call with its retries and reports its outcome.
func (c *apiClient) do(ctx context.Context, method, path string, body, out any, opts ...callOption) error {
	var cl call
	for _, o := range opts {
		o(&cl)
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("encode request for %s: %w", path, err)
		}
	}
	tries := 1
	if idempotent(method) {
		tries = max(c.retry.attempts, 1)
	}
	wait := c.retry.first
	var err error
	for try := 1; ; try++ {
		err = c.once(ctx, method, path, payload, out)
		if err == nil || try == tries || !retryable(err) || ctx.Err() != nil {
			break
		}
		if !sleep(ctx, wait) {
			err = &networkError{cause: ctx.Err()}
			break
		}
		wait *= 2
	}
	c.reached(err)
	switch {
	case err == nil:
	case c.onSignIn != nil && unauthorized(err):
		c.onSignIn()
	case c.onFailure != nil && !cl.silences(err):
		c.onFailure(err)
	}
	return err
}

// once sends one request and decodes its reply.
func (c *apiClient) once(ctx context.Context, method, path string, payload []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	resp, err := c.send(ctx, method, c.root+path, payload)
	if err != nil {
		return &networkError{cause: err}
	}
	var env shared.Envelope
	if jerr := json.Unmarshal(resp.body, &env); jerr != nil {
		if resp.status >= 400 {
			return &replyError{Status: resp.status, API: shared.Error{
				Code:    codeForStatus(resp.status),
				Message: "The server answered " + statusLine(resp.status) + ".",
			}}
		}
		return &replyError{Status: resp.status, API: shared.Error{
			Code: shared.CodeInternal, Message: "The server's reply could not be read.",
		}}
	}
	if !env.Success || resp.status >= 400 {
		apiErr := shared.Error{Code: codeForStatus(resp.status),
			Message: "The server answered " + statusLine(resp.status) + "."}
		if env.Error != nil && env.Error.Message != "" {
			apiErr = *env.Error
		}
		return &replyError{Status: resp.status, API: apiErr}
	}
	if out != nil && len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, out); err != nil {
			return &replyError{Status: resp.status, API: shared.Error{
				Code: shared.CodeInternal, Message: "The server's reply did not have the expected shape.",
			}}
		}
	}
	return nil
}

// reached tells onReach whether the server answered: any reply below 500
// means it did; a network error or a 5xx (a proxy in front of a server that
// is down, or a server that cannot serve) means it did not.
func (c *apiClient) reached(err error) {
	if c.onReach == nil {
		return
	}
	var re *replyError
	switch {
	case err == nil:
		c.onReach(true)
	case errors.As(err, &re):
		c.onReach(re.Status < 500)
	case errors.Is(err, context.Canceled):
		// The caller gave up; that says nothing about the server.
	default:
		c.onReach(false)
	}
}

// silences reports whether this call keeps err out of the toasts.
func (cl call) silences(err error) bool {
	if cl.quiet || errors.Is(err, context.Canceled) {
		return true
	}
	var re *replyError
	return errors.As(err, &re) && slices.Contains(cl.quietStatus, re.Status)
}

// unauthorized says whether err is the server's 401: no identity came
// with the request.
func unauthorized(err error) bool {
	var re *replyError
	return errors.As(err, &re) && re.Status == http.StatusUnauthorized
}

// idempotent methods may be sent again without changing the outcome. A
// PUT or DELETE of Kubedeck's API starts an operation (an upgrade, an
// uninstall): sent again after a 5xx or a lost reply, it finds the first
// running and answers 409 or 404, an error for what went well. So only
// reads are retried; the user retries a write, knowing what happened.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead:
		return true
	}
	return false
}

// retryable errors are worth another try: no reply, or a 5xx.
func retryable(err error) bool {
	var re *replyError
	if errors.As(err, &re) {
		return re.Status >= 500
	}
	var ne *networkError
	return errors.As(err, &ne)
}

// codeForStatus is the error code of a reply that did not carry one.
func codeForStatus(status int) shared.Code {
	for _, c := range shared.Codes {
		if c.HTTPStatus() == status {
			return c
		}
	}
	return shared.CodeInternal
}

// sleep waits d, or less when ctx ends first (then it reports false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
