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
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

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
						SecretSource struct {
							FromFile string `json:"fromFile"`
						} `json:"secretSource"`
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
					injected = h.Values[0].SecretSource.FromFile
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
