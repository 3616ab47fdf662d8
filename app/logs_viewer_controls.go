package main

import (
	"strconv"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The log viewer's controls and what they do.

// customTail is the tail picker's value for "type a number".
const customTail = "custom"

// toolbar is the row of controls above the lines.
func (v *logViewer) toolbar(st *logsState) app.UI {
	view := st.view
	restarts := st.restarts()
	return app.Div().Class("kd-logs-toolbar").Role("toolbar").Aria("label", "Log options").Body(
		app.Label().Class("kd-logs-field").Body(
			app.Span().Text("Container"),
			app.Select().ID("kd-logs-container").OnChange(v.guard(v.chooseContainer)).Body(
				app.Option().Value("").Selected(view.Query.Container == "").Text("Default"),
				app.Range(st.containers).Slice(func(i int) app.UI {
					c := st.containers[i]
					return app.Option().Value(c.Name).Selected(c.Name == view.Query.Container).Text(containerLabel(c))
				}),
				app.If(view.Query.Container != "" && !hasContainer(st.containers, view.Query.Container), func() app.UI {
					return app.Option().Value(view.Query.Container).Selected(true).Text(view.Query.Container)
				}),
			),
		),
		app.Label().Class("kd-logs-field").Body(
			app.Span().Text("Lines"),
			app.Select().ID("kd-logs-tail").OnChange(v.guard(v.chooseTail)).Body(
				app.Range(tailChoices).Slice(func(i int) app.UI {
					n := tailChoices[i]
					return app.Option().Value(strconv.Itoa(n)).Selected(view.Query.Tail() == n).Text(strconv.Itoa(n))
				}),
				app.Option().Value(customTail).Selected(v.custom != "" || !isTailChoice(view.Query.Tail())).Text("Custom…"),
			),
		),
		app.If(v.custom != "" || !isTailChoice(view.Query.Tail()), func() app.UI { return v.customTailField(view) }),
		app.Label().Class("kd-logs-field").Body(
			app.Span().Text("Since"),
			app.Select().ID("kd-logs-since").OnChange(v.guard(v.chooseSince)).Body(
				app.Range(sinceChoices).Slice(func(i int) app.UI {
					c := sinceChoices[i]
					return app.Option().Value(strconv.Itoa(c.seconds)).Selected(view.Query.SinceSeconds == c.seconds).Text(c.label)
				}),
				app.If(!isSinceChoice(view.Query.SinceSeconds), func() app.UI {
					return app.Option().Value(strconv.Itoa(view.Query.SinceSeconds)).Selected(true).Text(sinceLabel(view.Query.SinceSeconds))
				}),
			),
		),
		toggle("kd-logs-follow", "Follow", view.Follow, false, v.guard(v.flip(func(n *logsView) { n.Follow = !n.Follow }))),
		toggle("kd-logs-timestamps", "Timestamps", view.Timestamps, false, v.guard(v.flip(func(n *logsView) { n.Timestamps = !n.Timestamps }))),
		toggle("kd-logs-wrap", "Wrap lines", !view.NoWrap, false, v.guard(v.flip(func(n *logsView) { n.NoWrap = !n.NoWrap }))),
		toggle("kd-logs-previous", "Previous container", view.Query.Previous, restarts == 0 && !view.Query.Previous,
			v.guard(v.flip(func(n *logsView) { n.Query.Previous = !n.Query.Previous }))),
		app.If(restarts > 0 && !view.Query.Previous, func() app.UI {
			return app.Span().ID("kd-logs-previous-hint").Class("kd-muted kd-logs-hint").
				Text("Restarted " + plural(restarts, "time", "times") + ": see why it crashed in the previous container's log.")
		}),
		app.If(st.following, func() app.UI { return v.pauseButton(st) }),
		v.searchBox(st),
		app.Button().Type("button").ID("kd-logs-download").Class("kd-button").Disabled(st.buf.lines() == 0).
			OnClick(v.guard(v.download)).Text("Download"),
		app.If(!v.OnPage, func() app.UI {
			return app.A().ID("kd-logs-open").Class("kd-button").Href(view.href(v.Base)).Text("Open in a page")
		}),
	)
}

// customTailField is the number box of a custom tail and its error.
func (v *logViewer) customTailField(view logsView) app.UI {
	value := v.custom
	if value == "" || value == customTail {
		value = strconv.Itoa(view.Query.Tail())
	}
	return app.Div().Class("kd-logs-field kd-logs-custom").Body(
		app.Label().For("kd-logs-tail-custom").Text("Lines to read"),
		app.Input().ID("kd-logs-tail-custom").Type("number").Attr("inputmode", "numeric").
			Min(1).Max(shared.MaxLogTailLines).Value(value).
			Aria("invalid", v.customErr != "").Aria("describedby", "kd-logs-tail-error").
			OnInput(v.guard(v.typeTail)).OnKeyDown(v.guard(v.tailKey)),
		app.Button().Type("button").ID("kd-logs-tail-apply").Class("kd-button").OnClick(v.guard(v.applyTail)).Text("Apply"),
		app.If(v.customErr != "", func() app.UI {
			return app.P().ID("kd-logs-tail-error").Class("kd-field-error").Role("alert").Text(v.customErr)
		}),
	)
}

// toggle is a labelled checkbox.
func toggle(id, label string, on, disabled bool, h app.EventHandler) app.UI {
	return app.Label().Class("kd-logs-toggle").For(id).Body(
		app.Input().Type("checkbox").ID(id).Checked(on).Disabled(disabled).OnChange(h, app.EventScope(id)),
		app.Span().Text(label),
	)
}

// pauseButton pauses or resumes the follow, and counts what waits.
func (v *logViewer) pauseButton(st *logsState) app.UI {
	if !st.buf.paused {
		return app.Button().Type("button").ID("kd-logs-pause").Class("kd-button").
			OnClick(v.guard(v.pause), app.EventScope("pause")).Text("Pause")
	}
	return app.Button().Type("button").ID("kd-logs-pause").Class("kd-button kd-button-primary").
		OnClick(v.guard(v.resume), app.EventScope("resume")).
		Text("Resume (" + plural(st.buf.waiting(), "new line", "new lines") + " waiting)")
}

// searchBox is the search, its count and its next and previous buttons.
func (v *logViewer) searchBox(st *logsState) app.UI {
	count := ""
	if st.search.term != "" {
		if n := len(st.search.matches); n == 0 {
			count = "no match"
		} else {
			count = strconv.Itoa(st.search.current+1) + " of " + strconv.Itoa(n)
		}
	}
	return app.Div().Class("kd-logs-search").Role("search").Body(
		app.Input().Type("search").ID("kd-logs-search").Placeholder("Search (/)").
			Aria("label", "Search the log (Enter: next match, Shift+Enter: previous)").
			Aria("keyshortcuts", "/").Value(st.view.Search).
			OnInput(v.guard(v.typeSearch)).OnKeyDown(v.guard(v.searchKey)),
		app.Span().ID("kd-logs-matches").Class("kd-muted").Aria("live", "polite").Text(count),
		app.Button().Type("button").ID("kd-logs-prev").Class("kd-button").Aria("label", "Previous match").
			Disabled(len(st.search.matches) == 0).OnClick(v.guard(v.prevMatch)).Text("↑"),
		app.Button().Type("button").ID("kd-logs-next").Class("kd-button").Aria("label", "Next match").
			Disabled(len(st.search.matches) == 0).OnClick(v.guard(v.nextMatch)).Text("↓"),
	)
}

// containerLabel names a container in the picker, its type and restarts
// said.
func containerLabel(c shared.LogContainer) string {
	s := c.Name
	switch c.Type {
	case "init":
		s += " (init)"
	case "ephemeral":
		s += " (ephemeral)"
	}
	if c.Restarts > 0 {
		s += " · " + plural(c.Restarts, "restart", "restarts")
	}
	return s
}

func hasContainer(cs []shared.LogContainer, name string) bool {
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}

func isTailChoice(n int) bool {
	for _, c := range tailChoices {
		if c == n {
			return true
		}
	}
	return false
}

func isSinceChoice(s int) bool {
	for _, c := range sinceChoices {
		if c.seconds == s {
			return true
		}
	}
	return false
}

func (v *logViewer) chooseContainer(ctx app.Context, e app.Event) {
	next := v.state().view
	next.Query.Container = ctx.JSSrc().Get("value").String()
	next.Query.Previous = false
	v.changed(ctx, next)
}

func (v *logViewer) chooseTail(ctx app.Context, e app.Event) {
	value := ctx.JSSrc().Get("value").String()
	if value == customTail {
		v.custom = customTail
		return
	}
	v.custom, v.customErr = "", ""
	n, _ := strconv.Atoi(value)
	v.setTail(ctx, n)
}

func (v *logViewer) typeTail(ctx app.Context, e app.Event) {
	v.custom = ctx.JSSrc().Get("value").String()
	v.customErr = ""
}

func (v *logViewer) tailKey(ctx app.Context, e app.Event) {
	if e.Get("key").String() == "Enter" {
		v.applyTail(ctx, e)
	}
}

// applyTail reads the custom tail, checked as the server checks it.
func (v *logViewer) applyTail(ctx app.Context, e app.Event) {
	n, errMsg := checkTail(v.state().view.Query, v.custom)
	if errMsg != "" {
		v.customErr = errMsg
		return
	}
	v.customErr = ""
	v.setTail(ctx, n)
}

// checkTail reads a typed tail: its number, or why it is not one the
// server takes (LogQuery.Check says).
func checkTail(q shared.LogQuery, typed string) (int, string) {
	if typed == "" || typed == customTail {
		return q.Tail(), ""
	}
	n, err := strconv.Atoi(typed)
	if err != nil || n == 0 {
		return 0, "Give a whole number of lines, from 1 to " + strconv.Itoa(shared.MaxLogTailLines) + "."
	}
	q.TailLines = n
	if msg, bad := q.Check()["tailLines"]; bad {
		return 0, msg
	}
	return n, ""
}

func (v *logViewer) setTail(ctx app.Context, n int) {
	next := v.state().view
	if n == shared.DefaultLogTailLines {
		n = 0
	}
	next.Query.TailLines = n
	v.changed(ctx, next)
}

func (v *logViewer) chooseSince(ctx app.Context, e app.Event) {
	next := v.state().view
	next.Query.SinceSeconds, _ = strconv.Atoi(ctx.JSSrc().Get("value").String())
	v.changed(ctx, next)
}

// flip returns the handler of a toggle: set changes the view.
func (v *logViewer) flip(set func(*logsView)) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		next := v.state().view
		set(&next)
		v.changed(ctx, next)
	}
}

func (v *logViewer) pause(ctx app.Context, e app.Event) { v.state().pause() }

func (v *logViewer) resume(ctx app.Context, e app.Event) {
	v.state().resume()
	v.scrollToEnd(ctx)
}

func (v *logViewer) typeSearch(ctx app.Context, e app.Event) {
	st := v.state()
	st.setSearch(ctx.JSSrc().Get("value").String())
	if v.onView != nil {
		v.onView(ctx, st.view)
	}
	v.showMatch(ctx)
}

// searchKey: Enter goes to the next match, Shift+Enter to the one before,
// Escape clears the search.
func (v *logViewer) searchKey(ctx app.Context, e app.Event) {
	switch e.Get("key").String() {
	case "Enter":
		e.PreventDefault()
		dir := 1
		if e.Get("shiftKey").Bool() {
			dir = -1
		}
		v.state().stepMatch(dir)
		v.showMatch(ctx)
	case "Escape":
		if v.state().view.Search != "" {
			e.Call("stopPropagation")
			ctx.JSSrc().Set("value", "")
			v.typeSearch(ctx, e)
		}
	}
}

func (v *logViewer) nextMatch(ctx app.Context, e app.Event) {
	v.state().stepMatch(1)
	v.showMatch(ctx)
}

func (v *logViewer) prevMatch(ctx app.Context, e app.Event) {
	v.state().stepMatch(-1)
	v.showMatch(ctx)
}

// showMatch scrolls the current match into sight.
func (v *logViewer) showMatch(ctx app.Context) {
	if !app.IsClient {
		return
	}
	ctx.Defer(func(app.Context) {
		if m := app.Window().GetElementByID("kd-log-current"); m.Truthy() {
			m.Call("scrollIntoView", map[string]any{"block": "center"})
		}
	})
}

func (v *logViewer) download(ctx app.Context, e app.Event) {
	st := v.state()
	if err := saveText(logFileName(st), logText(st)); err != nil {
		v.Link.toast(ctx, toastError, "The log could not be downloaded: "+err.Error())
	}
}
