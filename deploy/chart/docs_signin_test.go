package chart_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/internal/chartpod"
	"github.com/kubedeck/kubedeck/internal/idptest"
	"github.com/kubedeck/kubedeck/server"
)

// portForward checks what `kubectl port-forward svc/NAME LOCAL:PORT` would
// reach: the Service's port leads to oauth2-proxy's container port, and
// the pods' Secrets are there. A port-forward itself needs a pod network,
// which kwok's pods lack; so the release's pod runs here instead, as
// chartpod runs it (oauth2-proxy as rendered with the release's values and
// the namespace's Secrets; the test's provider and a stand-in for
// Kubedeck), and a browser signs in at http://localhost:PORT/ as NOTES.txt
// says, as the user the values name, with the proxy secret Kubedeck
// accepts.
func (r *docRun) portForward(inv invocation) error {
	kind, name, _ := strings.Cut(inv.args[len(inv.args)-2], "/")
	local, remote, ok := strings.Cut(inv.args[len(inv.args)-1], ":")
	if len(inv.args) != 4 || (kind != "svc" && kind != "service") || !ok {
		return fmt.Errorf("want svc/NAME LOCAL:PORT, got %q", inv.args[2:])
	}
	if _, err := strconv.Atoi(local); err != nil {
		return fmt.Errorf("local port %q: %v", local, err)
	}
	ctx, ns := r.t.Context(), r.namespace(inv.flag("-n"))
	svc, err := r.admin.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return strconv.Itoa(int(p.Port)) == remote })
	if i < 0 {
		return fmt.Errorf("Service %s has no port %s: %+v", name, remote, svc.Spec.Ports)
	}
	target := svc.Spec.Ports[i].TargetPort
	deps, err := r.admin.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{LabelSelector: metav1.FormatLabelSelector(metav1.SetAsLabelSelector(svc.Spec.Selector))})
	if err != nil || len(deps.Items) != 1 {
		return fmt.Errorf("Service %s selects %d Deployments (%v), want one", name, len(deps.Items), err)
	}
	d := deps.Items[0]
	proxy := slices.IndexFunc(d.Spec.Template.Spec.Containers, func(c corev1.Container) bool {
		return c.Name == "oauth2-proxy" && slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool {
			return p.Name == target.StrVal || p.ContainerPort == target.IntVal
		})
	})
	if proxy < 0 {
		return fmt.Errorf("port %s of Service %s (target %s) is not oauth2-proxy's", remote, name, target.String())
	}
	if err := r.podInputs(ns, d.Name); err != nil {
		return err
	}

	rel, err := action.NewGet(r.helmConfig(ns)).Run(svc.Annotations["meta.helm.sh/release-name"])
	if err != nil {
		return err
	}
	all, err := chartutil.CoalesceValues(rel.Chart, rel.Config)
	if err != nil {
		return err
	}
	secrets := map[string]map[string]string{}
	list, err := r.admin.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, s := range list.Items {
		data := map[string]string{}
		for k, v := range s.Data {
			data[k] = string(v)
		}
		secrets[s.Name] = data
		// chartpod renders the release as "kubedeck": the Secrets the
		// chart made go by that name there.
		if rest, ok := strings.CutPrefix(s.Name, name+"-"); ok {
			secrets[chartpod.Release+"-"+rest] = data
		}
	}
	// The provider is the test's, so the client's secret is too.
	if client, _ := all.PathValue("oidc.clientSecret.existingSecret"); client != "" && client != nil {
		key, _ := all.PathValue("oidc.clientSecret.key")
		secrets[fmt.Sprint(client)] = map[string]string{fmt.Sprint(key): idptest.ClientSecret}
	}
	h, err := signInLocally(r.t, rel.Config, ns, secrets)
	if err != nil {
		return err
	}
	claim, _ := all.PathValue("oidc.usernameClaim")
	if want := aliceClaims[fmt.Sprint(claim)]; h.Get("X-Forwarded-User") != want {
		return fmt.Errorf("signed in: Kubedeck got X-Forwarded-User %q, want %q (claim %v)", h.Get("X-Forwarded-User"), want, claim)
	}
	if err := server.CheckProxySecret([]byte(h.Get("X-Kubedeck-Proxy-Secret"))); err != nil {
		return fmt.Errorf("the proxy secret Kubedeck got %v", err)
	}
	r.t.Logf("signed in through svc/%s as %s, groups %s", name, h.Get("X-Forwarded-User"), h.Get("X-Forwarded-Groups"))
	return nil
}

// alice is who signs in at the test's provider; aliceClaims are her
// claims, by name.
var (
	alice       = idptest.User{Subject: "5f0c2d9e-opaque", Username: "alice", Email: "alice@example.com", Groups: []string{"team-a"}}
	aliceClaims = map[string]string{"sub": alice.Subject, "email": alice.Email, "preferred_username": alice.Username}
)

// signInLocally runs the chart's oauth2-proxy with vals (the test's
// provider and client in place of the values' own) on localhost, with a
// stand-in for Kubedeck, and signs alice in through it as a browser does.
// It returns the headers of the request that reached Kubedeck, or where
// the sign-in stopped.
func signInLocally(t *testing.T, vals map[string]any, ns string, secrets map[string]map[string]string) (http.Header, error) {
	t.Helper()
	provider := idptest.Start(t, alice)
	raw, err := yaml.Marshal(vals)
	if err != nil {
		t.Fatal(err)
	}
	var local map[string]any
	if err := yaml.Unmarshal(raw, &local); err != nil {
		t.Fatal(err)
	}
	oidc, _ := local["oidc"].(map[string]any)
	if oidc == nil {
		oidc = map[string]any{}
		local["oidc"] = oidc
	}
	oidc["issuerURL"], oidc["clientID"] = chartpod.PlaceholderIssuer, idptest.ClientID
	if oidc["backendLogoutURL"] != nil && oidc["backendLogoutURL"] != "" {
		oidc["backendLogoutURL"] = chartpod.PlaceholderLogout
	}
	pod := chartpod.Prepare(t, chartpod.Options{Values: local, Issuer: provider.Issuer(), LogoutURL: provider.LogoutURL(),
		ExistingSecrets: secrets, ProxyHost: "localhost", Namespace: ns})
	kubedeck := chartpod.StartUpstream(t, pod.KubedeckAddr)
	pod.StartProxy(t)

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 20 * time.Second}
	req, err := http.NewRequestWithContext(t.Context(), "GET", pod.URL()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	page, signIn, err := fetch(browser, req)
	if err != nil {
		return nil, err
	}
	resp, page, err := provider.SubmitLogin(browser, page, alice.Username)
	if err != nil {
		return nil, fmt.Errorf("%s led to %s (%d): %w", pod.URL(), signIn.Request.URL, signIn.StatusCode, err)
	}
	h := kubedeck.Last()
	if h == nil {
		return nil, fmt.Errorf("the sign-in stopped at %s (%d) and never reached Kubedeck:\n%.300s", resp.Request.URL, resp.StatusCode, page)
	}
	return h, nil
}

// fetch does req and reads the body of where it ends.
func fetch(c *http.Client, req *http.Request) (string, *http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), resp, err
}
