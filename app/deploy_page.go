package main

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// namespaceStorageKey is where the last namespace chosen is remembered
// (localStorage). It is about the user, so logout removes it.
const namespaceStorageKey = "kubedeck.namespace"

// deployPage is the page at /apps/deploy. The deployment wizard is a later
// version's; this page already lets the user choose a namespace, tells them
// whether they may deploy there (and why not), and lists what else they may
// and may not do there, as Kubernetes answers for them.
type deployPage struct {
	app.Compo

	link  *serverLink      // the layout's link to the server, as every page has
	perms *permissionStore // link.perms

	known      permissionSet // observed: permissionsState
	namespaces []shared.Namespace
	nsStatus   loadStatus
	nsProblem  string // why the namespaces are not listed, for people
	namespace  string // chosen
	draft      string // typed, when the namespaces cannot be listed
	notice     string // what pressing Deploy said
}

func newDeployPage() *deployPage { return &deployPage{} }

// Server sets the layout's link to the server, through which the page asks
// what the user may do and reaches the API.
func (p *deployPage) Server(l *serverLink) *deployPage {
	p.link = l
	if l != nil {
		p.perms = l.perms
	}
	return p
}

// OnMount follows the permissions, remembers the last namespace and lists
// the namespaces.
func (p *deployPage) OnMount(ctx app.Context) {
	ctx.ObserveState(permissionsState, &p.known)
	_ = ctx.LocalStorage().Get(namespaceStorageKey, &p.namespace) // nothing remembered: choose below
	client := p.client()
	if client == nil {
		return
	}
	p.nsStatus = statusLoading
	ctx.Async(func() {
		list, err := apiGet[[]shared.Namespace](ctx, client, "/namespaces", quietOn(http.StatusForbidden))
		ctx.Dispatch(func(ctx app.Context) { p.listed(ctx, list, err) })
	})
	if p.namespace != "" {
		p.perms.ensure(ctx, p.namespace)
	}
}

// client is the layout's API client, or nil.
func (p *deployPage) client() *apiClient {
	if p.link == nil || p.perms == nil {
		return nil
	}
	return p.link.api
}

// listed takes the namespaces the server listed and chooses one: the one
// remembered when it is listed, else "default", else the first.
func (p *deployPage) listed(ctx app.Context, list []shared.Namespace, err error) {
	var re *replyError
	if err != nil || len(list) == 0 {
		p.draft = p.namespace
	}
	switch {
	case errors.As(err, &re) && re.Status == http.StatusUnauthorized:
		p.nsStatus, p.nsProblem = statusFailed, "You are not signed in."
		return
	case errors.As(err, &re) && re.Status == http.StatusForbidden:
		p.nsStatus, p.nsProblem = statusFailed, "You may not list the namespaces of this cluster: type the name of one you work in."
		return
	case err != nil:
		p.nsStatus, p.nsProblem = statusFailed, "The namespaces could not be listed ("+err.Error()+"): type the name of one you work in."
		return
	case len(list) == 0:
		p.nsStatus, p.nsProblem = statusFailed, "You may see no namespace of this cluster: type the name of one you work in."
		return
	}
	p.nsStatus, p.namespaces = statusLoaded, list
	names := make([]string, len(list))
	for i, ns := range list {
		names[i] = ns.Name
	}
	switch {
	case slices.Contains(names, p.namespace):
	case slices.Contains(names, "default"):
		p.choose(ctx, "default")
	default:
		p.choose(ctx, names[0])
	}
	p.perms.ensure(ctx, p.namespace)
}

// choose makes namespace the chosen one, remembers it and checks the
// user's permissions there.
func (p *deployPage) choose(ctx app.Context, namespace string) {
	if namespace == "" {
		return
	}
	p.namespace, p.notice = namespace, ""
	_ = ctx.LocalStorage().Set(namespaceStorageKey, namespace) // not remembered: chosen again next time
	if p.perms != nil {
		p.perms.ensure(ctx, namespace)
	}
}

// Render shows the page.
func (p *deployPage) Render() app.UI {
	perms := p.known.of(p.namespace)
	ok, why := perms.can(shared.ActionCreateDeployments)
	return app.Section().ID("page-deploy").Class("kd-page").Body(
		app.H1().Text("Deploy an application"),
		app.P().Class("kd-lead").Text("Kubedeck acts as you: Kubernetes decides, for the namespace you choose, what you may do there."),
		app.Div().Class("kd-card kd-deploy-start").Body(
			app.H2().Text("Deploy a container"),
			p.namespaceChooser(),
			app.Div().Class("kd-deploy-actions").Body(
				newGuardedButton("deploy-start", "Deploy a container").
					Class("kd-button kd-primary").Allowed(ok, why).OnClick(p.deploy).UI(),
				app.If(p.namespace != "" && p.perms != nil, func() app.UI { return p.recheckButton(perms) }),
			),
			app.If(p.notice != "", func() app.UI {
				return app.P().ID("deploy-notice").Class("kd-notice").Attr("role", "status").Text(p.notice)
			}),
			app.P().Class("kd-muted").Text("The deployment wizard is not part of this version of Kubedeck yet: "+
				"this page tells you where you may deploy; the form to describe your container comes in the next release."),
		),
		app.If(perms.Status == statusLoaded, func() app.UI { return permissionsList(perms) }),
	)
}

// namespaceChooser is a list of the namespaces the user may see or, when
// they cannot be listed, a field to type one.
func (p *deployPage) namespaceChooser() app.UI {
	switch p.nsStatus {
	case statusLoaded:
		return app.Div().Class("kd-field").Body(
			app.Label().For("deploy-namespace").Text("Namespace"),
			app.Select().ID("deploy-namespace").Class("kd-select").OnChange(p.selected).Body(
				app.Range(p.namespaces).Slice(func(i int) app.UI {
					name := p.namespaces[i].Name
					option := app.Option().Value(name).Text(name)
					if name == p.namespace {
						option = option.Selected(true) // a false one would still be written out
					}
					return option
				}),
			),
		)
	case statusFailed:
		return app.Form().Class("kd-field").OnSubmit(p.typed).Body(
			app.Label().For("deploy-namespace-name").Text("Namespace"),
			app.P().ID("deploy-namespace-help").Class("kd-muted").Text(p.nsProblem),
			app.Input().Type("text").ID("deploy-namespace-name").Class("kd-input").
				Aria("describedby", "deploy-namespace-help").AutoComplete(false).
				Value(p.draft).OnInput(p.typing),
			app.Button().Type("submit").Class("kd-button").Text("Check"),
		)
	default:
		return app.P().Class("kd-muted").Text("Listing the namespaces you may see…")
	}
}

// recheckButton asks Kubernetes again; it is disabled while it asks.
func (p *deployPage) recheckButton(perms nsPermissions) app.UI {
	b := app.Button().Type("button").ID("deploy-recheck").Class("kd-button").
		Title("Ask Kubernetes again, after your rights changed").
		Text("Check my permissions again").OnClick(p.recheck)
	if perms.Status == statusLoading {
		b = b.Disabled(true)
	}
	return b
}

func (p *deployPage) selected(ctx app.Context, e app.Event) {
	p.choose(ctx, ctx.JSSrc().Get("value").String())
}

func (p *deployPage) typing(ctx app.Context, e app.Event) {
	p.draft = ctx.JSSrc().Get("value").String()
}

func (p *deployPage) typed(ctx app.Context, e app.Event) {
	e.PreventDefault()
	p.choose(ctx, strings.ToLower(strings.TrimSpace(p.draft)))
}

func (p *deployPage) recheck(ctx app.Context, e app.Event) {
	p.notice = ""
	p.perms.refresh(ctx, p.namespace)
}

// deploy answers the Deploy button plainly: the wizard is not here yet.
func (p *deployPage) deploy(ctx app.Context, e app.Event) {
	if ok, _ := p.known.of(p.namespace).can(shared.ActionCreateDeployments); !ok {
		return
	}
	p.notice = "You may create deployments in " + p.namespace + ". The deployment wizard arrives in the next " +
		"release of Kubedeck; nothing was deployed."
}
