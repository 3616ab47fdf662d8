package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Paths into a mounted layout (no banners): the root div, then
// header 0, frame 1 (nav 0, main 1), footer 2, toasts 3.
var (
	pathHeaderTools = []int{0, 0, 0, 2}
	pathNavList     = []int{0, 1, 0, 0, 0}
	pathPage        = []int{0, 1, 1, 0, 0}
	pathToasts      = []int{0, 3, 0}
)

func at(base []int, more ...int) []int { return append(append([]int(nil), base...), more...) }

// load mounts c in a fresh test engine and runs what it dispatched.
func load(t *testing.T, c app.Composer) {
	t.Helper()
	e := app.NewTestEngine()
	if err := e.Load(c); err != nil {
		t.Fatalf("load %T: %v", c, err)
	}
	e.ConsumeAll()
}

func TestLayoutRendersEachRoutesPageInside(t *testing.T) {
	want := map[pageID]app.UI{
		pageOverview: app.Section().ID("page-overview").Class("kd-page"),
		pageDeploy:   app.Section().ID("page-deploy").Class("kd-page"),
		pageObjects:  app.Section().ID("page-objects").Class("kd-page"),
		pageCharts:   app.Section().ID("page-charts").Class("kd-page"),
	}
	for _, base := range []string{"", "/v2"} {
		for i, p := range shellPages() {
			t.Run(base+p.path, func(t *testing.T) {
				l := newLayout().BasePath(base).Page(p.id)
				load(t, l)
				if err := app.Match(app.Div().Class("kd-app"), l, 0); err != nil {
					t.Fatalf("layout root: %v", err)
				}
				if err := app.Match(app.Header().Class("kd-header"), l, 0, 0, 0); err != nil {
					t.Errorf("header: %v", err)
				}
				if err := app.Match(app.Main().ID("main").Class("kd-main"), l, 0, 1, 1); err != nil {
					t.Errorf("main: %v", err)
				}
				if err := app.Match(want[p.id], l, pathPage...); err != nil {
					t.Errorf("page %s inside the layout's main: %v", p.id, err)
				}
				current := app.A().Class("kd-nav-link kd-nav-current").Href(base+p.path).Aria("current", "page")
				if err := app.Match(current, l, at(pathNavList, i, 0)...); err != nil {
					t.Errorf("current link: %v", err)
				}
				html := app.HTMLString(l)
				if got := strings.Count(html, `aria-current="page"`); got != 1 {
					t.Errorf("%d links marked current, want 1", got)
				}
				for _, href := range []string{base + "/oauth2/sign_out", base + "/apps/deploy", base + "/apps/charts"} {
					if !strings.Contains(html, `href="`+href+`"`) {
						t.Errorf("no link to %s in:\n%s", href, html)
					}
				}
				if !strings.Contains(html, "kd-footer") || !strings.Contains(html, "Kubedeck "+uiVersion()) {
					t.Errorf("footer with the version missing")
				}
			})
		}
	}
}

func TestLayoutShowsNoInventedUser(t *testing.T) {
	for _, tc := range []struct{ name, user, want string }{
		{"unknown", "", "—"},
		{"known", "ada", "ada"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLayout()
			l.user = tc.user
			load(t, l)
			// The user area is the last of the header's tools.
			if err := app.Match(app.Text(tc.want), l, at(pathHeaderTools, 2, 0, 0)...); err != nil {
				t.Error(err)
			}
		})
	}
}

// memStore is a keyValueStore in memory, as localStorage would keep it.
type memStore map[string]string

func (m memStore) Set(k string, v any) error {
	b, err := json.Marshal(v)
	m[k] = string(b)
	return err
}

func (m memStore) Get(k string, v any) error {
	if s, ok := m[k]; ok {
		return json.Unmarshal([]byte(s), v)
	}
	return nil
}

func TestThemeToggle(t *testing.T) {
	tests := []struct {
		name     string
		presses  int
		want     theme
		label    string
		dataAttr bool
	}{
		{"follows the system at first", 0, themeSystem, "Theme: System", false},
		{"one press: light", 1, themeLight, "Theme: Light", true},
		{"two presses: dark", 2, themeDark, "Theme: Dark", true},
		{"three presses: back to the system", 3, themeSystem, "Theme: System", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := memStore{}
			l := newLayout()
			l.loadTheme(store)
			for range tc.presses {
				l.cycleTheme(store)
			}
			if l.theme != tc.want {
				t.Errorf("theme %q, want %q", l.theme, tc.want)
			}
			// The choice is remembered: a new layout loads it.
			again := newLayout()
			again.loadTheme(store)
			if again.theme != tc.want {
				t.Errorf("remembered theme %q, want %q", again.theme, tc.want)
			}
			load(t, again)
			root := app.Div().Class("kd-app")
			if tc.dataAttr {
				root = root.DataSet("theme", string(tc.want))
			}
			if err := app.Match(root, again, 0); err != nil {
				t.Errorf("layout root: %v", err)
			}
			if err := app.Match(app.Text(tc.label), again, at(pathHeaderTools, 1, 0)...); err != nil {
				t.Errorf("toggle label: %v", err)
			}
		})
	}
}

func TestParseThemeIgnoresJunk(t *testing.T) {
	for in, want := range map[string]theme{"": themeSystem, "light": themeLight, "dark": themeDark, "purple": themeSystem} {
		if got := parseTheme(in); got != want {
			t.Errorf("parseTheme(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToastsAddAndDismiss(t *testing.T) {
	l := newLayout()
	first := l.toasts.add(toastInfo, "first")
	second := l.toasts.add(toastError, "second")
	l.toasts.add(toastSuccess, "third")
	l.dismissToast(app.Context{}, second)
	l.dismissToast(app.Context{}, 999) // already gone: nothing happens

	want := []toast{{ID: first, Level: toastInfo, Text: "first"}, {ID: 3, Level: toastSuccess, Text: "third"}}
	if diff := cmp.Diff(want, l.toasts.list()); diff != "" {
		t.Errorf("toasts (-want +got):\n%s", diff)
	}
	load(t, l)
	if err := app.Match(app.Div().Class("kd-toasts").Role("status").Aria("live", "polite"), l, pathToasts...); err != nil {
		t.Fatalf("toast area: %v", err)
	}
	for i, text := range []string{"first", "third"} {
		if err := app.Match(app.Text(text), l, at(pathToasts, i, 0, 0)...); err != nil {
			t.Errorf("toast %d: %v", i, err)
		}
		dismiss := app.Button().Type("button").Class("kd-button kd-toast-dismiss").Aria("label", "Dismiss: "+text)
		dismiss = dismiss.OnClick(func(app.Context, app.Event) {})
		if err := app.Match(dismiss, l, at(pathToasts, i, 1)...); err != nil {
			t.Errorf("dismiss button %d: %v", i, err)
		}
	}
	if err := app.Match(app.Div(), l, at(pathToasts, 2)...); err == nil {
		t.Error("a dismissed toast is still shown")
	}
}

func TestToastListKeepsTheNewest(t *testing.T) {
	var l toastList
	for i := range maxToasts + 2 {
		l.add(toastInfo, string(rune('a'+i)))
	}
	var got []string
	for _, t := range l.list() {
		got = append(got, t.Text)
	}
	if diff := cmp.Diff([]string{"c", "d", "e", "f", "g"}, got); diff != "" {
		t.Errorf("toasts kept (-want +got):\n%s", diff)
	}
}

func TestConnectionState(t *testing.T) {
	tests := []struct {
		name                           string
		browserOnline, apiOK, socketUp bool
		want                           connState
	}{
		{"all up", true, true, true, connConnected},
		{"server unreachable", true, false, true, connReconnecting},
		{"socket down", true, true, false, connReconnecting},
		{"browser offline wins", false, false, false, connOffline},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c connection
			c.setBrowserOnline(tc.browserOnline)
			c.setAPIReachable(tc.apiOK)
			c.setSocketUp(tc.socketUp)
			if got := c.state(); got != tc.want {
				t.Errorf("state %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLayoutShowsTheSignedInUser(t *testing.T) {
	tests := []struct {
		name               string
		me                 shared.Me
		user, dev, signOut string
	}{
		{"proxy mode: the name Kubernetes knows", shared.Me{User: "u-123", Username: "ada", SignOutURL: "/v2/oauth2/sign_out?rd=x"}, "u-123", "", "/v2/oauth2/sign_out?rd=x"},
		{"no username", shared.Me{User: "u-123"}, "u-123", "", "/oauth2/sign_out"},
		{"dev mode", shared.Me{User: "developer", DevMode: true}, "developer", "developer", "/oauth2/sign_out"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLayout()
			l.signedIn(tc.me)
			load(t, l)
			html := app.HTMLString(l)
			if !strings.Contains(html, `>`+tc.user+`</span>`) {
				t.Errorf("user %q not in the header:\n%s", tc.user, html)
			}
			// go-app writes attributes in no fixed order: look for the href alone.
			if !strings.Contains(html, `href="`+tc.signOut+`"`) {
				t.Errorf("logout link is not %q", tc.signOut)
			}
			if got := strings.Contains(html, "kd-dev-banner"); got != (tc.dev != "") {
				t.Errorf("dev banner shown: %v, want %v", got, tc.dev != "")
			}
		})
	}
}
