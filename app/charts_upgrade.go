package main

import (
	"net/http"
	"slices"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The upgrade of the drawer's release: the catalog is searched for the
// release's chart; when exactly one repository has it, the upgrade form
// opens on it at once, else the user picks the chart. The form (the
// install form in upgrade mode) offers its versions and the values the
// user gave the release, and its operation is followed like an install's.

// releaseUpgrade is where the drawer's upgrade stands.
type releaseUpgrade struct {
	ref     shared.ReleaseRef
	chart   string // the release's chart's name
	current string // the release's chart version
	values  string // the values the user gave the release, when they may read them
	hidden  bool   // the user may not read the release's values
	status  loadStatus
	err     string
	choices []shared.CatalogChart // what to pick from when the catalog has not exactly one such chart
	form    chartInstall
}

// begin starts the upgrade of the release det describes.
func (u *releaseUpgrade) begin(ref shared.ReleaseRef, det shared.ReleaseDetailReply) {
	*u = releaseUpgrade{ref: ref, chart: det.Release.Chart, current: det.Release.ChartVersion, status: statusLoading, hidden: det.ValuesHidden}
	if !det.ValuesHidden {
		u.values = det.Values
	}
}

// isOpen says whether the upgrade shows.
func (u *releaseUpgrade) isOpen() bool { return u.ref.Name != "" }

// close ends the upgrade, unless its operation runs.
func (u *releaseUpgrade) close() bool {
	if u.form.busy() {
		return false
	}
	*u = releaseUpgrade{}
	return true
}

// found takes the catalog's charts searched for the release's chart: the
// one of that name opens the form; several, or none, are for the user to
// pick from.
func (u *releaseUpgrade) found(charts []shared.CatalogChart, err error) {
	if err != nil {
		u.status, u.err = statusFailed, errorText(err)
		return
	}
	u.status = statusLoaded
	same := slices.DeleteFunc(slices.Clone(charts), func(ch shared.CatalogChart) bool { return ch.Name != u.chart })
	switch {
	case len(same) == 1:
		u.pick(same[0])
	case len(same) > 1:
		u.choices = same
	default:
		u.choices = slices.Clone(charts)
		if len(charts) == 0 {
			u.status, u.err = statusFailed, "No configured repository has a chart named "+u.chart+"."
		}
	}
}

// pick opens the form on ch, at its latest version; the release's own
// version is offered too, marked, even when the catalog no longer lists
// it.
func (u *releaseUpgrade) pick(ch shared.CatalogChart) {
	if u.form.busy() || u.form.following() {
		return
	}
	u.form.openUpgrade(u.ref, ch, "", u.values)
	if ch.Name == u.chart {
		u.form.current = u.current
	}
	u.form.valuesHidden = u.hidden
}

// pickRef picks the choice named "<repository>/<chart>".
func (u *releaseUpgrade) pickRef(ref string) {
	if i := slices.IndexFunc(u.choices, func(ch shared.CatalogChart) bool { return chartRef(ch) == ref }); i >= 0 {
		u.pick(u.choices[i])
	}
}

// startUpgrade opens the upgrade of the drawer's release (the URL says
// so, for a reload).
func (p *chartsPage) startUpgrade(ctx app.Context) {
	v := p.view
	v.Upgrade = true
	p.setView(ctx, v)
}

// beginUpgrade opens the upgrade form of the drawer's release, once its
// detail is loaded; while an operation works on the release, the drawer
// stays, and the URL says so.
func (p *chartsPage) beginUpgrade(ctx app.Context) {
	ref := p.detail.ref
	if !p.running || ref.Name == "" || p.detail.reply.Release.Name == "" {
		return
	}
	if p.ops.busy(ref.Namespace, ref.Name) {
		p.view.Upgrade = false
		p.writeURL(ctx)
		return
	}
	p.upgrade.begin(ref, p.detail.reply)
	p.findUpgradeChart()
	focusLater(ctx, "kd-upgrade-drawer-title")
}

// findUpgradeChart searches the catalog for the release's chart.
func (p *chartsPage) findUpgradeChart() {
	name, ref := p.upgrade.chart, p.upgrade.ref
	p.upgrade.status = statusLoading
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		cat, err := apiGet[shared.Catalog](stop, api, catalogPath(name), quiet())
		ui.Dispatch(func(ctx app.Context) {
			if p.running && p.upgrade.ref == ref {
				p.upgrade.found(cat.Charts, err)
				p.upgrade.restoreDraft(p.drafts)
				p.loadDefaults(p.upgradeForm)
			}
		})
	})
}

func (p *chartsPage) retryUpgrade(ctx app.Context, e app.Event) { p.findUpgradeChart() }

// closeUpgrade goes back to the drawer.
func (p *chartsPage) closeUpgrade(ctx app.Context) {
	if p.upgrade.form.busy() {
		return
	}
	forgetUpgradeDraft(p.drafts)
	v := p.view
	v.Upgrade = false
	p.setView(ctx, v)
	focusLater(ctx, "kd-drawer-upgrade")
}

func (p *chartsPage) cancelUpgrade(ctx app.Context, e app.Event) { p.closeUpgrade(ctx) }

func (p *chartsPage) changeUpgrade(ctx app.Context, field, value string) {
	p.upgrade.form.set(field, value)
	p.upgrade.saveDraft(p.drafts)
	p.loadDefaults(p.upgradeForm)
}

func (p *chartsPage) pickUpgradeChart(ctx app.Context, e app.Event) {
	p.upgrade.pickRef(ctx.JSSrc().Get("value").String())
	p.upgrade.restoreDraft(p.drafts)
	p.loadDefaults(p.upgradeForm)
}

func (p *chartsPage) editUpgrade(ctx app.Context) {
	p.upgrade.form.edit()
	focusLater(ctx, "kd-upgrade-title")
}

func (p *chartsPage) upgradeKey(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Escape" {
		p.closeUpgrade(ctx)
	}
}

// submitUpgrade sends the upgrade (PUT /charts/{name}) and follows its
// operation; a 400 puts the server's error beside its field.
func (p *chartsPage) submitUpgrade(ctx app.Context) {
	ref := p.upgrade.ref
	if !p.running || p.ops.busy(ref.Namespace, ref.Name) {
		return
	}
	req, ok := p.upgrade.form.start()
	if !ok {
		focusLater(ctx, "kd-upgrade-title")
		return
	}
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		var rep shared.OperationReply
		err := api.do(stop, http.MethodPut, releasePath(ref), req, &rep, quietOn(http.StatusBadRequest))
		ui.Dispatch(func(ctx app.Context) {
			if !p.running || p.upgrade.ref != ref {
				return
			}
			if err != nil {
				p.upgrade.form.refused(err)
				return
			}
			p.upgrade.form.accepted(rep.Operation)
			forgetUpgradeDraft(p.drafts)
			p.followOperation(ctx, rep.Operation)
		})
	})
}

// upgradePanel stands in for the drawer while the upgrade shows.
func (p *chartsPage) upgradePanel() app.UI {
	u := p.upgrade
	title := "Upgrade " + u.ref.Namespace + "/" + u.ref.Name
	return app.Aside().ID("kd-upgrade-drawer").Class("kd-drawer kd-release-drawer").Role("dialog").Aria("modal", "false").
		Aria("labelledby", "kd-upgrade-drawer-title").OnKeyDown(p.guard(p.upgradeKey)).Body(
		app.Div().Class("kd-drawer-head").Body(
			app.Div().Body(
				app.P().Class("kd-muted kd-drawer-kind").Text("Helm release"),
				app.H2().ID("kd-upgrade-drawer-title").TabIndex(-1).Text(title),
			),
			app.Div().Class("kd-drawer-tools").Body(
				disabledIf(app.Button().Type("button").ID("kd-upgrade-back").Class("kd-button"), u.form.busy()).
					OnClick(p.guard(p.cancelUpgrade)).Text("Back to the release"),
			),
		),
		p.upgradeChooser(),
		app.If(u.form.isOpen(), func() app.UI {
			return newChartInstallForm().Of("kd-upgrade", u.form).
				OnChange(p.changeUpgrade).OnSubmit(p.submitUpgrade).OnCancel(p.closeUpgrade).
				OnPreview(p.previewUpgrade).OnDefaults(p.useUpgradeDefaults).
				OnEdit(p.editUpgrade).Guard(p.wrap)
		}),
	)
}

// upgradeChooser says where the search for the chart stands, or offers
// the charts to pick from.
func (p *chartsPage) upgradeChooser() app.UI {
	u := p.upgrade
	switch {
	case u.status == statusLoading:
		return app.P().Class("kd-state kd-state-loading").Aria("busy", "true").Text("Looking for chart " + u.chart + " in the catalog…")
	case u.status == statusFailed:
		return app.Div().Class("kd-state kd-state-failed").Role("alert").Body(
			app.P().Text("The chart to upgrade to could not be found: "+u.err),
			app.Button().Type("button").Class("kd-button kd-retry").OnClick(p.guard(p.retryUpgrade)).Text("Retry"),
		)
	case len(u.choices) == 0 || u.form.following():
		return app.Text("")
	}
	help := "Several repositories have a chart named " + u.chart + "; choose the one to upgrade to."
	if !slices.ContainsFunc(u.choices, func(ch shared.CatalogChart) bool { return ch.Name == u.chart }) {
		help = "No repository has a chart named " + u.chart + "; choose the chart to upgrade to."
	}
	return app.Div().Class("kd-field").Body(
		app.Label().For("kd-upgrade-chart").Text("Chart"),
		app.Select().ID("kd-upgrade-chart").Class("kd-input").Aria("describedby", "kd-upgrade-chart-help").
			Disabled(u.form.busy()).OnChange(p.guard(p.pickUpgradeChart)).Body(
			app.If(!u.form.isOpen(), func() app.UI {
				return app.Option().Value("").Selected(true).Text("Choose a chart")
			}),
			app.Range(u.choices).Slice(func(i int) app.UI {
				ref := chartRef(u.choices[i])
				return app.Option().Value(ref).Selected(ref == u.form.req.Chart).Text(ref)
			}),
		),
		app.P().ID("kd-upgrade-chart-help").Class("kd-field-help").Text(help),
	)
}

func (d *releaseDrawer) upgrade(ctx app.Context, e app.Event) { callIfSet(d.onUpgrade, ctx) }

// upgradeButton opens the upgrade form; it waits, saying why, while an
// operation on the release runs, the release is not loaded yet, or the
// user may not change releases in its namespace.
func (d *releaseDrawer) upgradeButton() app.UI {
	b := app.Button().Type("button").ID("kd-drawer-upgrade").Class("kd-button").
		Aria("label", "Upgrade release "+d.Ref.Name).OnClick(d.guard(d.upgrade)).Text("Upgrade")
	if why := d.cannot(shared.ActionInstallCharts); why != "" {
		b = b.Disabled(true).Title(why)
	} else if d.Detail.Release.Name == "" {
		b = b.Disabled(true).Title("The release is loading.")
	}
	return b
}
