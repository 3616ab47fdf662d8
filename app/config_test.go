//go:build !wasm

package main

import (
	"io"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(t *testing.T, c config)
		wantErr string
	}{
		{name: "defaults", check: func(t *testing.T, c config) {
			if c.listen != "127.0.0.1:8080" || c.authMode != "proxy" || c.basePath != "" {
				t.Errorf("defaults: %+v", c)
			}
			p, _ := c.proxies()
			if diff := cmp.Diff([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("::1/128")}, p,
				cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("proxies (-want +got):\n%s", diff)
			}
		}},
		{name: "environment", env: map[string]string{"KUBEDECK_LISTEN": ":9000", "KUBEDECK_BASE_PATH": "/v2/", "KUBEDECK_REDIS_URL": "redis://r:6379"},
			check: func(t *testing.T, c config) {
				if c.listen != ":9000" || c.basePath != "/v2" || c.redisURL != "redis://r:6379" {
					t.Errorf("from env: %+v", c)
				}
			}},
		{name: "flag beats environment", args: []string{"--listen", ":7000"}, env: map[string]string{"KUBEDECK_LISTEN": ":9000"},
			check: func(t *testing.T, c config) {
				if c.listen != ":7000" {
					t.Errorf("listen %q", c.listen)
				}
			}},
		{name: "trust everyone refused", args: []string{"--trusted-proxies", "10.0.0.0/8,0.0.0.0/0"}, wantErr: "would trust identity headers from anyone"},
		{name: "trust everyone v6 refused", env: map[string]string{"KUBEDECK_TRUSTED_PROXIES": "::/0"}, wantErr: "from anyone"},
		{name: "bad cidr", args: []string{"--trusted-proxies", "10.0.0.300/8"}, wantErr: "--trusted-proxies"},
		{name: "bad base path", args: []string{"--base-path", "v2"}, wantErr: "must start with /"},
		{name: "bad log level", args: []string{"--log-level", "loud"}, wantErr: "--log-level"},
		{name: "bad env duration", env: map[string]string{"KUBEDECK_SHUTDOWN_TIMEOUT": "soon"}, wantErr: "KUBEDECK_SHUTDOWN_TIMEOUT"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestHelpListsEveryFlagWithItsVariable(t *testing.T) {
	var out strings.Builder
	_, err := parseConfig([]string{"--help"}, func(string) string { return "" }, &out)
	if err == nil {
		t.Fatal("--help did not stop parsing")
	}
	for _, want := range []string{"-listen", "KUBEDECK_LISTEN", "-base-path", "-auth-mode", "-trusted-proxies", "-redis-url", "KUBEDECK_LOG_LEVEL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %s", want)
		}
	}
}
