// Package chart_test checks Kubedeck's Helm chart (deploy/chart/kubedeck)
// as the Helm SDK renders it: the objects it makes, their security, and the
// values its schema refuses. Its TestMain starts the local cluster, where
// docs_test.go runs the commands of docs/deploy.md and of the chart's
// NOTES.txt. kube/helm's chartinstall_cluster_test.go installs it into the
// local cluster.
package chart_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/deploy/rbac"
	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

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
