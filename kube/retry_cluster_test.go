package kube

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// fault is how the test proxy answers a request instead of the API server.
type fault func(w http.ResponseWriter, r *http.Request)

// statusFault answers with an API Status of this code and reason, carrying
// retryAfter in its details and, when header is set, in a Retry-After header.
func statusFault(code int, reason metav1.StatusReason, retryAfter int32, header bool) fault {
	return func(w http.ResponseWriter, r *http.Request) {
		st := metav1.Status{
			TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status:   metav1.StatusFailure, Message: "injected by the test proxy",
			Reason: reason, Code: int32(code),
		}
		if retryAfter > 0 {
			st.Details = &metav1.StatusDetails{RetryAfterSeconds: retryAfter}
			if header {
				w.Header().Set("Retry-After", strconv.Itoa(int(retryAfter)))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(st)
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter, r *http.Request) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// faultyProxy forwards to the local cluster's API server, but answers the
// first requests to one path with faults, and counts the requests to it.
type faultyProxy struct {
	srv    *httptest.Server
	path   string
	mu     sync.Mutex
	faults []fault
	seen   int
}

func newFaultyProxy(t *testing.T, path string, faults ...fault) *faultyProxy {
	t.Helper()
	target, err := url.Parse(cluster.Server())
	if err != nil {
		t.Fatal(err)
	}
	rt, err := rest.TransportFor(&rest.Config{Host: cluster.Server(),
		TLSClientConfig: rest.TLSClientConfig{CAData: cluster.AdminConfig().CAData}})
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		Transport: rt,
	}
	p := &faultyProxy{path: path, faults: faults}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == p.path {
			f := func() fault {
				p.mu.Lock()
				defer p.mu.Unlock()
				p.seen++
				var f fault
				if len(p.faults) > 0 {
					f, p.faults = p.faults[0], p.faults[1:]
				}
				return f
			}()
			if f != nil {
				f(w, r)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *faultyProxy) requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen
}

// throughProxy is cfg reaching the API server through p.
func throughProxy(cfg *rest.Config, p *faultyProxy) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Host = p.srv.URL
	cfg.TLSClientConfig = rest.TLSClientConfig{}
	return cfg
}

// namespaceReader is a user allowed to get and list namespaces, once the
// authorizer has seen the binding.
func namespaceReader(t *testing.T, base *rest.Config, name string) User {
	t.Helper()
	admin := clusterAdmin(t)
	const reader = "kubedeck-test-namespace-reader"
	applyClusterRole(t, admin, reader, []rbacv1.PolicyRule{{
		APIGroups: []string{""}, Resources: []string{"namespaces"}, Verbs: []string{"get", "list"},
	}})
	bindClusterRole(t, admin, reader, rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name})
	c, err := NewClient(base, ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	u := User{Name: name}
	pollUntil(t, "the namespace reader binding takes effect", func() error {
		_, err := c.Namespaces(context.Background(), u)
		return err
	})
	return u
}

func TestRetryThroughFaultyProxy(t *testing.T) {
	base := impersonatorConfig(t)
	reader := namespaceReader(t, base, "retry-reader")
	const (
		list = "/api/v1/namespaces"
		get  = "/api/v1/namespaces/no-such-namespace"
	)
	unavailable := statusFault(http.StatusServiceUnavailable, metav1.StatusReasonServiceUnavailable, 0, false)
	tests := []struct {
		name         string
		path         string
		user         User
		faults       []fault
		wantErr      error
		wantSeen     int // requests the proxy saw on path
		wantAttempts int // calls Retry made
		minElapsed   time.Duration
	}{
		{name: "503 twice, then through", path: list, user: reader,
			faults: []fault{unavailable, unavailable}, wantSeen: 3, wantAttempts: 3},
		{name: "503 until the retries are spent", path: list, user: reader,
			faults: []fault{unavailable, unavailable, unavailable, unavailable, unavailable}, wantErr: ErrUnavailable, wantSeen: 4, wantAttempts: 4},
		{name: "500 once", path: list, user: reader,
			faults:   []fault{statusFault(http.StatusInternalServerError, metav1.StatusReasonInternalError, 0, false)},
			wantSeen: 2, wantAttempts: 2},
		{name: "504 once", path: list, user: reader,
			faults:   []fault{statusFault(http.StatusGatewayTimeout, metav1.StatusReasonTimeout, 0, false)},
			wantSeen: 2, wantAttempts: 2},
		{name: "429 asking for 1 s in its Status", path: list, user: reader,
			faults:   []fault{statusFault(http.StatusTooManyRequests, metav1.StatusReasonTooManyRequests, 1, false)},
			wantSeen: 2, wantAttempts: 2, minElapsed: time.Second},
		{name: "429 with a Retry-After header, which client-go retries itself", path: list, user: reader,
			faults:   []fault{statusFault(http.StatusTooManyRequests, metav1.StatusReasonTooManyRequests, 1, true)},
			wantSeen: 2, wantAttempts: 1, minElapsed: time.Second},
		{name: "connection closed without an answer", path: list, user: reader,
			faults: []fault{hangUp}, wantSeen: 2},
		{name: "404 is not retried", path: get, user: reader,
			wantErr: ErrNotFound, wantSeen: 1, wantAttempts: 1},
		{name: "403 is not retried", path: list, user: User{Name: "retry-nobody"},
			wantErr: ErrForbidden, wantSeen: 1, wantAttempts: 1},
		{name: "400 is not retried", path: list, user: reader,
			faults:  []fault{statusFault(http.StatusBadRequest, metav1.StatusReasonBadRequest, 0, false)},
			wantErr: ErrInvalid, wantSeen: 1, wantAttempts: 1},
		{name: "409 is not retried", path: list, user: reader,
			faults:  []fault{statusFault(http.StatusConflict, metav1.StatusReasonConflict, 0, false)},
			wantErr: ErrConflict, wantSeen: 1, wantAttempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := newFaultyProxy(t, tt.path, tt.faults...)
			c, err := NewClient(throughProxy(base, proxy), ClientOptions{}, prometheus.NewRegistry())
			if err != nil {
				t.Fatal(err)
			}
			cs, err := c.As(tt.user)
			if err != nil {
				t.Fatal(err)
			}
			attempts := 0
			start := time.Now()
			err = fastRetry.Do(t.Context(), func(ctx context.Context) error {
				attempts++
				var err error
				if tt.path == get {
					_, err = cs.CoreV1().Namespaces().Get(ctx, "no-such-namespace", metav1.GetOptions{})
				} else {
					_, err = cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
				}
				return err
			})
			elapsed := time.Since(start)
			if err = Translate(err); !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if got := proxy.requests(); got != tt.wantSeen {
				t.Errorf("the API server was asked %d times, want %d", got, tt.wantSeen)
			}
			if tt.wantAttempts != 0 && attempts != tt.wantAttempts {
				t.Errorf("Retry called %d times, want %d", attempts, tt.wantAttempts)
			}
			if elapsed < tt.minElapsed {
				t.Errorf("took %v, want at least %v (the server's Retry-After)", elapsed, tt.minElapsed)
			}
		})
	}
}

// TestNamespacesRetries checks the whole path a handler uses: Namespaces
// through a proxy that fails twice.
func TestNamespacesRetries(t *testing.T) {
	base := impersonatorConfig(t)
	reader := namespaceReader(t, base, "retry-reader")
	unavailable := statusFault(http.StatusServiceUnavailable, metav1.StatusReasonServiceUnavailable, 0, false)
	proxy := newFaultyProxy(t, "/api/v1/namespaces", unavailable, unavailable)
	c, err := NewClient(throughProxy(base, proxy), ClientOptions{Retry: fastRetry}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	nss, err := c.Namespaces(t.Context(), reader)
	if err != nil {
		t.Fatalf("Namespaces: %v", err)
	}
	if len(nss) == 0 {
		t.Error("no namespaces")
	}
	if got := proxy.requests(); got != 3 {
		t.Errorf("the API server was asked %d times, want 3", got)
	}
	if got := c.RequestCount("list", "namespaces"); got != 3 {
		t.Errorf("RequestCount(list, namespaces) = %v, want 3 (every attempt counts)", got)
	}
}
