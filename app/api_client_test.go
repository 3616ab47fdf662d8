package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// flakyAPI answers like Kubedeck's server: the first `failures` requests get
// status `fail` (with an error envelope), the rest succeed.
func flakyAPI(t *testing.T, failures int32, fail int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if n <= failures {
			w.WriteHeader(fail)
			_ = json.NewEncoder(w).Encode(shared.Envelope{Error: &shared.Error{
				Code: shared.CodeUnavailable, Message: "The cluster is not answering (try " + r.Method + ").",
			}})
			return
		}
		_ = json.NewEncoder(w).Encode(shared.Envelope{Success: true, Data: json.RawMessage(`{"version":"v9"}`)})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestAPIClientRetries(t *testing.T) {
	tests := []struct {
		name      string
		failures  int32
		status    int
		method    string
		wantCalls int32
		wantErr   string
		reached   []bool
	}{
		{"two 503s then an answer", 2, http.StatusServiceUnavailable, http.MethodGet, 3, "", []bool{true}},
		{"three 503s: gives up", 5, http.StatusServiceUnavailable, http.MethodGet, 3,
			"The cluster is not answering (try GET).", []bool{false}},
		{"404 is not retried", 5, http.StatusNotFound, http.MethodGet, 1,
			"The cluster is not answering (try GET).", []bool{true}},
		{"409 is not retried", 5, http.StatusConflict, http.MethodDelete, 1,
			"The cluster is not answering (try DELETE).", []bool{true}},
		{"PUT is not retried: it starts an operation", 1, http.StatusBadGateway, http.MethodPut, 1,
			"The cluster is not answering (try PUT).", []bool{false}},
		{"DELETE is not retried: it starts an operation", 1, http.StatusServiceUnavailable, http.MethodDelete, 1,
			"The cluster is not answering (try DELETE).", []bool{false}},
		{"POST is never retried", 1, http.StatusServiceUnavailable, http.MethodPost, 1,
			"The cluster is not answering (try POST).", []bool{false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, calls := flakyAPI(t, tc.failures, tc.status)
			var failures []string
			var reached []bool
			c := newAPIClient(srv.URL).Retry(3, time.Millisecond).
				OnFailure(func(err error) { failures = append(failures, err.Error()) }).
				OnReach(func(ok bool) { reached = append(reached, ok) })
			var got shared.Version
			err := c.do(context.Background(), tc.method, "/version", map[string]int{}, &got)
			if calls.Load() != tc.wantCalls {
				t.Errorf("%d requests, want %d", calls.Load(), tc.wantCalls)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if got.Version != "v9" || len(failures) != 0 {
					t.Errorf("got %+v with toasts %q", got, failures)
				}
			} else {
				var re *replyError
				if !errors.As(err, &re) || re.Status != tc.status || re.API.Code != shared.CodeUnavailable {
					t.Errorf("error %#v, want a replyError with status %d", err, tc.status)
				}
				if diff := cmp.Diff([]string{tc.wantErr}, failures); diff != "" {
					t.Errorf("toasts (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.reached, reached); diff != "" {
				t.Errorf("reachability (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAPIClientNetworkErrorIsRetriedAndSaysSo(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	var failures []error
	var reached []bool
	c := newAPIClient(url).Retry(3, time.Millisecond).
		OnFailure(func(err error) { failures = append(failures, err) }).
		OnReach(func(ok bool) { reached = append(reached, ok) })
	start := time.Now()
	_, err := apiGet[shared.Version](context.Background(), c, "/version")
	var ne *networkError
	if !errors.As(err, &ne) {
		t.Fatalf("error %v, want a networkError", err)
	}
	if time.Since(start) < 3*time.Millisecond {
		t.Errorf("no backoff between tries")
	}
	if len(failures) != 1 || !errors.Is(failures[0], ne.cause) {
		t.Errorf("toasts %v, want the one network error", failures)
	}
	if diff := cmp.Diff([]bool{false}, reached); diff != "" {
		t.Errorf("reachability (-want +got):\n%s", diff)
	}
}

func TestAPIClientQuietCallsMakeNoToast(t *testing.T) {
	srv, _ := flakyAPI(t, 10, http.StatusNotFound)
	var failures []string
	c := newAPIClient(srv.URL).Retry(3, time.Millisecond).
		OnFailure(func(err error) { failures = append(failures, err.Error()) })
	for _, opt := range []callOption{quiet(), quietOn(http.StatusNotFound)} {
		if _, err := apiGet[shared.Me](context.Background(), c, "/me", opt); err == nil {
			t.Error("no error for a 404")
		}
	}
	if len(failures) != 0 {
		t.Errorf("toasts %q, want none", failures)
	}
}

func TestAPIClientFailureBecomesAToast(t *testing.T) {
	srv, _ := flakyAPI(t, 1, http.StatusNotFound)
	l := newLayout()
	c := newAPIClient(srv.URL).OnFailure(func(err error) { l.showError(err) })
	if _, err := apiGet[shared.Version](context.Background(), c, "/version"); err == nil {
		t.Fatal("no error")
	}
	load(t, l)
	if err := app.Match(app.Div().Class("kd-toast kd-toast-error"), l, at(pathToasts, 0)...); err != nil {
		t.Errorf("error toast: %v", err)
	}
	if err := app.Match(app.Text("The cluster is not answering (try GET)."), l, at(pathToasts, 0, 0, 0)...); err != nil {
		t.Errorf("toast text is not the server's message: %v", err)
	}
}

func TestAPIClientReplyWithoutEnvelope(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
	}))
	defer srv.Close()
	c := newAPIClient(srv.URL).Retry(1, 0)
	_, err := apiGet[shared.Version](context.Background(), c, "/version")
	var re *replyError
	if !errors.As(err, &re) || re.API.Code != shared.CodeK8sAPI || re.Error() != "The server answered 502 Bad Gateway." {
		t.Errorf("error %#v", err)
	}
}
