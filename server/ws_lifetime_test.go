package server

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// A subscription whose right to list is taken away while it lives gets an
// error FORBIDDEN naming it at the next re-authorization, and no event
// after it; the connection and its other subscriptions go on.
func TestWSReauthRevokes(t *testing.T) {
	var revoked atomic.Bool // team-a's pods, once set
	authorize := func(ctx context.Context, u kube.User, k *kube.Kind, namespace string) error {
		if revoked.Load() && namespace == "team-a" {
			return fmt.Errorf("synthetic authorizer: %w", kube.ErrForbidden)
		}
		return syntheticAuthorizer(ctx, u, k, namespace)
	}
	const every = 100 * time.Millisecond
	s, ts := newSyntheticHubServerWith(t, Config{TrustedProxies: loopbackProxies, ShutdownTimeout: 5 * time.Second,
		WebSocket: WebSocketConfig{ReauthInterval: every}}, authorize)
	c := dialWS(t, ts, "alice")
	c.subscribe("a", "pods", "team-a")
	c.subscribe("b", "pods", "team-b")
	time.Sleep(3 * every) // re-authorized and kept while allowed
	s.hub.publish(syntheticEvent(kube.Created, "team-a", 1, "Pending"))
	c.expectNext("a", "uid-team-a-1")

	revoked.Store(true)
	start := time.Now()
	m, err := c.read(20 * every)
	if err != nil {
		t.Fatalf("no message within %v of the revocation: %v", 20*every, err)
	}
	if m.Type != shared.WSError || m.Error == nil || m.Error.Code != shared.CodeForbidden || m.Sub != "a" ||
		!strings.Contains(m.Error.Message, `pods in namespace "team-a"`) || !strings.Contains(m.Error.Message, `"a"`) {
		t.Fatalf("got %+v (error %+v), want FORBIDDEN for subscription \"a\" naming pods in team-a", m, m.Error)
	}
	t.Logf("revoked after %v (re-authorization every %v)", time.Since(start).Round(time.Millisecond), every)
	s.hub.publish(syntheticEvent(kube.Updated, "team-a", 1, "Running"))
	s.hub.publish(syntheticEvent(kube.Created, "team-b", 2, "Pending"))
	c.expectNext("b", "uid-team-b-2") // and nothing of "a" before it
	if st := s.hub.stats(); st.subs != 1 {
		t.Errorf("hub holds %d subscriptions after the revocation, want 1", st.subs)
	}
	// The connection forgot the subscription: its id is free, and a new
	// subscription is refused as any would be.
	c.send(subMsg("a", "pods", "team-a"))
	if m := c.next(); m.Type != shared.WSError || m.Error.Code != shared.CodeForbidden {
		t.Fatalf("subscribing again: got %+v (error %+v), want FORBIDDEN", m, m.Error)
	}
	c.sync()
}

// A connection ends at its maximum lifetime: a reconnect message, then the
// close code that tells the client to reconnect at once.
func TestWSMaxLifetime(t *testing.T) {
	const lifetime = time.Second
	s, ts := newSyntheticHubServer(t, WebSocketConfig{MaxLifetime: lifetime})
	start := time.Now()
	c := dialWS(t, ts, "alice")
	c.subscribe("p", "pods", "team-a")
	m, err := c.read(5 * lifetime)
	if err != nil {
		t.Fatalf("no message within %v: %v", 5*lifetime, err)
	}
	if m.Type != shared.WSReconnect {
		t.Fatalf("got %+v, want reconnect", m)
	}
	_, err = c.read(5 * time.Second)
	if got := websocket.CloseStatus(err); got != shared.WSCloseReconnect {
		t.Fatalf("connection ended with %v, want close status %d", err, shared.WSCloseReconnect)
	}
	if took := time.Since(start); took < lifetime*8/10 || took > 3*lifetime {
		t.Errorf("closed after %v, want about %v", took, lifetime)
	}
	waitHub(t, s, 0)
	dialWS(t, ts, "alice").subscribe("p", "pods", "team-a") // the client comes back
}

// A connection made with an ID token closes when the token expires, with
// an UNAUTHORIZED error first; one made through the proxy headers does
// not.
func TestWSSignInExpiry(t *testing.T) {
	is := newIssuer(t)
	cfg := oidcConfig(is)
	cfg.TrustedProxies = loopbackProxies
	cfg.ShutdownTimeout = 5 * time.Second
	s, ts := newSyntheticHubServerWith(t, cfg, syntheticAuthorizer)
	expires := time.Now().Add(2 * time.Second).Truncate(time.Second) // exp has whole seconds
	token := is.token(t, is.key, map[string]any{"sub": "u-1", "preferred_username": "alice", "exp": expires.Unix()})
	c, _, err := tryDialWS(t, ts, "", dialOptions{bearer: token})
	if err != nil {
		t.Fatalf("dial with an ID token: %v", err)
	}
	proxied := dialWS(t, ts, "bob")
	c.subscribe("p", "pods", "team-a")

	m, err := c.read(10 * time.Second)
	if err != nil {
		t.Fatalf("no message before the token's expiry: %v", err)
	}
	want := shared.WSMessage{Type: shared.WSError, Error: &shared.Error{Code: shared.CodeUnauthorized,
		Message: "Your sign-in has expired; sign in again to see live updates."}}
	if diff := cmp.Diff(want, m.WSMessage); diff != "" {
		t.Fatalf("message at expiry (-want +got):\n%s", diff)
	}
	_, err = c.read(5 * time.Second)
	if got := websocket.CloseStatus(err); got != shared.WSCloseSignInExpired {
		t.Fatalf("connection ended with %v, want close status %d", err, shared.WSCloseSignInExpired)
	}
	if early := time.Until(expires); early > 100*time.Millisecond {
		t.Errorf("closed %v before the token expired", early)
	}
	if late := time.Since(expires); late > 2*time.Second {
		t.Errorf("closed %v after the token expired", late)
	}
	proxied.sync() // still open
	waitHub(t, s, 1)
	// The expired token no longer opens a connection.
	if _, resp, err := tryDialWS(t, ts, "", dialOptions{bearer: token}); err == nil {
		t.Error("a connection was accepted with the expired token")
	} else if resp == nil || resp.StatusCode != 401 {
		t.Errorf("dial with the expired token: %v, want a 401", err)
	}
}

// deployment:progress carries its pod-derived message only to users who
// may list pods in the namespace; others get the phase and counts.
func TestWSProgressPodText(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	full := dialWS(t, ts, "alice")
	full.subscribe("d", "deployments", "team-a")
	blind := dialWS(t, ts, "nopods")
	blind.subscribe("d", "deployments", "team-a")
	prog := shared.DeploymentProgress{Namespace: "team-a", Name: "web", Phase: shared.PhaseFailed, Desired: 2,
		Message: `Image "registry.example/secret-name:1" cannot be pulled: 401 from registry.example`}
	s.hub.publishProgress(prog)
	redacted := prog
	redacted.Message = podTextWithheld
	tests := []struct {
		name string
		c    *wsClient
		want shared.DeploymentProgress
	}{
		{"may list pods", full, prog},
		{"may not list pods", blind, redacted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.c.next()
			if m.Type != shared.WSProgress || m.Progress == nil {
				t.Fatalf("got %+v, want deployment:progress", m)
			}
			if diff := cmp.Diff(tt.want, *m.Progress); diff != "" {
				t.Errorf("progress (-want +got):\n%s", diff)
			}
		})
	}
	// A rollout that is not stuck has no message to withhold.
	s.hub.publishProgress(shared.DeploymentProgress{Namespace: "team-a", Name: "ok", Phase: shared.PhaseAvailable})
	if m := blind.next(); m.Progress == nil || m.Progress.Message != "" {
		t.Errorf("got %+v, want progress without a message", m.Progress)
	}
}
