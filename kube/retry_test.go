package kube

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fastRetry is the default policy with waits short enough for tests.
var fastRetry = RetryPolicy{Retries: 3, Delay: 5 * time.Millisecond, Factor: 2, MaxRetryAfter: 10 * time.Second}

func TestRetryPolicyDo(t *testing.T) {
	unavailable := apierrors.NewServiceUnavailable("etcd is down")
	notFound := apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, "x")
	tests := []struct {
		name      string
		failures  []error // what the calls return before succeeding
		wantCalls int
		wantErr   error
	}{
		{name: "success at once", wantCalls: 1},
		{name: "503 twice then success", failures: []error{unavailable, unavailable}, wantCalls: 3},
		{name: "retries spent", failures: []error{unavailable, unavailable, unavailable, unavailable, unavailable}, wantCalls: 4, wantErr: unavailable},
		{name: "404 is not retried", failures: []error{notFound}, wantCalls: 1, wantErr: notFound},
		{name: "403 is not retried", failures: []error{apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("no"))}, wantCalls: 1},
		{name: "409 is not retried", failures: []error{apierrors.NewConflict(schema.GroupResource{Resource: "pods"}, "p", errors.New("changed"))}, wantCalls: 1},
		{name: "422 is not retried", failures: []error{apierrors.NewInvalid(schema.GroupKind{Kind: "Pod"}, "p", nil)}, wantCalls: 1},
		{name: "400 is not retried", failures: []error{apierrors.NewBadRequest("no")}, wantCalls: 1},
		{name: "401 is not retried", failures: []error{apierrors.NewUnauthorized("no")}, wantCalls: 1},
		{name: "timeout then 404", failures: []error{apierrors.NewTimeoutError("slow", 0), notFound}, wantCalls: 2, wantErr: notFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := fastRetry.Do(t.Context(), func(context.Context) error {
				calls++
				if calls <= len(tt.failures) {
					return tt.failures[calls-1]
				}
				return nil
			})
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
			wantErr := tt.wantErr
			if wantErr == nil && tt.wantCalls == len(tt.failures) {
				wantErr = tt.failures[len(tt.failures)-1]
			}
			if err != wantErr {
				t.Errorf("err = %v, want %v", err, wantErr)
			}
		})
	}
}

func TestRetryWaitsGrow(t *testing.T) {
	p := RetryPolicy{Retries: 3, Delay: 20 * time.Millisecond, Factor: 2}
	var at []time.Time
	_ = p.Do(t.Context(), func(context.Context) error {
		at = append(at, time.Now())
		return apierrors.NewServiceUnavailable("down")
	})
	if len(at) != 4 {
		t.Fatalf("calls = %d, want 4", len(at))
	}
	for i, want := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond} {
		if got := at[i+1].Sub(at[i]); got < want {
			t.Errorf("wait %d = %v, want at least %v", i+1, got, want)
		}
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	calls := 0
	start := time.Now()
	err := fastRetry.Do(t.Context(), func(context.Context) error {
		calls++
		if calls == 1 {
			return apierrors.NewTooManyRequests("slow down", 1)
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("err = %v after %d calls, want success after 2", err, calls)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("waited %v, want the 1 s the server asked for", waited)
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	t.Run("canceled during the wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		p := RetryPolicy{Retries: 3, Delay: time.Hour, Factor: 2}
		calls := 0
		done := make(chan error)
		go func() {
			done <- p.Do(ctx, func(context.Context) error {
				calls++
				return apierrors.NewServiceUnavailable("down")
			})
		}()
		time.Sleep(20 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !apierrors.IsServiceUnavailable(err) || calls != 1 {
				t.Errorf("err = %v after %d calls, want the 503 after 1", err, calls)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Do did not return when its context was canceled")
		}
	})
	t.Run("deadline before the next try", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		p := RetryPolicy{Retries: 3, Delay: time.Second, Factor: 2}
		calls := 0
		start := time.Now()
		err := p.Do(ctx, func(context.Context) error {
			calls++
			return apierrors.NewServiceUnavailable("down")
		})
		if !apierrors.IsServiceUnavailable(err) || calls != 1 {
			t.Errorf("err = %v after %d calls, want the 503 after 1", err, calls)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("Do took %v; it should give up at once when the wait outlasts the deadline", d)
		}
	})
}

func TestDefaultRetryPolicy(t *testing.T) {
	p := DefaultRetryPolicy()
	b := p.backoff()
	var waits []time.Duration
	for range p.Retries {
		waits = append(waits, b.Step())
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}
	if diff := cmp.Diff(want, waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}
