package chartpod_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/internal/chartpod"
	"github.com/kubedeck/kubedeck/internal/idptest"
)

// TestComposeSidecar starts oauth2-proxy as deploy/compose.yaml does, with
// deploy/oauth2-proxy/alpha-config.yaml, changing only the addresses and
// the secret file's path: it starts, signs alice in and passes Kubedeck
// the identity headers and the secret.
func TestComposeSidecar(t *testing.T) {
	chartpod.NeedBinary(t)
	deploy := filepath.Join(chartpod.ChartDir(), "..", "..")
	raw, err := os.ReadFile(filepath.Join(deploy, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Command     []string          `json:"command"`
			Environment map[string]string `json:"environment"`
			Volumes     []string          `json:"volumes"`
		} `json:"services"`
	}
	if err := yaml.Unmarshal(raw, &compose); err != nil {
		t.Fatal(err)
	}
	svc, ok := compose.Services["oauth2-proxy"]
	if !ok {
		t.Fatal("compose.yaml has no oauth2-proxy service")
	}

	provider := idptest.Start(t, alice)
	dir := t.TempDir()
	secret := "compose-proxy-secret-0123456789"
	if err := os.WriteFile(filepath.Join(dir, "kubedeck-proxy-secret"), []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	pod := chartpod.Prepare(t, chartpod.Options{Values: values(""), Issuer: provider.Issuer(), LogoutURL: provider.LogoutURL(),
		ExistingSecrets: secrets()}) // for its free addresses
	up := chartpod.StartUpstream(t, pod.KubedeckAddr)
	alpha, err := os.ReadFile(filepath.Join(deploy, "oauth2-proxy", "alpha-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rewrite := strings.NewReplacer("0.0.0.0:4180", pod.ProxyAddr, "http://kubedeck:8080", "http://"+pod.KubedeckAddr,
		"/run/secrets/", dir+"/", "/etc/oauth2-proxy/alpha-config.yaml", filepath.Join(dir, "alpha-config.yaml")).Replace
	if err := os.WriteFile(filepath.Join(dir, "alpha-config.yaml"), []byte(rewrite(string(alpha))), 0o600); err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, a := range svc.Command {
		args = append(args, rewrite(a))
	}
	env := []string{"HOME=" + dir,
		"OAUTH2_PROXY_COOKIE_SECRET=compose-cookie-secret-0123456789", "OIDC_ISSUER_URL=" + provider.Issuer(),
		"OIDC_CLIENT_ID=" + idptest.ClientID, "OIDC_CLIENT_SECRET=" + idptest.ClientSecret}
	for k := range svc.Environment {
		if !strings.HasPrefix(k, "OIDC_") && k != "OAUTH2_PROXY_COOKIE_SECRET" {
			t.Errorf("compose gives oauth2-proxy %s, which this test does not set", k)
		}
	}
	chartpod.StartOAuth2Proxy(t, args, env, pod.ProxyAddr, io.Discard)
	b := browser(t)
	_, page := get(t, b, "http://"+pod.ProxyAddr+"/apps/deploy", nil)
	resp, body := signIn(t, b, provider, page, "alice")
	if resp.StatusCode != 200 || body != "upstream /apps/deploy" {
		t.Fatalf("after sign-in: %d %q", resp.StatusCode, body)
	}
	h := last(t, up)
	if h.Get("X-Forwarded-User") != "alice" || h.Get("X-Forwarded-Email") != alice.Email || h.Get("X-Kubedeck-Proxy-Secret") != secret {
		t.Errorf("Kubedeck got user %q, email %q, secret %q", h.Get("X-Forwarded-User"), h.Get("X-Forwarded-Email"), h.Get("X-Kubedeck-Proxy-Secret"))
	}
}
