package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// deployPermissions shows what the user may do in the namespace the wizard
// deploys to, with the button that asks Kubernetes again. It is a
// component of its own so that typing in the wizard, which renders the page
// again, does not rebuild the list: go-app renders it only when the
// permissions change.
type deployPermissions struct {
	app.Compo
	guarded

	Perms nsPermissions

	onRecheck app.EventHandler
}

func newDeployPermissions() *deployPermissions { return &deployPermissions{} }

// Show sets the permissions shown.
func (d *deployPermissions) Show(p nsPermissions) *deployPermissions { d.Perms = p; return d }

// OnRecheck sets what "Check my permissions again" does.
func (d *deployPermissions) OnRecheck(h app.EventHandler) *deployPermissions {
	d.onRecheck = h
	return d
}

// Guard sets the error boundary's wrapper for the button's handler.
func (d *deployPermissions) Guard(wrap func(app.EventHandler) app.EventHandler) *deployPermissions {
	d.setGuard(wrap)
	return d
}

// Render shows the button and, once Kubernetes answered, the list.
func (d *deployPermissions) Render() app.UI {
	p := d.Perms
	return app.Div().Class("kd-deploy-perms").Body(
		disabledIf(app.Button().Type("button").ID("deploy-recheck").Class("kd-button").
			Title("Ask Kubernetes again, after your rights changed").
			Text("Check my permissions again").OnClick(d.guard(d.recheck)), p.Status == statusLoading),
		app.If(p.Status == statusLoaded, func() app.UI { return permissionsList(p) }),
	)
}

func (d *deployPermissions) recheck(ctx app.Context, e app.Event) {
	if d.onRecheck != nil {
		d.onRecheck(ctx, e)
	}
}
