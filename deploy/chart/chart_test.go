// Package chart_test checks Kubedeck's Helm chart (deploy/chart/kubedeck)
// as the Helm SDK renders it, without a cluster: the objects it makes, their
// security, and the values its schema refuses. kube/helm's
// chartinstall_cluster_test.go installs it into the local cluster.
package chart_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/deploy/rbac"
	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

const (
	chartDir  = "kubedeck"
	namespace = "dash"
)

// fullValues sets every option the chart has: Kubedeck under /v2 behind an
// Ingress, an external Redis over TLS, chart repositories with
// credentials, the wizard's settings, a ServiceMonitor, and secrets of the
// operator's own.
func fullValues() map[string]any {
	return map[string]any{
		"replicas":        3,
		"image":           map[string]any{"repository": "registry.example.com/kubedeck", "tag": "1.2.3"},
		"basePath":        "/v2",
		"allowedHosts":    []any{"dash.example.com"},
		"logLevel":        "debug",
		"groupPrefix":     "oidc:",
		"groupAllowlist":  []any{"team-a", "team-b"},
		"watchNamespaces": []any{"team-a", "team-b"},
		"extraArgs":       []any{"--max-gpu=4"},
		"proxySecret":     map[string]any{"existingSecret": "my-proxy-secret", "key": "secret"},
		"oidc": map[string]any{
			"issuerURL":    "https://login.example.com/realms/main",
			"clientID":     "kubedeck",
			"clientSecret": map[string]any{"existingSecret": "kubedeck-oidc", "key": "client-secret"},
			"cookieSecret": map[string]any{"existingSecret": "kubedeck-oidc", "key": "cookie-secret"},
			"emailDomains": []any{"example.com"},
		},
		"ingress": map[string]any{
			"enabled":   true,
			"className": "nginx",
			"hosts":     []any{"kubedeck.example.com"},
			"tls":       []any{map[string]any{"secretName": "kubedeck-tls", "hosts": []any{"kubedeck.example.com"}}},
		},
		"metrics": map[string]any{
			"port":              9191,
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"team": "observability"}},
			"serviceMonitor":    map[string]any{"enabled": true, "labels": map[string]any{"release": "prometheus"}},
		},
		"redis": map[string]any{"external": map[string]any{
			"url":            "rediss://redis.example.com:6380/2",
			"passwordSecret": map[string]any{"name": "redis-auth", "key": "pass"},
		}},
		"helm": map[string]any{
			"repositories": []any{
				map[string]any{"name": "stable", "url": "https://charts.example.com"},
				map[string]any{"name": "private", "url": "https://charts.example.com/private", "credentialsSecret": "private-charts"},
			},
			"timeout": "10m",
		},
		"clusterConfig": map[string]any{
			"domain":             "apps.example.com",
			"ingressClass":       "nginx",
			"tlsSecret":          "apps-tls",
			"hostTemplate":       "{name}.{namespace}.{domain}",
			"privateAnnotations": map[string]any{"nginx.ingress.kubernetes.io/auth-url": "https://auth.example.com/oauth2/auth"},
			"gpuResource":        "nvidia.com/gpu",
			"maxGpu":             4,
			"maxReplicas":        20,
			"sharedPvc":          "shared-data",
			"ssoTokenSecret":     "sso-token",
			"presets":            []any{map[string]any{"name": "small", "cpuRequest": "100m", "memoryRequest": "128Mi", "memoryLimit": "256Mi"}},
		},
	}
}

// bundledRedis is the defaults with the bundled Redis.
func bundledRedis() map[string]any {
	return map[string]any{"redis": map[string]any{"bundled": map[string]any{"enabled": true}}}
}

// manifest is one rendered object.
type manifest struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	raw string
}

// rendered is a chart rendered with some values.
type rendered struct {
	objects []manifest
	values  map[string]any
}

func render(t *testing.T, values map[string]any) rendered {
	t.Helper()
	files, err := helm.RenderChart(chartDir, values, namespace)
	if err != nil {
		t.Fatal(err)
	}
	var out rendered
	out.values = values
	for name, text := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			continue
		}
		for doc := range strings.SplitSeq(text, "\n---\n") {
			doc = strings.TrimPrefix(doc, "---\n")
			if strings.TrimSpace(doc) == "" {
				continue
			}
			m := manifest{raw: doc}
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatalf("%s: %v\n%s", name, err, doc)
			}
			if m.Kind == "" {
				t.Fatalf("%s: an object without a kind:\n%s", name, doc)
			}
			out.objects = append(out.objects, m)
		}
	}
	return out
}

// all decodes every object of kind.
func all[T any](t *testing.T, r rendered, kind string) []T {
	t.Helper()
	var out []T
	for _, m := range r.objects {
		if m.Kind != kind {
			continue
		}
		var v T
		if err := yaml.UnmarshalStrict([]byte(m.raw), &v); err != nil {
			t.Fatalf("%s %s: %v", kind, m.Metadata.Name, err)
		}
		out = append(out, v)
	}
	return out
}

// one decodes the object of kind and name.
func one[T any](t *testing.T, r rendered, kind, name string) T {
	t.Helper()
	for _, m := range r.objects {
		if m.Kind == kind && m.Metadata.Name == name {
			var v T
			if err := yaml.UnmarshalStrict([]byte(m.raw), &v); err != nil {
				t.Fatalf("%s %s: %v", kind, name, err)
			}
			return v
		}
	}
	t.Fatalf("no %s %s among %v", kind, name, r.names())
	panic("unreachable")
}

func (r rendered) names() []string {
	var out []string
	for _, m := range r.objects {
		out = append(out, m.Kind+"/"+m.Metadata.Name)
	}
	slices.Sort(out)
	return out
}

func container(t *testing.T, pod corev1.PodSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range pod.Containers {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %s", name)
	panic("unreachable")
}

func env(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// port resolves a named or numbered port of c.
func port(t *testing.T, c corev1.Container, p intstr.IntOrString) int32 {
	t.Helper()
	if p.Type == intstr.Int {
		return p.IntVal
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort
		}
	}
	t.Fatalf("container %s has no port %q", c.Name, p.StrVal)
	return 0
}

// mountOf is where c mounts volume, "" when it does not.
func mountOf(c corev1.Container, volume string) string {
	for _, m := range c.VolumeMounts {
		if m.Name == volume {
			return m.MountPath
		}
	}
	return ""
}

var cases = []struct {
	name   string
	values func() map[string]any
}{
	{"defaults", func() map[string]any { return nil }},
	{"bundled redis", bundledRedis},
	{"every option", fullValues},
}

func TestLint(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if msgs := helm.LintChart(chartDir, tc.values()); len(msgs) > 0 {
				t.Errorf("helm lint:\n%s", strings.Join(msgs, "\n"))
			}
		})
	}
}

func TestObjects(t *testing.T) {
	want := map[string][]string{
		"defaults": {
			"ClusterRole/dash-kubedeck", "ClusterRoleBinding/dash-kubedeck", "ConfigMap/kubedeck-cluster-config",
			"ConfigMap/kubedeck-oauth2-proxy", "Deployment/kubedeck", "NetworkPolicy/kubedeck",
			"PodDisruptionBudget/kubedeck", "Secret/kubedeck-cookie-secret", "Secret/kubedeck-proxy-secret",
			"Service/kubedeck", "ServiceAccount/kubedeck",
		},
		"bundled redis": {
			"ClusterRole/dash-kubedeck", "ClusterRoleBinding/dash-kubedeck", "ConfigMap/kubedeck-cluster-config",
			"ConfigMap/kubedeck-oauth2-proxy", "Deployment/kubedeck", "Deployment/kubedeck-redis",
			"NetworkPolicy/kubedeck", "NetworkPolicy/kubedeck-redis", "PodDisruptionBudget/kubedeck",
			"Secret/kubedeck-access-key", "Secret/kubedeck-cookie-secret", "Secret/kubedeck-proxy-secret",
			"Secret/kubedeck-redis", "Service/kubedeck", "Service/kubedeck-redis", "ServiceAccount/kubedeck",
		},
		"every option": {
			"ClusterRole/dash-kubedeck", "ClusterRoleBinding/dash-kubedeck", "ConfigMap/kubedeck-cluster-config",
			"ConfigMap/kubedeck-oauth2-proxy", "Deployment/kubedeck", "Ingress/kubedeck", "NetworkPolicy/kubedeck",
			"PodDisruptionBudget/kubedeck", "Secret/kubedeck-access-key", "Service/kubedeck", "Service/kubedeck-metrics",
			"ServiceAccount/kubedeck", "ServiceMonitor/kubedeck",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.values())
			if diff := cmp.Diff(want[tc.name], r.names()); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSecurityContexts checks every container of every pod: non-root, a
// read-only root, no privilege escalation, no capabilities, the runtime's
// seccomp profile, and resources.
func TestSecurityContexts(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.values())
			for _, d := range all[appsv1.Deployment](t, r, "Deployment") {
				pod := d.Spec.Template.Spec
				if len(pod.InitContainers) > 0 || len(pod.EphemeralContainers) > 0 {
					t.Errorf("%s: init or ephemeral containers, unchecked", d.Name)
				}
				for _, c := range pod.Containers {
					sc := c.SecurityContext
					ok := sc != nil && sc.RunAsNonRoot != nil && *sc.RunAsNonRoot &&
						sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem &&
						sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation &&
						sc.Privileged == nil &&
						sc.Capabilities != nil && slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) && len(sc.Capabilities.Add) == 0 &&
						sc.SeccompProfile != nil && sc.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault
					if !ok {
						t.Errorf("%s/%s: security context %+v", d.Name, c.Name, sc)
					}
					if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
						t.Errorf("%s/%s: no memory request or limit: %+v", d.Name, c.Name, c.Resources)
					}
					if c.LivenessProbe == nil || c.ReadinessProbe == nil {
						t.Errorf("%s/%s: no liveness or readiness probe", d.Name, c.Name)
					}
				}
				if psc := pod.SecurityContext; psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
					t.Errorf("%s: pod security context %+v", d.Name, psc)
				}
				if pod.HostNetwork || pod.HostPID || pod.HostIPC {
					t.Errorf("%s: shares a host namespace", d.Name)
				}
			}
		})
	}
}

// TestKubedeckContainer checks how Kubedeck is run: on loopback, trusting
// only the sidecar, probed on the operations port, with the settings given.
func TestKubedeckContainer(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.values())
			d := one[appsv1.Deployment](t, r, "Deployment", "kubedeck")
			kd := container(t, d.Spec.Template.Spec, "kubedeck")
			for name, want := range map[string]string{
				"KUBEDECK_LISTEN":          "127.0.0.1:8080",
				"KUBEDECK_AUTH_MODE":       "proxy",
				"KUBEDECK_TRUSTED_PROXIES": "127.0.0.1/32",
			} {
				if got := env(kd, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			_, opsPort, _ := strings.Cut(env(kd, "KUBEDECK_OPS_LISTEN"), ":")
			for _, p := range []struct {
				probe *corev1.Probe
				path  string
			}{{kd.LivenessProbe, "/healthz"}, {kd.ReadinessProbe, "/readyz"}, {kd.StartupProbe, "/healthz"}} {
				if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path ||
					fmt.Sprint(port(t, kd, p.probe.HTTPGet.Port)) != opsPort {
					t.Errorf("probe %+v: want GET %s on the ops port %s", p.probe, p.path, opsPort)
				}
			}
			proxy := container(t, d.Spec.Template.Spec, "oauth2-proxy")
			svc := one[corev1.Service](t, r, "Service", "kubedeck")
			if len(svc.Spec.Ports) != 1 || port(t, proxy, svc.Spec.Ports[0].TargetPort) != 4180 {
				t.Errorf("service ports %+v: want oauth2-proxy's port alone", svc.Spec.Ports)
			}
			if tc.name == "defaults" && *d.Spec.Replicas != 2 {
				t.Errorf("replicas %d by default, want 2", *d.Spec.Replicas)
			}
		})
	}
	t.Run("every option", func(t *testing.T) {
		r := render(t, fullValues())
		kd := container(t, one[appsv1.Deployment](t, r, "Deployment", "kubedeck").Spec.Template.Spec, "kubedeck")
		want := map[string]string{
			"KUBEDECK_OPS_LISTEN":            ":9191",
			"KUBEDECK_BASE_PATH":             "/v2",
			"KUBEDECK_ALLOWED_HOSTS":         "dash.example.com,kubedeck.example.com",
			"KUBEDECK_LOG_LEVEL":             "debug",
			"KUBEDECK_GROUP_PREFIX":          "oidc:",
			"KUBEDECK_GROUP_ALLOWLIST":       "team-a,team-b",
			"KUBEDECK_NAMESPACES":            "team-a,team-b",
			"KUBEDECK_CLUSTER_CONFIG":        namespace + "/kubedeck-cluster-config",
			"KUBEDECK_REDIS_URL":             "rediss://redis.example.com:6380/2",
			"KUBEDECK_REDIS_PASSWORD_FILE":   "/etc/kubedeck/redis/pass",
			"KUBEDECK_ACCESS_KEY_FILE":       "/etc/kubedeck/access-key/access-key",
			"KUBEDECK_HELM_REPO":             "stable=https://charts.example.com,private=https://charts.example.com/private",
			"KUBEDECK_HELM_REPO_CREDENTIALS": "private=/etc/kubedeck/helm-repos/private/credentials",
			"KUBEDECK_HELM_TIMEOUT":          "10m",
		}
		for name, w := range want {
			if got := env(kd, name); got != w {
				t.Errorf("%s = %q, want %q", name, got, w)
			}
		}
		if !slices.Equal(kd.Args, []string{"--max-gpu=4"}) || kd.Image != "registry.example.com/kubedeck:1.2.3" {
			t.Errorf("args %q, image %q", kd.Args, kd.Image)
		}
		if mountOf(kd, "redis-password") != "/etc/kubedeck/redis" || mountOf(kd, "helm-repo-private") != "/etc/kubedeck/helm-repos/private" {
			t.Errorf("mounts %+v", kd.VolumeMounts)
		}
	})
}

// TestProxySecret checks the proxy secret is a mounted file in both
// containers, the files Kubedeck and oauth2-proxy read are that mount's,
// and the secret never reaches an environment variable or a ConfigMap.
func TestProxySecret(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.values())
			d := one[appsv1.Deployment](t, r, "Deployment", "kubedeck")
			pod := d.Spec.Template.Spec
			secretName, key := "kubedeck-proxy-secret", "proxy-secret"
			if tc.name == "every option" {
				secretName, key = "my-proxy-secret", "secret"
			}
			var volume string
			for _, v := range pod.Volumes {
				if v.Secret != nil && v.Secret.SecretName == secretName {
					volume = v.Name
				}
			}
			if volume == "" {
				t.Fatalf("no volume of Secret %s", secretName)
			}
			kd, proxy := container(t, pod, "kubedeck"), container(t, pod, "oauth2-proxy")
			kdDir, proxyDir := mountOf(kd, volume), mountOf(proxy, volume)
			if kdDir == "" || proxyDir == "" {
				t.Fatalf("Secret %s mounted at %q in kubedeck and %q in oauth2-proxy; want both", secretName, kdDir, proxyDir)
			}
			if got, want := env(kd, "KUBEDECK_PROXY_SECRET_FILE"), kdDir+"/"+key; got != want {
				t.Errorf("KUBEDECK_PROXY_SECRET_FILE = %q, want %q", got, want)
			}
			cm := one[corev1.ConfigMap](t, r, "ConfigMap", "kubedeck-oauth2-proxy")
			var alpha struct {
				InjectRequestHeaders []struct {
					Name   string `json:"name"`
					Values []struct {
						FromFile string `json:"fromFile"`
						Claim    string `json:"claim"`
					} `json:"values"`
				} `json:"injectRequestHeaders"`
				Upstream struct {
					Upstreams []struct {
						Path string `json:"path"`
						URI  string `json:"uri"`
					} `json:"upstreams"`
				} `json:"upstreamConfig"`
			}
			if err := yaml.Unmarshal([]byte(cm.Data["alpha-config.yaml"]), &alpha); err != nil {
				t.Fatal(err)
			}
			var injected string
			for _, h := range alpha.InjectRequestHeaders {
				if h.Name == "X-Kubedeck-Proxy-Secret" && len(h.Values) == 1 {
					injected = h.Values[0].FromFile
				}
			}
			if want := proxyDir + "/" + key; injected != want {
				t.Errorf("oauth2-proxy injects X-Kubedeck-Proxy-Secret from %q, want %q", injected, want)
			}
			if u := alpha.Upstream.Upstreams; len(u) != 1 || u[0].URI != "http://127.0.0.1:8080" {
				t.Errorf("upstreams %+v: want Kubedeck on loopback", u)
			}
			for _, c := range pod.Containers {
				for _, e := range c.Env {
					if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == secretName {
						t.Errorf("%s: env %s is the proxy secret", c.Name, e.Name)
					}
				}
				for _, e := range c.EnvFrom {
					if e.SecretRef != nil {
						t.Errorf("%s: env from Secret %s", c.Name, e.SecretRef.Name)
					}
				}
			}
			if tc.name == "every option" {
				return
			}
			// The generated value appears in its Secret and nowhere else.
			s := one[corev1.Secret](t, r, "Secret", secretName)
			value := string(s.Data[key])
			if len(value) < 32 {
				t.Fatalf("generated proxy secret %q: want at least 32 characters", value)
			}
			encoded := base64.StdEncoding.EncodeToString(s.Data[key])
			for _, m := range r.objects {
				if m.Kind == "Secret" && m.Metadata.Name == secretName {
					continue
				}
				if strings.Contains(m.raw, value) || strings.Contains(m.raw, encoded) {
					t.Errorf("%s %s holds the proxy secret", m.Kind, m.Metadata.Name)
				}
			}
		})
	}
}

// TestNetworkPolicies checks that Kubedeck's pods admit oauth2-proxy's port
// from anywhere and the metrics port from the monitoring namespaces only,
// and that the bundled Redis admits Kubedeck's pods only.
func TestNetworkPolicies(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := render(t, tc.values())
			d := one[appsv1.Deployment](t, r, "Deployment", "kubedeck")
			pod := d.Spec.Template.Spec
			proxy, kd := container(t, pod, "oauth2-proxy"), container(t, pod, "kubedeck")
			np := one[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", "kubedeck")
			if diff := cmp.Diff(d.Spec.Selector.MatchLabels, np.Spec.PodSelector.MatchLabels); diff != "" {
				t.Errorf("pod selector (-deployment's +policy's):\n%s", diff)
			}
			if !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) {
				t.Errorf("policy types %v", np.Spec.PolicyTypes)
			}
			wantSelector := `{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"In","values":["monitoring"]}]}`
			if tc.name == "every option" {
				wantSelector = `{"matchLabels":{"team":"observability"}}`
			}
			type rule struct {
				Port int32
				From string
			}
			var got []rule
			for _, in := range np.Spec.Ingress {
				from := "anywhere"
				if len(in.From) > 0 {
					b, _ := yaml.Marshal(in.From)
					from = string(b)
					if len(in.From) == 1 && in.From[0].NamespaceSelector != nil && in.From[0].PodSelector == nil {
						j, _ := yaml.YAMLToJSON(b)
						from = strings.TrimSuffix(strings.TrimPrefix(string(j), `[{"namespaceSelector":`), "}]")
					}
				}
				for _, p := range in.Ports {
					c := proxy
					if p.Port.Type == intstr.String && p.Port.StrVal == "metrics" {
						c = kd
					}
					got = append(got, rule{port(t, c, *p.Port), from})
				}
			}
			_, ops, _ := strings.Cut(env(kd, "KUBEDECK_OPS_LISTEN"), ":")
			var opsPort int32
			fmt.Sscan(ops, &opsPort)
			if diff := cmp.Diff([]rule{{4180, "anywhere"}, {opsPort, wantSelector}}, got); diff != "" {
				t.Errorf("ingress rules (-want +got):\n%s", diff)
			}
			if tc.name != "bundled redis" {
				return
			}
			redis := one[appsv1.Deployment](t, r, "Deployment", "kubedeck-redis")
			rnp := one[networkingv1.NetworkPolicy](t, r, "NetworkPolicy", "kubedeck-redis")
			if diff := cmp.Diff(redis.Spec.Selector.MatchLabels, rnp.Spec.PodSelector.MatchLabels); diff != "" {
				t.Errorf("redis policy's pod selector (-deployment's +policy's):\n%s", diff)
			}
			if len(rnp.Spec.Ingress) != 1 || len(rnp.Spec.Ingress[0].From) != 1 || rnp.Spec.Ingress[0].From[0].PodSelector == nil ||
				rnp.Spec.Ingress[0].From[0].NamespaceSelector != nil || len(rnp.Spec.Ingress[0].Ports) != 1 {
				t.Fatalf("redis policy's ingress %+v: want one rule from Kubedeck's pods to one port", rnp.Spec.Ingress)
			}
			if diff := cmp.Diff(d.Spec.Selector.MatchLabels, rnp.Spec.Ingress[0].From[0].PodSelector.MatchLabels); diff != "" {
				t.Errorf("redis admits (-Kubedeck's pods +admitted):\n%s", diff)
			}
			if p := port(t, container(t, redis.Spec.Template.Spec, "redis"), *rnp.Spec.Ingress[0].Ports[0].Port); p != 6379 {
				t.Errorf("redis policy admits port %d", p)
			}
		})
	}
}

// TestClusterRole checks the chart grants what deploy/rbac/clusterrole.yaml
// grants, to the release's ServiceAccount.
func TestClusterRole(t *testing.T) {
	var want rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict([]byte(rbac.ClusterRole), &want); err != nil {
		t.Fatal(err)
	}
	r := render(t, nil)
	got := one[rbacv1.ClusterRole](t, r, "ClusterRole", "dash-kubedeck")
	if diff := cmp.Diff(want.Rules, got.Rules); diff != "" {
		t.Errorf("rules (-deploy/rbac +chart):\n%s", diff)
	}
	b := one[rbacv1.ClusterRoleBinding](t, r, "ClusterRoleBinding", "dash-kubedeck")
	wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: "kubedeck", Namespace: namespace}}
	if diff := cmp.Diff(wantSubjects, b.Subjects); diff != "" || b.RoleRef.Name != got.Name {
		t.Errorf("binding to %q, subjects (-want +got):\n%s", b.RoleRef.Name, diff)
	}
}

// TestClusterConfig checks the wizard's settings are a ConfigMap Kubedeck
// accepts whole.
func TestClusterConfig(t *testing.T) {
	cm := one[corev1.ConfigMap](t, render(t, fullValues()), "ConfigMap", "kubedeck-cluster-config")
	base := kube.DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
	got, problems := kube.ParseDeployConfigMap(base, cm.Data)
	if len(problems) > 0 {
		t.Fatalf("Kubedeck refuses the ConfigMap: %v\n%v", problems, cm.Data)
	}
	if got.Domain != "apps.example.com" || got.MaxGPU != 4 || got.MaxReplicas != 20 || !got.Private || len(got.Presets) != 1 {
		t.Errorf("settings %+v", got)
	}
	empty := one[corev1.ConfigMap](t, render(t, nil), "ConfigMap", "kubedeck-cluster-config")
	if len(empty.Data) != 0 {
		t.Errorf("default data %v: want none (Kubedeck's defaults)", empty.Data)
	}
}

// TestSchemaRefuses renders values the schema must refuse.
func TestSchemaRefuses(t *testing.T) {
	bad := []struct {
		name   string
		values map[string]any
	}{
		{"replicas zero", map[string]any{"replicas": 0}},
		{"replicas a string", map[string]any{"replicas": "2"}},
		{"replicas a fraction", map[string]any{"replicas": 1.5}},
		{"unknown top-level key", map[string]any{"replica": 2}},
		{"base path without a slash", map[string]any{"basePath": "v2"}},
		{"base path ending in a slash", map[string]any{"basePath": "/v2/"}},
		{"allowed hosts a string", map[string]any{"allowedHosts": "kubedeck.example.com"}},
		{"allowed host with a scheme", map[string]any{"allowedHosts": []any{"https://kubedeck.example.com"}}},
		{"log level", map[string]any{"logLevel": "verbose"}},
		{"both redis kinds", map[string]any{"redis": map[string]any{
			"external": map[string]any{"url": "redis://redis:6379/0"}, "bundled": map[string]any{"enabled": true}}}},
		{"redis url not redis", map[string]any{"redis": map[string]any{"external": map[string]any{"url": "http://redis:6379"}}}},
		{"redis bundled not a boolean", map[string]any{"redis": map[string]any{"bundled": map[string]any{"enabled": "yes"}}}},
		{"issuer over http", map[string]any{"oidc": map[string]any{"issuerURL": "http://login.example.com"}}},
		{"empty proxy secret key", map[string]any{"proxySecret": map[string]any{"key": ""}}},
		{"metrics on oauth2-proxy's port", map[string]any{"metrics": map[string]any{"port": 4180}}},
		{"service port out of range", map[string]any{"service": map[string]any{"port": 70000}}},
		{"helm repo without url", map[string]any{"helm": map[string]any{"repositories": []any{map[string]any{"name": "x"}}}}},
		{"helm repo with credentials in url", map[string]any{"helm": map[string]any{"repositories": []any{
			map[string]any{"name": "x", "url": "https://user:pw@charts.example.com"}}}}},
		{"helm repo name with a slash", map[string]any{"helm": map[string]any{"repositories": []any{
			map[string]any{"name": "a/b", "url": "https://charts.example.com"}}}}},
		{"max replicas too many", map[string]any{"clusterConfig": map[string]any{"maxReplicas": 5000}}},
		{"host template without name", map[string]any{"clusterConfig": map[string]any{"hostTemplate": "{namespace}.apps"}}},
		{"cluster config not namespace/name", map[string]any{"clusterConfig": map[string]any{"existing": "settings"}}},
		{"unknown cluster config key", map[string]any{"clusterConfig": map[string]any{"domian": "apps.example.com"}}},
		{"extra args not flags", map[string]any{"extraArgs": []any{"healthcheck"}}},
		{"no metrics namespaces", map[string]any{"metrics": map[string]any{"namespaces": []any{}}}},
		{"pdb max unavailable text", map[string]any{"podDisruptionBudget": map[string]any{"maxUnavailable": "one"}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := helm.RenderChart(chartDir, tc.values, namespace)
			if err == nil || !strings.Contains(err.Error(), "schema") {
				t.Errorf("rendered, or failed for another reason (%v); want the schema to refuse", err)
			}
		})
	}
}
