//go:build !wasm

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/internal/chartpod"
	"github.com/kubedeck/kubedeck/internal/idptest"
	"github.com/kubedeck/kubedeck/shared"
)

// signedInClient signs user in through the deployed pod's proxy with an
// HTTP client that keeps cookies, as a browser does.
func signedInClient(t *testing.T, d *deployedPod, user string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	req, _ := http.NewRequest("GET", d.URL()+"/", nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, _, err := d.provider.SubmitLogin(c, string(page), user); err != nil {
		t.Fatal(err)
	}
	return c
}

// proxiedGet is a GET of the API through the proxy, as the page's client sends it.
func proxiedGet(t *testing.T, c *http.Client, url string) (int, shared.Envelope) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env shared.Envelope
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("GET %s: %d, not an envelope: %.300s", url, resp.StatusCode, body)
	}
	return resp.StatusCode, env
}

// TestDeployedProxySecretMismatch: an oauth2-proxy that sends another
// secret than Kubedeck's (here its file changed after Kubedeck read its
// own) gets Kubedeck's 401, never a 502 and never the user's data, and
// Kubedeck's log says why.
func TestDeployedProxySecretMismatch(t *testing.T) {
	t.Parallel() // its own namespace, Redis, provider, proxy and Kubedeck
	d := startDeployed(t, deployedOptions{users: []idptest.User{journeyAlice}, beforeProxy: func(p *chartpod.Pod) {
		path := p.Kubedeck.Getenv("KUBEDECK_PROXY_SECRET_FILE")
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("another-secret-0123456789abcdef"), 0o600); err != nil {
			t.Fatal(err)
		}
	}})
	c := signedInClient(t, d, "alice")
	status, env := proxiedGet(t, c, d.URL()+"/api/v1/me")
	if status != http.StatusUnauthorized || env.Error == nil || env.Error.Code != shared.CodeUnauthorized {
		t.Fatalf("/me with a mismatched secret: %d %+v, want Kubedeck's 401", status, env.Error)
	}
	if strings.Contains(string(env.Data), "alice") {
		t.Errorf("the 401 carries the user's data: %s", env.Data)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(d.logs.String(), "X-Kubedeck-Proxy-Secret header does not match --proxy-secret-file") {
		if time.Now().After(deadline) {
			t.Fatalf("Kubedeck's log does not name the cause:\n%s", d.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDeployedRedisDown: Redis stopping while a user is signed in through
// the proxy is a cache miss: the API keeps answering as the user.
func TestDeployedRedisDown(t *testing.T) {
	t.Parallel() // its own namespace, Redis, provider, proxy and Kubedeck
	d := startDeployed(t, deployedOptions{users: []idptest.User{journeyAlice}})
	ns := namespaceWith(t, "redis-down", map[string]string{"Group:team-a": "edit"})
	seedDeployment(t, ns, "seeded")
	c := signedInClient(t, d, "alice")
	get := func(what string) {
		t.Helper()
		status, env := proxiedGet(t, c, d.URL()+"/api/v1/resources/deployments?namespace="+ns)
		if status != 200 || !strings.Contains(string(env.Data), `"seeded"`) {
			t.Fatalf("%s: deployments of %s: %d %+v %.300s", what, ns, status, env.Error, env.Data)
		}
		status, env = proxiedGet(t, c, d.URL()+"/api/v1/me?namespace="+ns)
		var me shared.Me
		if status != 200 || json.Unmarshal(env.Data, &me) != nil || me.User != "alice" || !me.Can[shared.ActionCreateDeployments] {
			t.Fatalf("%s: /me: %d %+v %.300s", what, status, env.Error, env.Data)
		}
	}
	get("with Redis")
	d.redis.Kill()
	for i := range 5 {
		start := time.Now()
		get("Redis down")
		if i == 0 {
			t.Logf("first answer with Redis down in %v", time.Since(start).Round(time.Millisecond))
		}
	}
	d.redis.Restart()
	get("Redis back")
}
