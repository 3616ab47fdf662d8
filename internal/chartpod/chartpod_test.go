package chartpod_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/internal/chartpod"
	"github.com/kubedeck/kubedeck/internal/idptest"
)

// values are the chart's values the sidecar tests render: the provider's
// placeholders, the client secret in a Secret of the operator's, plain
// http (cookieSecure false, as the port-forward needs) and a short
// refresh.
func values(base string) map[string]any {
	return map[string]any{
		"basePath": base,
		"oidc": map[string]any{
			"issuerURL":        chartpod.PlaceholderIssuer,
			"clientID":         idptest.ClientID,
			"clientSecret":     map[string]any{"existingSecret": "kubedeck-oidc"},
			"backendLogoutURL": chartpod.PlaceholderLogout,
		},
		"oauth2Proxy": map[string]any{"cookieSecure": false, "cookieRefresh": "2s"},
	}
}

func secrets() map[string]map[string]string {
	return map[string]map[string]string{"kubedeck-oidc": {"client-secret": idptest.ClientSecret}}
}

var alice = idptest.User{Subject: "a1b2c3-opaque", Username: "alice", Email: "alice@example.com", Groups: []string{"team-a", "readers"}}

// last is the headers of the last request that reached u.
func last(t *testing.T, u *chartpod.Upstream) http.Header {
	t.Helper()
	h := u.Last()
	if h == nil {
		t.Fatal("no request reached the upstream")
	}
	return h
}

// browser is an HTTP client with a cookie jar that follows redirects, as a
// browser does, and sends HTML's Accept header.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

func get(t *testing.T, c *http.Client, u string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// signIn fills in the provider's form (the page body) as user and returns
// where the browser ends up.
func signIn(t *testing.T, c *http.Client, provider *idptest.Provider, page, user string) (*http.Response, string) {
	t.Helper()
	resp, body, err := provider.SubmitLogin(c, page, user)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestSidecarAsRendered starts the chart's oauth2-proxy, with the chart's
// arguments and alpha config, at the root and under /v2, and walks
// through what the chart promises of it: sign-in through the provider,
// the identity headers Kubedeck believes (and none a browser sends), a
// refresh that carries a changed group, and a sign-out that ends the
// provider's session too.
func TestSidecarAsRendered(t *testing.T) {
	chartpod.NeedBinary(t)
	for _, base := range []string{"", "/v2"} {
		t.Run("base="+base, func(t *testing.T) {
			provider := idptest.Start(t, alice)
			pod := chartpod.Prepare(t, chartpod.Options{Values: values(base), Issuer: provider.Issuer(),
				LogoutURL: provider.LogoutURL(), ExistingSecrets: secrets()})
			up := chartpod.StartUpstream(t, pod.KubedeckAddr)
			pod.StartProxy(t)
			if strings.Contains(pod.ProxyLog(), "no --trusted-proxy-ip") {
				t.Error("oauth2-proxy believes X-Forwarded-* from any peer (no --trusted-proxy-ip)")
			}
			if strings.Contains(pod.ProxyLog(), "you have not enabled one with --code-challenge-method") {
				t.Error("oauth2-proxy signs in without PKCE")
			}

			// An API call without a session is a 401, not a redirect.
			req, _ := http.NewRequest("GET", pod.URL()+"/api/v1/me", nil)
			req.Header.Set("Accept", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("API call without a session: %d, want 401", resp.StatusCode)
			}

			b := browser(t)
			resp, page := get(t, b, pod.URL()+"/apps/objects", nil)
			if provider.Logins() != 1 {
				t.Fatalf("a signed-out visit did not reach the provider's sign-in form (%d, %s):\n%s", resp.StatusCode, resp.Request.URL, page)
			}
			resp, page = signIn(t, b, provider, page, "alice")
			if want := base + "/apps/objects"; resp.StatusCode != 200 || resp.Request.URL.Path != want || page != "upstream "+want {
				t.Fatalf("after sign-in: %d at %s (%q), want %s from Kubedeck", resp.StatusCode, resp.Request.URL, page, want)
			}

			// Forged identity headers and a forged secret from the browser
			// are replaced by the proxy's.
			get(t, b, pod.URL()+"/", map[string]string{"X-Forwarded-User": "mallory", "X-Forwarded-Groups": "system:masters",
				"X-Forwarded-Email": "mallory@example.com", "X-Kubedeck-Proxy-Secret": "forged-forged-forged"})
			h := last(t, up)
			secret, err := os.ReadFile(pod.Kubedeck.Getenv("KUBEDECK_PROXY_SECRET_FILE"))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{
				"X-Forwarded-User":               {"alice"},
				"X-Forwarded-Email":              {"alice@example.com"},
				"X-Forwarded-Preferred-Username": {"alice"},
				"X-Forwarded-Groups":             {"team-a,readers"},
				"X-Kubedeck-Proxy-Secret":        {string(secret)},
			}
			for name, values := range want {
				if got := h.Values(name); strings.Join(got, "|") != strings.Join(values, "|") {
					t.Errorf("%s: Kubedeck got %q, want %q", name, got, values)
				}
			}

			// A group removed at the provider is gone once the session is
			// refreshed (cookieRefresh 2s here).
			provider.SetGroups("alice", "team-a")
			time.Sleep(2500 * time.Millisecond)
			deadline := time.Now().Add(10 * time.Second)
			for {
				get(t, b, pod.URL()+"/", nil)
				if g := last(t, up).Get("X-Forwarded-Groups"); g == "team-a" {
					break
				} else if time.Now().After(deadline) {
					t.Fatalf("groups after the refresh interval: %q, want team-a", g)
				}
				time.Sleep(500 * time.Millisecond)
			}

			// Sign-out ends the provider's session: the next visit shows
			// the provider's form again.
			resp, page = get(t, b, pod.URL()+"/oauth2/sign_out?rd="+url.QueryEscape(base+"/"), nil)
			if provider.Logouts() != 1 {
				t.Errorf("sign-out called the provider's logout %d times, want 1 (%d %s)", provider.Logouts(), resp.StatusCode, resp.Request.URL)
			}
			if provider.Logins() != 2 {
				t.Errorf("after sign-out the next visit did not ask the provider again: %d %s\n%s", resp.StatusCode, resp.Request.URL, page)
			}
		})
	}
}

// TestUsernameClaim: oidc.usernameClaim names the claim Kubernetes knows
// the user by, and the e-mail header stays the e-mail.
func TestUsernameClaim(t *testing.T) {
	chartpod.NeedBinary(t)
	for claim, want := range map[string]string{"sub": alice.Subject, "email": alice.Email, "preferred_username": "alice"} {
		t.Run(claim, func(t *testing.T) {
			provider := idptest.Start(t, alice)
			v := values("")
			v["oidc"].(map[string]any)["usernameClaim"] = claim
			pod := chartpod.Prepare(t, chartpod.Options{Values: v, Issuer: provider.Issuer(),
				LogoutURL: provider.LogoutURL(), ExistingSecrets: secrets()})
			up := chartpod.StartUpstream(t, pod.KubedeckAddr)
			pod.StartProxy(t)
			b := browser(t)
			_, page := get(t, b, pod.URL()+"/", nil)
			signIn(t, b, provider, page, "alice")
			h := last(t, up)
			if got := h.Get("X-Forwarded-User"); got != want {
				t.Errorf("X-Forwarded-User %q, want %q", got, want)
			}
			if got := h.Get("X-Forwarded-Email"); got != alice.Email {
				t.Errorf("X-Forwarded-Email %q, want %q", got, alice.Email)
			}
		})
	}
}

// TestAlphaConfigFlags: the sidecar's flags are ones oauth2-proxy takes
// beside --alpha-config (it exits at once on one it refuses, such as
// --http-address), checked by oauth2-proxy itself.
func TestAlphaConfigFlags(t *testing.T) {
	bin := chartpod.NeedBinary(t)
	provider := idptest.Start(t, alice)
	pod := chartpod.Prepare(t, chartpod.Options{Values: values(""), Issuer: provider.Issuer(),
		LogoutURL: provider.LogoutURL(), ExistingSecrets: secrets()})
	args := append(pod.Proxy.Args, "--http-address=127.0.0.1:0")
	cmd := exec.Command(bin, args...)
	cmd.Env = pod.Proxy.Env
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "http-address") {
		t.Errorf("oauth2-proxy took --http-address beside --alpha-config (%v):\n%s", err, out)
	}
	// The chart's own arguments alone: see TestSidecarAsRendered.
	var alpha map[string]any
	cfg := pod.Proxy.Args[0]
	path, ok := strings.CutPrefix(cfg, "--alpha-config=")
	if !ok {
		t.Fatalf("first argument %q, want --alpha-config", cfg)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &alpha); err != nil {
		t.Fatal(err)
	}
	if _, ok := alpha["server"]; !ok {
		t.Errorf("the alpha config has no server section (the listen address):\n%s", raw)
	}
}

// TestVersionMatchesChart: the oauth2-proxy the tests run is the version
// the chart's image pins.
func TestVersionMatchesChart(t *testing.T) {
	bin := chartpod.NeedBinary(t)
	raw, err := os.ReadFile(filepath.Join(chartpod.ChartDir(), "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		OAuth2Proxy struct {
			Image struct {
				Tag string `json:"tag"`
			} `json:"image"`
		} `json:"oauth2Proxy"`
	}
	if err := yaml.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("oauth2-proxy --version: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "oauth2-proxy "+v.OAuth2Proxy.Image.Tag+" ") {
		t.Errorf("the built oauth2-proxy says %q; the chart pins %s (kube/localcluster/tools/build.sh builds it)", out, v.OAuth2Proxy.Image.Tag)
	}
}

// TestPortForwardSignIn follows the route NOTES.txt gives without an
// Ingress (a port-forward to http://localhost:4180): with
// oauth2Proxy.cookieSecure=false the sign-in completes over plain http;
// with the default (true) it cannot, since oauth2-proxy then sends the
// provider back to an https callback, which plain http cannot answer —
// which is why the notes say to set it.
func TestPortForwardSignIn(t *testing.T) {
	chartpod.NeedBinary(t)
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprintf("cookieSecure=%v", secure), func(t *testing.T) {
			provider := idptest.Start(t, alice)
			v := values("")
			v["oauth2Proxy"].(map[string]any)["cookieSecure"] = secure
			pod := chartpod.Prepare(t, chartpod.Options{Values: v, Issuer: provider.Issuer(), LogoutURL: provider.LogoutURL(),
				ExistingSecrets: secrets(), ProxyHost: "localhost"})
			chartpod.StartUpstream(t, pod.KubedeckAddr)
			pod.StartProxy(t)
			if !strings.HasPrefix(pod.URL(), "http://localhost:") {
				t.Fatalf("the proxy's URL is %s, want http://localhost:…", pod.URL())
			}
			b := browser(t)
			_, page := get(t, b, pod.URL()+"/", nil)
			resp, body, err := provider.SubmitLogin(b, page, "alice")
			signedIn := err == nil && resp.StatusCode == 200 && body == "upstream /"
			if signedIn == secure {
				t.Errorf("cookieSecure=%v: signed in: %v (%v)", secure, signedIn, err)
			}
			if secure {
				t.Logf("with a secure cookie over http: %v", err)
			}
		})
	}
}
