//go:build !wasm

package main

import (
	"io"
	"strings"
	"testing"
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
		d.PrivateAnnotations["a"] != "b=c" || d.HostTemplate != "{name}-{namespace}.{domain}" {
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
