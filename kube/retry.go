package kube

import (
	"context"
	"errors"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
)

// RetryPolicy says how often and how patiently a transient failure is
// retried. The zero value means DefaultRetryPolicy.
type RetryPolicy struct {
	// Retries is how many times a call is repeated after the first failure.
	Retries int
	// Delay is the wait before the first retry; each later wait is Factor
	// times the one before.
	Delay  time.Duration
	Factor float64
	// MaxRetryAfter caps how long a server's Retry-After is honoured.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy waits 1 s, 2 s and 4 s between attempts: three retries
// after the first call, at most four calls and seven seconds of waiting.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Retries: 3, Delay: time.Second, Factor: 2, MaxRetryAfter: 10 * time.Second}
}

// Retry calls fn until it succeeds, fails for good, or the default policy's
// retries are spent. See RetryPolicy.Do.
func Retry(ctx context.Context, fn func(context.Context) error) error {
	return DefaultRetryPolicy().Do(ctx, fn)
}

// Do calls fn, and calls it again after a backoff when it fails with a
// transient error: a timeout, 429 Too Many Requests, a 5xx answer, a refused
// or reset connection, a connection closed mid-answer. Other errors (400,
// 401, 403, 404, 409, 422) return at once. A server's Retry-After (the
// RetryAfterSeconds of its Status) lengthens the wait. Do stops when ctx is
// done or when the next wait would outlast ctx's deadline, returning fn's
// last error. Use it for reads and idempotent calls only.
//
// client-go retries on its own a 429 or 5xx answer that carries a
// Retry-After header; Do covers the rest.
func (p RetryPolicy) Do(ctx context.Context, fn func(context.Context) error) error {
	if p == (RetryPolicy{}) {
		p = DefaultRetryPolicy()
	}
	backoff := p.backoff()
	for retries := 0; ; retries++ {
		err := fn(ctx)
		if err == nil || retries >= p.Retries || !Retriable(err) || ctx.Err() != nil {
			return err
		}
		delay := backoff.Step()
		if s, ok := apierrors.SuggestsClientDelay(err); ok && s > 0 {
			limit := p.MaxRetryAfter
			if limit <= 0 {
				limit = DefaultRetryPolicy().MaxRetryAfter
			}
			delay = max(delay, min(time.Duration(s)*time.Second, limit))
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// backoff is the policy as apimachinery's Backoff, whose Step gives the
// successive waits.
func (p RetryPolicy) backoff() wait.Backoff {
	return wait.Backoff{Duration: p.Delay, Factor: p.Factor, Steps: p.Retries + 1}
}

// Retriable says whether err is a transient failure worth another try. It
// accepts errors from client-go and the ones Translate returns.
func Retriable(err error) bool {
	if err == nil {
		return false
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		st := status.Status()
		switch {
		case apierrors.IsTooManyRequests(err), apierrors.IsServerTimeout(err), apierrors.IsTimeout(err):
			return true
		case st.Code >= http.StatusInternalServerError && st.Code != http.StatusNotImplemented:
			return true
		}
		return false
	}
	return transient(err)
}
