//go:build !wasm

package main

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/kubedeck/kubedeck/shared"
)

// The wizard's flags become its configuration, checked by the same rules
// as the ConfigMap's keys; bad values stop the server with the flag named.
func TestDeployConfigFromFlags(t *testing.T) {
	noEnv := func(string) string { return "" }
	c, err := parseConfig([]string{"--ingress-domain", "apps.example.com", "--max-gpu", "2", "--max-replicas", "10",
		"--private-annotations", "nginx.ingress.kubernetes.io/auth-url=https://auth/oauth2/auth,a=b=c",
		"--cluster-config", "kubedeck/wizard"}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.deployConfig()
	if err != nil {
		t.Fatal(err)
	}
	if d.Domain != "apps.example.com" || d.MaxGPU != 2 || d.MaxReplicas != 10 || !d.Private ||
		d.PrivateAnnotations["a"] != "b=c" || d.HostTemplate != shared.DefaultHostTemplate {
		t.Errorf("config %+v", d)
	}
	if ns, name, err := c.clusterConfigMap(); err != nil || ns != "kubedeck" || name != "wizard" {
		t.Errorf("cluster config %q %q %v", ns, name, err)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--ingress-domain", "Not A Domain"}, "domain"},
		{[]string{"--max-replicas", "0"}, "maxReplicas"},
		{[]string{"--private-annotations", "novalue"}, "--private-annotations"},
		{[]string{"--host-template", "{namespace}.x"}, "hostTemplate"},
	} {
		c, err := parseConfig(tt.args, noEnv, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.deployConfig(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one naming %s", tt.args, err, tt.want)
		}
	}
	for _, v := range []string{"nons", "a/b/c", "../x", "ns/"} {
		c := config{clusterConfig: v}
		if _, _, err := c.clusterConfigMap(); err == nil {
			t.Errorf("--cluster-config %q accepted", v)
		}
	}
	local := config{}.withLocalClusterDefaults()
	if local.ingressDomain == "" || local.maxGPU != 4 {
		t.Errorf("local cluster defaults %+v", local)
	}
}

// The Helm flags: repositories by name=url, repeatable or comma-separated,
// credentials from a file; a repository named twice, a URL with a password
// in it or credentials for no repository stop the server.
func TestHelmOptionsFromFlags(t *testing.T) {
	dir := t.TempDir()
	creds := dir + "/creds"
	if err := os.WriteFile(creds, []byte("bot:s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if k == "KUBEDECK_HELM_REPO" {
			return "b=https://charts.example.com/b,c=http://10.0.0.1:8080"
		}
		return ""
	}
	c, err := parseConfig([]string{"--helm-repo", "a=https://charts.example.com/a", "--helm-repo-credentials", "a=" + creds}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := c.helmOptions()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range opts.Repositories {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "b,c,a" || opts.Repositories[2].Username != "bot" || opts.Repositories[2].Password != "s3cret" {
		t.Errorf("repositories %+v", opts.Repositories)
	}
	for _, args := range [][]string{
		{"--helm-repo", "a=https://x", "--helm-repo", "a=https://y"},
		{"--helm-repo", "a=https://user:pw@x"},
		{"--helm-repo", "a=file:///etc"},
		{"--helm-repo", "a/b=https://x"},
		{"--helm-repo-credentials", "z=" + creds},
	} {
		c, err := parseConfig(args, func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.helmOptions(); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
