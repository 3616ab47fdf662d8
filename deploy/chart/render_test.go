package chart_test

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/kube/helm"
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
