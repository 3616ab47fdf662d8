package shared

import (
	"strings"
	"testing"
)

func TestCheckHostTemplate(t *testing.T) {
	tests := []struct {
		template string
		ok       bool
	}{
		{DefaultHostTemplate, true},
		{"{namespace}.{name}.{domain}", true},
		{"app-{name}.{namespace}.apps.example.com", true},
		{"{name}.{namespace}", true},
		{"{name}-{namespace}.{domain}", false}, // shop in team-web = shop-team in web
		{"{name}{namespace}.{domain}", false},
		{"{name}.{domain}", false},           // one host per name in every namespace
		{"{namespace}.{domain}", false},      // one host per namespace
		{"{name}.{name}.{namespace}", false}, // twice
		{"x.{name}--{namespace}.{domain}", false},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			if err := CheckHostTemplate(tt.template); (err == nil) != tt.ok {
				t.Errorf("CheckHostTemplate(%q) = %v, want ok=%v", tt.template, err, tt.ok)
			}
		})
	}
}

// FuzzCheckHostTemplate: a template CheckHostTemplate accepts never gives
// two different apps one host.
func FuzzCheckHostTemplate(f *testing.F) {
	f.Add("{name}.{namespace}.{domain}", "shop", "team-web", "shop-team", "web")
	f.Add("{name}-{namespace}.{domain}", "shop", "team-web", "shop-team", "web")
	f.Add("a{name}.b{namespace}c", "a", "b-c", "a-b", "c")
	f.Fuzz(func(t *testing.T, tmpl, name1, ns1, name2, ns2 string) {
		if CheckHostTemplate(tmpl) != nil {
			return
		}
		label := func(s string) bool {
			return s != "" && len(s) <= 63 && !strings.ContainsAny(s, ".{}") && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
		}
		if !label(name1) || !label(ns1) || !label(name2) || !label(ns2) || (name1 == name2 && ns1 == ns2) {
			return
		}
		c := DeploymentConfig{HostTemplate: tmpl, Domain: "apps.example.com"}
		if h := c.Host(name1, ns1); h == c.Host(name2, ns2) {
			t.Errorf("template %q gives %s/%s and %s/%s one host, %s", tmpl, ns1, name1, ns2, name2, h)
		}
	})
}
