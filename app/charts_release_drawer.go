package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// releaseTab is a tab of the release drawer.
type releaseTab string

// The release drawer's tabs, in order.
const (
	releaseTabOverview  releaseTab = "Overview"
	releaseTabValues    releaseTab = "Values"
	releaseTabManifest  releaseTab = "Manifest"
	releaseTabNotes     releaseTab = "Notes"
	releaseTabHistory   releaseTab = "History"
	releaseTabResources releaseTab = "Resources"
)

var releaseTabs = []releaseTab{releaseTabOverview, releaseTabValues, releaseTabManifest,
	releaseTabNotes, releaseTabHistory, releaseTabResources}

// param is the tab as the page's URL names it: its name in lower case.
func (t releaseTab) param() string { return strings.ToLower(string(t)) }

// releaseDrawer shows one release in detail, a tab at a time; History
// rolls it back to a revision.
type releaseDrawer struct {
	app.Compo
	guarded

	Ref     shared.ReleaseRef
	State   loadStatus
	Detail  shared.ReleaseDetailReply
	Error   string
	Working bool // an operation on the release is being followed
	Now     time.Time
	Root    string // the API's root, which the icon's path is relative to
	// Perms is what the user may do in the release's namespace: upgrade
	// and roll back need "install charts", uninstall "uninstall charts".
	Perms nsPermissions
	Tab   releaseTab // the tab shown; "" for the first

	onTab      func(app.Context, releaseTab)
	onClose    func(app.Context)
	onRetry    func(app.Context)
	onRollback func(app.Context, int)
	onRemove   func(app.Context)
	onUpgrade  func(app.Context)
}

func newReleaseDrawer() *releaseDrawer { return &releaseDrawer{} }

// Release names the release shown.
func (d *releaseDrawer) Release(ref shared.ReleaseRef) *releaseDrawer { d.Ref = ref; return d }

// Loaded sets where the load stands and what it brought.
func (d *releaseDrawer) Loaded(s loadStatus, det shared.ReleaseDetailReply, err string) *releaseDrawer {
	d.State, d.Detail, d.Error = s, det, err
	return d
}

// Busy says an operation on the release runs: rollback waits for it.
func (d *releaseDrawer) Busy(b bool) *releaseDrawer { d.Working = b; return d }

// Permissions sets what the user may do in the release's namespace.
func (d *releaseDrawer) Permissions(p nsPermissions) *releaseDrawer { d.Perms = p; return d }

// Showing sets the tab shown ("" for the first).
func (d *releaseDrawer) Showing(t releaseTab) *releaseDrawer { d.Tab = t; return d }

// OnTab sets what choosing a tab does (the page keeps it in its URL).
func (d *releaseDrawer) OnTab(f func(app.Context, releaseTab)) *releaseDrawer { d.onTab = f; return d }

// At sets the time ages count from.
func (d *releaseDrawer) At(now time.Time) *releaseDrawer { d.Now = now; return d }

// IconRoot sets the API's root, which the chart's icon path is relative to.
func (d *releaseDrawer) IconRoot(root string) *releaseDrawer { d.Root = root; return d }

// OnUpgrade sets what Upgrade does (it opens the upgrade form).
func (d *releaseDrawer) OnUpgrade(f func(app.Context)) *releaseDrawer { d.onUpgrade = f; return d }

// OnClose sets what Close and Escape do.
func (d *releaseDrawer) OnClose(f func(app.Context)) *releaseDrawer { d.onClose = f; return d }

// OnRetry sets what Retry does after a failed load.
func (d *releaseDrawer) OnRetry(f func(app.Context)) *releaseDrawer { d.onRetry = f; return d }

// OnRollback sets what a revision's Roll back button does.
func (d *releaseDrawer) OnRollback(f func(app.Context, int)) *releaseDrawer {
	d.onRollback = f
	return d
}

// OnUninstall sets what Uninstall does (it asks first).
func (d *releaseDrawer) OnUninstall(f func(app.Context)) *releaseDrawer { d.onRemove = f; return d }

// Guard sets the error boundary's wrapper for the drawer's handlers.
func (d *releaseDrawer) Guard(wrap func(app.EventHandler) app.EventHandler) *releaseDrawer {
	d.setGuard(wrap)
	return d
}

// current is the tab shown.
func (d *releaseDrawer) current() releaseTab {
	if d.Tab == "" {
		return releaseTabOverview
	}
	return d.Tab
}

// Render shows the drawer.
func (d *releaseDrawer) Render() app.UI {
	cur := d.current()
	return app.Aside().ID("kd-drawer").Class("kd-drawer kd-release-drawer").Role("dialog").Aria("modal", "false").
		Aria("labelledby", "kd-drawer-title").OnKeyDown(d.guard(d.key)).Body(
		app.Div().Class("kd-drawer-head").Body(
			app.Div().Body(
				app.P().Class("kd-muted kd-drawer-kind").Text("Helm release"),
				app.H2().ID("kd-drawer-title").Text(d.Ref.Namespace+"/"+d.Ref.Name),
			),
			app.Div().Class("kd-drawer-tools").Body(
				d.upgradeButton(),
				d.uninstallButton(),
				app.Button().Type("button").ID("kd-drawer-close").Class("kd-button").
					Aria("label", "Close the details of "+d.Ref.Name).OnClick(d.guard(d.close)).Text("Close"),
			),
		),
		app.Div().Class("kd-tabs").Role("tablist").Aria("label", "Details").Body(
			app.Range(releaseTabs).Slice(func(i int) app.UI {
				t := releaseTabs[i]
				return app.Button().Type("button").Role("tab").ID("kd-tab-"+string(t)).
					Class("kd-tab").Aria("selected", t == cur).Aria("controls", "kd-tabpanel").
					OnClick(d.guard(d.choose(t)), app.EventScope("tab-"+string(t))).Text(string(t))
			}),
		),
		app.Div().ID("kd-tabpanel").Class("kd-tabpanel").Role("tabpanel").
			Aria("labelledby", "kd-tab-"+string(cur)).Aria("busy", d.State == statusLoading).Body(d.panel(cur)),
	)
}

// panel is the content of the current tab, or the load's state.
func (d *releaseDrawer) panel(t releaseTab) app.UI {
	switch {
	case d.State == statusFailed:
		return app.Div().Class("kd-state kd-state-failed").Role("alert").Body(
			app.P().Text(d.Error),
			app.Button().Type("button").Class("kd-button kd-retry").OnClick(d.guard(d.retry)).Text("Retry"),
		)
	case d.Detail.Release.Name == "":
		return app.P().Class("kd-state kd-state-loading").Text("Loading " + d.Ref.Name + "…")
	}
	det := d.Detail
	switch t {
	case releaseTabValues:
		if det.ValuesHidden {
			return hiddenValues()
		}
		return app.Div().Body(
			app.H3().Text("Values you gave"),
			yamlOr(det.Values, "No values were given: the chart's defaults apply."),
			app.H3().Text("Values the chart was rendered with"),
			yamlOr(det.ComputedValues, "None."),
		)
	case releaseTabManifest:
		if det.ValuesHidden {
			return hiddenValues()
		}
		return yamlOr(det.Manifest, "The release has no manifest.")
	case releaseTabNotes:
		if det.Notes == "" {
			return app.P().Class("kd-state kd-state-empty").Text("The chart wrote no notes.")
		}
		return app.Pre().Class("kd-release-notes").Text(det.Notes)
	case releaseTabHistory:
		return d.history()
	case releaseTabResources:
		return releaseObjects(det.Objects)
	}
	return d.overview()
}

// hiddenValues says why values and manifest do not show.
func hiddenValues() app.UI {
	return app.P().Class("kd-note").Role("note").
		Text("Hidden: you may not read this release's Secrets, where Helm keeps its values and manifest.")
}

// yamlOr shows src as YAML, or says none.
func yamlOr(src, none string) app.UI {
	if src == "" {
		return app.P().Class("kd-muted").Text(none)
	}
	return newYAMLView().YAML(src)
}

// overview is the release at a glance.
func (d *releaseDrawer) overview() app.UI {
	r := d.Detail.Release
	return app.Div().Body(
		app.Div().Class("kd-release-overview-head").Body(newChartIcon().Of(r.Chart, iconURL(d.Root, r.IconPath)), releaseStatus(r)),
		app.If(r.Stuck, func() app.UI {
			return app.P().Class("kd-note kd-stuck-note").Role("note").
				Text("This release is stuck in " + r.Status + ": no operation is working on it, and upgrades are blocked. Roll it back to a revision under History to recover.")
		}),
		app.Dl().Class("kd-facts").Body(
			fact("Chart", app.Text(chartText(r))),
			fact("App version", app.Text(orDash(r.AppVersion))),
			fact("Revision", app.Text(strconv.Itoa(r.Revision))),
			fact("Updated", app.Text(r.Updated.Format(time.RFC1123))),
			fact("Description", app.Text(orDash(r.Description))),
		),
	)
}

// history lists the revisions, newest first, each but the current one
// with a Roll back button.
func (d *releaseDrawer) history() app.UI {
	h := d.Detail.History
	if len(h) == 0 {
		return app.P().Class("kd-state kd-state-empty").Text("Helm keeps no history for this release.")
	}
	targets := rollbackTargets(d.Detail.ReleaseDetail)
	return app.Div().Class("kd-table-wrap").Body(
		app.Table().ID("kd-release-history").Class("kd-table").Body(
			app.Caption().Class("kd-visually-hidden").Text("Revisions, newest first"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("Revision"), app.Th().Scope("col").Text("Status"),
				app.Th().Scope("col").Text("Chart"), app.Th().Scope("col").Text("App version"),
				app.Th().Scope("col").Text("Updated"), app.Th().Scope("col").Text("Description"),
				app.Th().Scope("col").Body(app.Span().Class("kd-visually-hidden").Text("Actions")),
			)),
			app.TBody().Body(app.Range(h).Slice(func(i int) app.UI {
				rev := h[len(h)-1-i]
				n := strconv.Itoa(rev.Revision)
				return app.Tr().DataSet("revision", n).Body(
					app.Td().Text(n),
					app.Td().Body(releaseStatus(shared.Release{Status: rev.Status})),
					app.Td().Text(orDash(rev.ChartVersion)),
					app.Td().Text(orDash(rev.AppVersion)),
					app.Td().Text(updatedText(rev.Updated, d.Now)),
					app.Td().Text(orDash(rev.Description)),
					app.Td().Body(app.If(targets[rev.Revision], func() app.UI {
						b := app.Button().Type("button").ID("kd-rollback-"+n).Class("kd-button").
							Aria("label", "Roll back to revision "+n).
							OnClick(d.guard(d.rollback(rev.Revision)), app.EventScope("rollback-"+n)).Text("Roll back")
						if why := d.cannot(shared.ActionInstallCharts); why != "" {
							b = b.Disabled(true).Title(why)
						}
						return b
					})),
				)
			})),
		),
	)
}

// releaseObjects lists the release's objects with their live state.
func releaseObjects(objs []shared.ReleaseObject) app.UI {
	if len(objs) == 0 {
		return app.P().Class("kd-state kd-state-empty").Text("The release has no objects.")
	}
	return app.Div().Class("kd-table-wrap").Body(
		app.Table().ID("kd-release-objects").Class("kd-table").Body(
			app.Caption().Class("kd-visually-hidden").Text("The release's objects"),
			app.THead().Body(app.Tr().Body(
				app.Th().Scope("col").Text("Kind"), app.Th().Scope("col").Text("Namespace"),
				app.Th().Scope("col").Text("Name"), app.Th().Scope("col").Text("Status"),
			)),
			app.TBody().Body(app.Range(objs).Slice(func(i int) app.UI {
				o := objs[i]
				status := app.Span().Class("kd-muted").Text("not watched, or gone")
				if o.Found {
					level := o.Level
					if level == "" {
						level = shared.LevelUnknown
					}
					status = app.Span().Class("kd-badge kd-badge-" + string(level)).Text(orDash(o.Status))
				}
				return app.Tr().Body(
					app.Td().Text(o.Kind), app.Td().Text(orDash(o.Namespace)),
					app.Td().Text(o.Name), app.Td().Body(status),
				)
			})),
		),
	)
}

func (d *releaseDrawer) key(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Escape" {
		d.close(ctx, e)
	}
}

func (d *releaseDrawer) close(ctx app.Context, e app.Event) { callIfSet(d.onClose, ctx) }

func (d *releaseDrawer) retry(ctx app.Context, e app.Event) { callIfSet(d.onRetry, ctx) }

func (d *releaseDrawer) remove(ctx app.Context, e app.Event) { callIfSet(d.onRemove, ctx) }

func (d *releaseDrawer) choose(t releaseTab) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		d.Tab = t
		if d.onTab != nil {
			d.onTab(ctx, t)
		}
	}
}

func (d *releaseDrawer) rollback(rev int) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if d.onRollback != nil {
			d.onRollback(ctx, rev)
		}
	}
}

// cannot says why the user may not take action on the release now ("" when
// they may): an operation on it runs, or their rights in its namespace do
// not allow it (or are being checked).
func (d *releaseDrawer) cannot(action string) string {
	if d.Working {
		return "An operation on this release is running."
	}
	if ok, why := d.Perms.can(action); !ok {
		return why
	}
	return ""
}

// uninstallButton asks to uninstall the release, or says why it may not.
func (d *releaseDrawer) uninstallButton() app.UI {
	b := app.Button().Type("button").ID("kd-drawer-uninstall").Class("kd-button kd-danger").
		Aria("label", "Uninstall release "+d.Ref.Name).OnClick(d.guard(d.remove)).Text("Uninstall")
	if why := d.cannot(shared.ActionUninstallCharts); why != "" {
		b = b.Disabled(true).Title(why)
	}
	return b
}
