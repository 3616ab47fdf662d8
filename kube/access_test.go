package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	authv1 "k8s.io/api/authorization/v1"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/kube/cache"
	"github.com/kubedeck/kubedeck/kube/cache/redistest"
)

// reviewServer is a fake API server that answers access reviews (subject
// and self) with allow, holding each answer for delay. It counts the reviews
// and the most it had in flight at once, per user and in all.
type reviewServer struct {
	srv   *httptest.Server
	allow func(user string, attrs *authv1.ResourceAttributes) bool
	delay time.Duration

	mu        sync.Mutex
	reviews   int
	inFlight  map[string]int
	maxOfUser map[string]int
	total     int
	maxTotal  int
}

func newReviewServer(t *testing.T, delay time.Duration, allow func(user string, attrs *authv1.ResourceAttributes) bool) *reviewServer {
	t.Helper()
	rs := &reviewServer{allow: allow, delay: delay, inFlight: map[string]int{}, maxOfUser: map[string]int{}}
	rs.srv = httptest.NewServer(http.HandlerFunc(rs.serve))
	t.Cleanup(rs.srv.Close)
	return rs
}

func (rs *reviewServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/readyz" {
		_, _ = w.Write([]byte("ok"))
		return
	}
	var review struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
		Spec       struct {
			User               string                     `json:"user"`
			ResourceAttributes *authv1.ResourceAttributes `json:"resourceAttributes"`
		} `json:"spec"`
		Status authv1.SubjectAccessReviewStatus `json:"status"`
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "accessreviews") ||
		json.NewDecoder(r.Body).Decode(&review) != nil {
		http.Error(w, "not a review", http.StatusBadRequest)
		return
	}
	user := review.Spec.User
	if user == "" { // a self review: the user is the impersonated one
		user = r.Header.Get("Impersonate-User")
	}
	rs.enter(user)
	defer rs.leave(user)
	time.Sleep(rs.delay)
	review.Status.Allowed = rs.allow(user, review.Spec.ResourceAttributes)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}

func (rs *reviewServer) enter(user string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.reviews++
	rs.inFlight[user]++
	rs.total++
	rs.maxOfUser[user] = max(rs.maxOfUser[user], rs.inFlight[user])
	rs.maxTotal = max(rs.maxTotal, rs.total)
}

func (rs *reviewServer) leave(user string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.inFlight[user]--
	rs.total--
}

// count is how many reviews the server has answered or is answering.
func (rs *reviewServer) count() int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.reviews
}

// client is a Client on the fake server with this QPS and burst (zero: the
// defaults), speaking JSON (the fake does not read protobuf).
func (rs *reviewServer) client(t *testing.T, qps float32, burst int) *Client {
	t.Helper()
	cfg := &rest.Config{Host: rs.srv.URL, QPS: qps, Burst: burst,
		ContentConfig: rest.ContentConfig{ContentType: "application/json"}}
	c, err := NewClient(cfg, ClientOptions{}, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAccessIgnoresForgedDecisions writes into a real Redis what someone
// with write access to it could: the value "1" under the key an attacker can
// compute for a decision, another user's stored allow, garbage. None of it
// may grant access: the fake API server denies the victim, so every answer
// must be a denial, reached by a review.
func TestAccessIgnoresForgedDecisions(t *testing.T) {
	srv := redistest.Start(t)
	store, err := cache.NewRedis(cache.RedisOptions{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	attacker := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: srv.Password()})
	t.Cleanup(func() { _ = attacker.Close() })

	rs := newReviewServer(t, 0, func(user string, _ *authv1.ResourceAttributes) bool { return user == "admin" })
	a := NewAccess(rs.client(t, 0, 0), AccessOptions{TTL: time.Minute, Cache: cache.Named(store, "access", nil)})
	ctx := context.Background()
	pods := Resource{Resource: "pods"}
	victim := User{Name: "mallory"}
	redisKey := func(u User, namespace string) string {
		return "kubedeck:access:" + accessKey(u.Name, []string{allAuthenticated}, "list", pods, namespace, "")
	}
	if ok, err := a.Allowed(ctx, User{Name: "admin"}, "list", pods, "team-a"); err != nil || !ok {
		t.Fatalf("admin: %v, %v; want allowed", ok, err)
	}
	adminAllow, err := attacker.Get(ctx, redisKey(User{Name: "admin"}, "team-a")).Bytes()
	if err != nil {
		t.Fatalf("the admin's decision is not in Redis under the expected key: %v", err)
	}

	tests := []struct {
		name   string
		forged []byte
	}{
		{"the plain value 1", []byte("1")},
		{"another user's allow, copied", adminAllow},
		{"garbage", []byte("1\x00forged-signature-0123456789abcdef0123456789abcdef")},
		{"empty", []byte{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := fmt.Sprintf("team-%d", i)
			if err := attacker.Set(ctx, redisKey(victim, ns), tt.forged, time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			before := rs.count()
			ok, err := a.Allowed(ctx, victim, "list", pods, ns)
			if err != nil || ok {
				t.Errorf("with a forged decision in Redis: allowed %v, err %v; want a denial", ok, err)
			}
			if rs.count() != before+1 {
				t.Errorf("%d reviews made, want 1: the forged value must be ignored", rs.count()-before)
			}
		})
	}
}

// TestAccessReviewsBounded makes many reviews for two users at once against
// a slow API server: one user never has more than reviewsPerUser in flight,
// and all users together never more than the global bound, whether the
// reviews come from Access (SubjectAccessReviews) or SelfAccess
// (SelfSubjectAccessReviews).
func TestAccessReviewsBounded(t *testing.T) {
	rs := newReviewServer(t, 20*time.Millisecond, func(string, *authv1.ResourceAttributes) bool { return false })
	c := rs.client(t, 1000, 1000)
	c.reviews = newReviewGate(reviewsPerUser, 6)
	a := NewAccess(c, AccessOptions{Parallel: 16})
	self := NewSelfAccess(c, 0)
	ctx := context.Background()
	namespaces := make([]string, 24)
	for i := range namespaces {
		namespaces[i] = fmt.Sprintf("ns-%d", i)
	}
	var wg sync.WaitGroup
	for _, name := range []string{"alice", "bob"} {
		wg.Go(func() {
			if _, err := a.Scope(ctx, User{Name: name}, "list", Resource{Resource: "pods"}, namespaces); err != nil {
				t.Errorf("Scope as %s: %v", name, err)
			}
		})
		wg.Go(func() {
			if _, err := self.Permissions(ctx, User{Name: name}, "ns-0"); err != nil {
				t.Errorf("Permissions as %s: %v", name, err)
			}
		})
	}
	wg.Wait()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	got := map[string]int{"alice": rs.maxOfUser["alice"], "bob": rs.maxOfUser["bob"], "all": rs.maxTotal}
	want := map[string]int{"alice": reviewsPerUser, "bob": reviewsPerUser, "all": 6}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("most reviews in flight at once (-want +got):\n%s", diff)
	}
}

// TestReviewsDoNotDrainInformerBudget spends the whole client-side request
// budget of access reviews; Kubedeck's own requests (informers, readiness)
// draw on a budget of their own, which must still have room.
func TestReviewsDoNotDrainInformerBudget(t *testing.T) {
	rs := newReviewServer(t, 0, func(string, *authv1.ResourceAttributes) bool { return true })
	c := rs.client(t, 0.001, 2) // two requests, then one every 1000 s
	a := NewAccess(c, AccessOptions{})
	ctx := context.Background()
	for _, ns := range []string{"a", "b"} {
		if _, err := a.Allowed(ctx, User{Name: "alice"}, "list", Resource{Resource: "pods"}, ns); err != nil {
			t.Fatal(err)
		}
	}
	if !c.base.CoreV1().RESTClient().GetRateLimiter().TryAccept() {
		t.Error("two access reviews used up the budget of Kubedeck's own requests (informers, readiness)")
	}
}
