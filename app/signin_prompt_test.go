package main

import (
	"strings"
	"testing"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

func TestSignInURL(t *testing.T) {
	tests := []struct {
		name, base, signOut, back, want string
	}{
		{"before /me answered", "", "", "/apps/deploy", "/oauth2/start?rd=%2Fapps%2Fdeploy"},
		{"beside oauth2-proxy's sign-out", "/v2", "/v2/oauth2/sign_out?rd=%2F", "/v2/apps/objects?q=x",
			"/v2/oauth2/start?rd=%2Fv2%2Fapps%2Fobjects%3Fq%3Dx"},
		{"an absolute sign-out URL", "", "https://auth.example.com/oauth2/sign_out", "/",
			"https://auth.example.com/oauth2/start?rd=%2F"},
		{"a sign-out URL elsewhere: the base path's", "/v2", "https://idp.example.com/logout", "",
			"/v2/oauth2/start?rd=%2Fv2%2F"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := signInURL(tc.base, tc.signOut, tc.back); got != tc.want {
				t.Errorf("signInURL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLayoutShowsTheSignInPromptOnce(t *testing.T) {
	signedIn := newLayout().BasePath("/v2")
	load(t, signedIn)
	if strings.Contains(app.HTMLString(signedIn), "kd-signin") {
		t.Fatal("the prompt shows while signed in")
	}
	l := newLayout().BasePath("/v2")
	l.signedIn(shared.Me{User: "ada", SignOutURL: "/v2/oauth2/sign_out"})
	l.endSession("/v2/apps/deploy")
	l.endSession("/v2/elsewhere") // a second 401 changes nothing
	load(t, l)
	html := app.HTMLString(l)
	for _, s := range []string{`role="alertdialog"`, `aria-modal`, "Your session has ended — sign in again",
		`href="/v2/oauth2/start?rd=%2Fv2%2Fapps%2Fdeploy"`} {
		if !strings.Contains(html, s) {
			t.Errorf("no %s in the prompt:\n%s", s, html)
		}
	}
	if strings.Contains(html, "dismiss") || strings.Contains(html, "Dismiss: Your session") {
		t.Error("the prompt can be dismissed")
	}
}
