package main

import (
	"slices"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// drawerTab is one tab of the detail drawer.
type drawerTab string

// The drawer's tabs (Pods only for workloads).
const (
	tabSummary drawerTab = "Summary"
	tabSpec    drawerTab = "Spec"
	tabStatus  drawerTab = "Status"
	tabYAML    drawerTab = "YAML"
	tabEvents  drawerTab = "Events"
	tabPods    drawerTab = "Pods"
	tabLogs    drawerTab = "Logs" // for the kinds of shared.LogKinds
)

// objectDrawer shows one object in a panel beside the table, in tabs.
// Escape or Close closes it.
type objectDrawer struct {
	app.Compo
	guarded

	Kind      shared.KindInfo
	Namespace string
	Name      string
	State     loadStatus
	Detail    shared.ObjectDetail
	Error     string
	Now       int64
	// Link is the layout's link to the server, for the Logs tab.
	Link *serverLink
	// Actions are the object's controls above its tabs (a workload's
	// Scale and Restart); nil for none.
	Actions app.UI

	tab drawerTab
	of  string // the object the tab was chosen for

	onClose func(ctx app.Context)
	onRetry func(ctx app.Context)
	onCopy  func(ctx app.Context, yaml string)
}

func newObjectDrawer() *objectDrawer { return &objectDrawer{} }

// Object names the object shown.
func (d *objectDrawer) Object(k shared.KindInfo, namespace, name string) *objectDrawer {
	d.Kind, d.Namespace, d.Name = k, namespace, name
	return d
}

// Loaded sets where the load stands, the detail once loaded and the error
// when it failed.
func (d *objectDrawer) Loaded(s loadStatus, detail shared.ObjectDetail, err string) *objectDrawer {
	d.State, d.Detail, d.Error = s, detail, err
	return d
}

// At sets the time ages are counted to (Unix seconds).
func (d *objectDrawer) At(now int64) *objectDrawer { d.Now = now; return d }

// Server sets the link to the server the Logs tab reads through.
func (d *objectDrawer) Server(l *serverLink) *objectDrawer { d.Link = l; return d }

// Tools sets the object's actions, shown above the tabs.
func (d *objectDrawer) Tools(ui app.UI) *objectDrawer { d.Actions = ui; return d }

// OnClose sets what Close and Escape do.
func (d *objectDrawer) OnClose(f func(app.Context)) *objectDrawer { d.onClose = f; return d }

// OnRetry sets what Retry does after a failed load.
func (d *objectDrawer) OnRetry(f func(app.Context)) *objectDrawer { d.onRetry = f; return d }

// OnCopy sets what Copy YAML does with the YAML.
func (d *objectDrawer) OnCopy(f func(app.Context, string)) *objectDrawer { d.onCopy = f; return d }

// Guard sets the error boundary's wrapper for the drawer's handlers.
func (d *objectDrawer) Guard(wrap func(app.EventHandler) app.EventHandler) *objectDrawer {
	d.setGuard(wrap)
	return d
}

// tabs are the drawer's tabs for its kind.
func (d *objectDrawer) tabs() []drawerTab {
	t := []drawerTab{tabSummary, tabSpec, tabStatus, tabYAML, tabEvents}
	if d.Kind.Workload {
		t = append(t, tabPods)
	}
	if slices.Contains(shared.LogKinds, d.Kind.Name) {
		t = append(t, tabLogs)
	}
	return t
}

// current is the tab shown: Summary for an object just opened.
func (d *objectDrawer) current() drawerTab {
	key := d.Kind.Name + "/" + d.Namespace + "/" + d.Name
	if d.of != key || d.tab == "" {
		d.of, d.tab = key, tabSummary
	}
	return d.tab
}

// Render shows the panel: a heading, the tabs and the current tab's panel.
func (d *objectDrawer) Render() app.UI {
	title := d.Name
	if d.Namespace != "" {
		title = d.Namespace + "/" + d.Name
	}
	cur := d.current()
	tabs := d.tabs()
	return app.Aside().ID("kd-drawer").Class("kd-drawer").Role("dialog").Aria("modal", "false").
		Aria("labelledby", "kd-drawer-title").OnKeyDown(d.guard(d.key)).Body(
		app.Div().Class("kd-drawer-head").Body(
			app.Div().Body(
				app.P().Class("kd-muted kd-drawer-kind").Text(d.Kind.Kind),
				app.H2().ID("kd-drawer-title").Text(title),
			),
			app.Button().Type("button").ID("kd-drawer-close").Class("kd-button").
				Aria("label", "Close the details of "+d.Name).OnClick(d.guard(d.close)).Text("Close"),
		),
		app.If(d.Actions != nil, func() app.UI { return d.Actions }),
		app.Div().Class("kd-tabs").Role("tablist").Aria("label", "Details").Body(
			app.Range(tabs).Slice(func(i int) app.UI {
				t := tabs[i]
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
func (d *objectDrawer) panel(t drawerTab) app.UI {
	if t == tabLogs {
		q := shared.LogQuery{Kind: d.Kind.Name, Namespace: d.Namespace, Name: d.Name}
		return newLogViewer().Server(d.Link).BasePath(basePathFromEnv()).Logs(logsView{Query: q}).Guard(d.wrap)
	}
	switch d.State {
	case statusFailed:
		return app.Div().Class("kd-state kd-state-failed").Role("alert").Body(
			app.P().Text(d.Error),
			app.Button().Type("button").Class("kd-button kd-retry").OnClick(d.guard(d.retry)).Text("Retry"),
		)
	case statusLoaded:
	default:
		return app.P().Class("kd-state kd-state-loading").Text("Loading " + d.Name + "…")
	}
	det := d.Detail
	switch t {
	case tabSpec:
		return jsonBlock(det.Spec, "This object has no spec.")
	case tabStatus:
		return jsonBlock(det.Status, "This object reports no status.")
	case tabYAML:
		return app.Div().Body(
			app.Div().Class("kd-drawer-tools").Body(
				app.Button().Type("button").ID("kd-copy-yaml").Class("kd-button").
					OnClick(d.guard(d.copyYAML)).Text("Copy YAML"),
			),
			newYAMLView().YAML(det.YAML),
		)
	case tabEvents:
		return eventsList(det, d.Now)
	case tabPods:
		return podsList(det, d.Now)
	}
	return summary(d.Kind, det.Row, d.Now)
}

func (d *objectDrawer) key(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Escape" {
		d.close(ctx, e)
	}
}

func (d *objectDrawer) close(ctx app.Context, e app.Event) { callIfSet(d.onClose, ctx) }

func (d *objectDrawer) retry(ctx app.Context, e app.Event) { callIfSet(d.onRetry, ctx) }

func (d *objectDrawer) choose(t drawerTab) app.EventHandler {
	return func(ctx app.Context, e app.Event) { d.tab = t }
}

func (d *objectDrawer) copyYAML(ctx app.Context, e app.Event) {
	if d.onCopy != nil {
		d.onCopy(ctx, d.Detail.YAML)
	}
}
