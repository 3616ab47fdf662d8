package kube

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func TestImpersonation(t *testing.T) {
	tests := []struct {
		name       string
		opts       ClientOptions
		user       User
		wantUser   string
		wantGroups []string
		wantErr    error
	}{
		{name: "groups pass as they are", user: User{Name: "alice", Groups: []string{"team-a", "data"}},
			wantUser: "alice", wantGroups: []string{"team-a", "data"}},
		{name: "prefix", opts: ClientOptions{GroupPrefix: "oidc:"}, user: User{Name: "alice", Groups: []string{"team-a"}},
			wantUser: "alice", wantGroups: []string{"oidc:team-a"}},
		{name: "system groups dropped", user: User{Name: "mallory", Groups: []string{"system:masters", "team-a", "system:nodes"}},
			wantUser: "mallory", wantGroups: []string{"team-a"}},
		{name: "system group made by the prefix dropped", opts: ClientOptions{GroupPrefix: "system:"}, user: User{Name: "mallory", Groups: []string{"masters"}},
			wantUser: "mallory"},
		{name: "system group behind the prefix dropped", opts: ClientOptions{GroupPrefix: "oidc:"}, user: User{Name: "mallory", Groups: []string{"system:masters"}},
			wantUser: "mallory"},
		{name: "allowlist", opts: ClientOptions{GroupPrefix: "oidc:", GroupAllowlist: []string{"team-a"}}, user: User{Name: "alice", Groups: []string{"team-a", "team-b"}},
			wantUser: "alice", wantGroups: []string{"oidc:team-a"}},
		{name: "blanks and repeats dropped", user: User{Name: " alice ", Groups: []string{"", "team-a", " team-a"}},
			wantUser: "alice", wantGroups: []string{"team-a"}},
		{name: "no name", user: User{Groups: []string{"team-a"}}, wantErr: ErrUnauthorized},
		{name: "system user refused", user: User{Name: "system:serviceaccount:kube-system:default"}, wantErr: ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(&rest.Config{Host: "https://127.0.0.1:1"}, tt.opts, prometheus.NewRegistry())
			if err != nil {
				t.Fatal(err)
			}
			imp, err := c.impersonation(tt.user)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if _, err := c.As(tt.user); !errors.Is(err, tt.wantErr) {
					t.Errorf("As: err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]any{tt.wantUser, tt.wantGroups}, []any{imp.UserName, imp.Groups}); diff != "" {
				t.Errorf("impersonation (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAsSharesConnections checks what the API server receives from
// impersonating clients, that they leave the base config alone, and that
// many of them share one connection.
func TestAsSharesConnections(t *testing.T) {
	var (
		mu       sync.Mutex
		conns    int
		received []string
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		func() {
			mu.Lock()
			defer mu.Unlock()
			received = append(received, r.Header.Get("Impersonate-User")+" "+strings.Join(r.Header.Values("Impersonate-Group"), ",")+" "+r.Header.Get("Authorization"))
		}()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","items":[]}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			defer mu.Unlock()
			conns++
		}
	}
	srv.StartTLS()
	defer srv.Close()

	base := &rest.Config{Host: srv.URL, BearerToken: "server-token", TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	c, err := NewClient(base, ClientOptions{GroupPrefix: "oidc:"}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	users := []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"}
	for _, name := range users {
		cs, err := c.As(User{Name: name, Groups: []string{"team"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Base().CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range users {
		want = append(want, name+" oidc:team Bearer server-token")
	}
	want = append(want, "  Bearer server-token") // the base client is itself
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(want, received); diff != "" {
		t.Errorf("user, groups, authorization received (-want +got):\n%s", diff)
	}
	if conns != 1 {
		t.Errorf("%d connections for %d clients, want 1 shared", conns, len(users)+1)
	}
	if base.Impersonate.UserName != "" || base.WrapTransport != nil || base.RateLimiter != nil {
		t.Errorf("NewClient changed the base config: %+v", base)
	}
	if n := c.RequestCount("list", "namespaces"); n != float64(len(users)+1) {
		t.Errorf("RequestCount(list, namespaces) = %v, want %d", n, len(users)+1)
	}
}

func TestAsReusesClientsets(t *testing.T) {
	c, err := NewClient(&rest.Config{Host: "https://127.0.0.1:1"}, ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	as := func(name string, groups ...string) kubernetes.Interface {
		cs, err := c.As(User{Name: name, Groups: groups})
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	first := as("alice", "team-a")
	tests := []struct {
		name string
		cs   kubernetes.Interface
		same bool
	}{
		{"same user and groups", as("alice", "team-a"), true},
		{"same after dropping system groups", as("alice", "team-a", "system:masters"), true},
		{"other groups", as("alice", "team-b"), false},
		{"no groups", as("alice"), false},
		{"other user", as("bob", "team-a"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cs == first; got != tt.same {
				t.Errorf("same clientset = %v, want %v", got, tt.same)
			}
		})
	}
}

func BenchmarkAs(b *testing.B) {
	c, err := NewClient(&rest.Config{Host: "https://127.0.0.1:1"}, ClientOptions{GroupPrefix: "oidc:"}, prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("new user", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := c.As(User{Name: "user-" + strconv.Itoa(i), Groups: []string{"team-a", "data"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("known user", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.As(User{Name: "alice", Groups: []string{"team-a", "data"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
