package kube

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func TestParseDeployConfigMap(t *testing.T) {
	base := DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig(), IngressClass: "nginx"}
	tests := []struct {
		name     string
		data     map[string]string
		change   func(*DeployConfig)
		problems []string // keys refused
	}{
		{name: "nothing", data: nil, change: func(*DeployConfig) {}},
		{name: "every key", data: map[string]string{
			"domain": "apps.example.com", "ingressClass": "public", "tlsSecret": "wildcard", "hostTemplate": "{name}.{namespace}.{domain}",
			"privateAnnotations": "nginx.ingress.kubernetes.io/auth-url: https://auth/oauth2/auth\n",
			"gpuResource":        "amd.com/gpu", "maxGpu": "4", "maxReplicas": " 10 ",
			"presets":   "- {name: tiny, cpuRequest: 50m, memoryRequest: 64Mi}\n",
			"sharedPvc": "shared", "ssoTokenSecret": "sso",
		}, change: func(c *DeployConfig) {
			c.Domain, c.IngressClass, c.TLSSecret, c.HostTemplate = "apps.example.com", "public", "wildcard", "{name}.{namespace}.{domain}"
			c.PrivateAnnotations = map[string]string{"nginx.ingress.kubernetes.io/auth-url": "https://auth/oauth2/auth"}
			c.Private = true
			c.GPUResource, c.MaxGPU, c.MaxReplicas = "amd.com/gpu", 4, 10
			c.Presets = []shared.ResourcePreset{{Name: "tiny", CPURequest: "50m", MemoryRequest: "64Mi"}}
			c.SharedPVC, c.SSOTokenSecret = "shared", "sso"
		}},
		{name: "refused values keep the base", data: map[string]string{
			"domain": "Apps..com", "hostTemplate": "{namespace}.x", "gpuResource": "gpu", "maxGpu": "-1", "maxReplicas": "1e9",
			"privateAnnotations": "[1, 2]", "presets": "- {name: x, cpuRequest: 2, cpuLimit: 1}", "colour": "blue",
		}, change: func(*DeployConfig) {},
			problems: []string{"colour", "domain", "gpuResource", "hostTemplate", "maxGpu", "maxReplicas", "presets", "privateAnnotations"}},
		// "shop" in "team-web" and "shop-team" in "web" would share a host.
		{name: "a template joining name and namespace in one label", data: map[string]string{"hostTemplate": "{name}-{namespace}.{domain}"},
			change: func(*DeployConfig) {}, problems: []string{"hostTemplate"}},
		{name: "an empty domain turns exposure off", data: map[string]string{"domain": ""}, change: func(c *DeployConfig) { c.Domain = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := base
			b.Domain = "base.example.com"
			want := b
			tt.change(&want)
			got, problems := ParseDeployConfigMap(b, tt.data)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			var keys []string
			for _, p := range problems {
				k, _, _ := strings.Cut(p.Error(), ":")
				keys = append(keys, k)
			}
			if diff := cmp.Diff(tt.problems, keys); diff != "" {
				t.Errorf("refused keys (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseDeployConfigMap: no value of any key panics, and what is taken
// is within its bounds.
func FuzzParseDeployConfigMap(f *testing.F) {
	f.Add("presets", "- {name: a, cpuRequest: 1e999999999}")
	f.Add("privateAnnotations", "a: &x [*x]")
	f.Add("maxReplicas", "99999999999999999999")
	f.Add("hostTemplate", "{name}{name}{name}")
	f.Add("hostTemplate", "{name}-{namespace}.{domain}")
	f.Fuzz(func(t *testing.T, key, value string) {
		base := DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
		got, _ := ParseDeployConfigMap(base, map[string]string{key: value})
		if got.MaxReplicas < 1 || got.MaxReplicas > 1000 || got.MaxGPU < 0 || got.MaxGPU > 64 || len(got.Presets) > 10 {
			t.Fatalf("out of bounds: %+v", got)
		}
		if err := shared.CheckHostTemplate(got.HostTemplate); err != nil {
			t.Fatalf("took a host template that cannot keep hosts apart: %v", err)
		}
	})
}
