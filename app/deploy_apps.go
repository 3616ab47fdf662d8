package main

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// deployAppsState is the user's apps as GET /deployments last listed them,
// and where listing them stands.
type deployAppsState struct {
	Apps   []shared.DeployedApp
	Status loadStatus
	// Err is why the last list failed: the whole state when nothing was
	// listed before, else a note beside the apps listed earlier.
	Err string
}

// listed takes a list's outcome.
func (s *deployAppsState) listed(apps []shared.DeployedApp, err error, now time.Time) {
	if err != nil {
		if s.Status == statusLoaded {
			s.Err = "Showing your apps as of " + now.Format("15:04:05") + "; listing them again failed: " + err.Error()
		} else {
			s.Status, s.Err = statusFailed, err.Error()
		}
		return
	}
	apps = slices.Clone(apps)
	slices.SortFunc(apps, func(a, b shared.DeployedApp) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	s.Apps, s.Status, s.Err = apps, statusLoaded, ""
}

// removed drops an app just deleted, until the next list.
func (s *deployAppsState) removed(a shared.DeployedApp) {
	s.Apps = slices.DeleteFunc(slices.Clone(s.Apps), func(b shared.DeployedApp) bool {
		return b.Namespace == a.Namespace && b.Name == a.Name
	})
}

// deployApps lists the user's apps: status, address, and Edit, Roll back
// and Delete.
type deployApps struct {
	app.Compo
	guarded

	Apps   []shared.DeployedApp
	Status loadStatus
	Err    string
	Base   string

	onEdit     func(ctx app.Context, a shared.DeployedApp)
	onDelete   func(ctx app.Context, a shared.DeployedApp)
	onRollback func(ctx app.Context, a shared.DeployedApp)
	onRetry    func(ctx app.Context)
}

func newDeployApps() *deployApps { return &deployApps{} }

// Show sets the apps and where listing them stands.
func (d *deployApps) Show(apps []shared.DeployedApp, status loadStatus, err string) *deployApps {
	d.Apps, d.Status, d.Err = apps, status, err
	return d
}

// BasePath sets the prefix of the links.
func (d *deployApps) BasePath(base string) *deployApps { d.Base = base; return d }

// OnEdit sets what an app's Edit does.
func (d *deployApps) OnEdit(f func(app.Context, shared.DeployedApp)) *deployApps {
	d.onEdit = f
	return d
}

// OnDelete sets what an app's Delete does (it asks first).
func (d *deployApps) OnDelete(f func(app.Context, shared.DeployedApp)) *deployApps {
	d.onDelete = f
	return d
}

// OnRollback sets what an app's Roll back does (it asks first).
func (d *deployApps) OnRollback(f func(app.Context, shared.DeployedApp)) *deployApps {
	d.onRollback = f
	return d
}

// OnRetry sets what Retry does after a failed list.
func (d *deployApps) OnRetry(f func(app.Context)) *deployApps { d.onRetry = f; return d }

// Guard sets the error boundary's wrapper for the list's handlers.
func (d *deployApps) Guard(wrap func(app.EventHandler) app.EventHandler) *deployApps {
	d.setGuard(wrap)
	return d
}

// Render shows the list, or the state that stands in for it.
func (d *deployApps) Render() app.UI {
	return app.Section().ID("deploy-apps").Class("kd-card").Aria("labelledby", "deploy-apps-title").Body(
		app.H2().ID("deploy-apps-title").TabIndex(-1).Text("My apps"),
		d.body(),
	)
}

func (d *deployApps) body() app.UI {
	switch {
	case d.Status == statusFailed:
		return app.Div().Class("kd-state kd-state-failed").Role("alert").Body(
			app.P().Text("Your apps could not be listed: "+d.Err),
			app.Button().Type("button").Class("kd-button kd-retry").OnClick(d.guard(d.retry)).Text("Retry"),
		)
	case d.Status != statusLoaded:
		return app.P().Class("kd-state kd-state-loading").Aria("busy", "true").Text("Listing your apps…")
	case len(d.Apps) == 0:
		return app.P().Class("kd-state kd-state-empty").Text("You have no apps made with Kubedeck yet.")
	}
	return app.Div().Body(
		app.If(d.Err != "", func() app.UI {
			return app.P().Class("kd-note kd-stale-note").Role("status").Text(d.Err)
		}),
		app.Div().Class("kd-table-wrap").Body(
			app.Table().Class("kd-table").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text("App"),
					app.Th().Scope("col").Text("Status"),
					app.Th().Scope("col").Text("Image"),
					app.Th().Scope("col").Text("Address"),
					app.Th().Scope("col").Body(app.Span().Class("kd-sr-only").Text("Actions")),
				)),
				app.TBody().Body(app.Range(d.Apps).Slice(func(i int) app.UI { return d.row(d.Apps[i]) })),
			),
		),
	)
}

// row is one app.
func (d *deployApps) row(a shared.DeployedApp) app.UI {
	key := a.Namespace + "-" + a.Name
	objects := objectsView{Kind: "deployments", Namespace: a.Namespace, Name: a.Name, Page: 1}
	return app.Tr().Class("kd-app-row").DataSet("name", a.Name).DataSet("namespace", a.Namespace).
		DataSet("phase", string(a.Progress.Phase)).Body(
		app.Td().Body(
			app.A().Class("kd-app-name").Href(d.Base+"/apps/objects?"+objects.encode()).Text(a.Name),
			app.Span().Class("kd-muted").Text(" in "+a.Namespace),
		),
		app.Td().Class("kd-event-message").Body(
			phaseBadge(a.Progress.Phase),
			app.If(a.Progress.Desired > 0, func() app.UI {
				return app.Span().Class("kd-replicas").Text(fmt.Sprintf(" %d/%d ready", a.Progress.Ready, a.Progress.Desired))
			}),
			app.If(a.Progress.Message != "", func() app.UI {
				return app.P().Class("kd-app-message").Text(a.Progress.Message)
			}),
		),
		app.Td().Class("kd-app-image").Text(a.Image),
		app.Td().Body(d.address(a)),
		app.Td().Class("kd-app-actions").Body(
			app.Button().Type("button").ID("deploy-app-edit-"+key).Class("kd-button").
				Aria("label", "Edit app "+a.Namespace+"/"+a.Name).
				OnClick(d.guard(d.edit(a)), app.EventScope("edit-"+key)).Text("Edit"),
			app.Button().Type("button").ID("deploy-app-rollback-"+key).Class("kd-button").
				Aria("label", "Roll app "+a.Namespace+"/"+a.Name+" back to its previous revision").
				OnClick(d.guard(d.rollback(a)), app.EventScope("rollback-"+key)).Text("Roll back"),
			app.Button().Type("button").ID("deploy-app-delete-"+key).Class("kd-button kd-danger").
				Aria("label", "Delete app "+a.Namespace+"/"+a.Name).
				OnClick(d.guard(d.delete(a)), app.EventScope("delete-"+key)).Text("Delete"),
		),
	)
}

// address is where the app is reached: its URL when outside the cluster.
func (d *deployApps) address(a shared.DeployedApp) app.UI {
	switch {
	case a.URL != "":
		return app.A().Class("kd-app-url").Href(a.URL).Attr("target", "_blank").Attr("rel", "noopener noreferrer").
			OnClick(leaveApp, app.EventScope("url-"+a.Namespace+"-"+a.Name)).Text(a.URL)
	case a.Exposure == shared.ExposeInternal:
		return app.Span().Class("kd-muted").Text("Inside the cluster")
	}
	return app.Span().Class("kd-muted").Text("Not exposed")
}

// phaseBadge shows a rollout's phase in colour and in words.
func phaseBadge(phase shared.DeploymentPhase) app.UI {
	level := "unknown"
	switch phase {
	case shared.PhaseAvailable:
		level = "ok"
	case shared.PhasePending, shared.PhaseProgressing:
		level = "warning"
	case shared.PhaseFailed:
		level = "error"
	}
	text := string(phase)
	if text == "" {
		text = "Unknown"
	}
	return app.Span().Class("kd-badge kd-badge-" + level).Text(text)
}

func (d *deployApps) edit(a shared.DeployedApp) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if d.onEdit != nil {
			d.onEdit(ctx, a)
		}
	}
}

func (d *deployApps) delete(a shared.DeployedApp) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if d.onDelete != nil {
			d.onDelete(ctx, a)
		}
	}
}

func (d *deployApps) rollback(a shared.DeployedApp) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if d.onRollback != nil {
			d.onRollback(ctx, a)
		}
	}
}

func (d *deployApps) retry(ctx app.Context, e app.Event) { callIfSet(d.onRetry, ctx) }
