package main

import (
	"maps"
	"slices"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// changeActions are the actions that change something, in the order the
// summary lists them.
var changeActions = []string{
	shared.ActionCreateDeployments, shared.ActionDeleteDeployments,
	shared.ActionCreateServices, shared.ActionDeleteServices,
	shared.ActionCreateIngresses, shared.ActionDeleteIngresses,
	shared.ActionInstallCharts, shared.ActionUninstallCharts,
}

// permLine is one action of the summary: whether the user may take it and,
// when not, why.
type permLine struct {
	Action  string
	Allowed bool
	Reason  string
}

// permSummary is what /me said about one namespace, arranged for reading:
// each change on its own line, and the kinds the user may read (list and
// get) or not, by name.
type permSummary struct {
	Changes []permLine
	// Readable are the kinds the user may list and get; Unreadable those
	// they may do neither with. Partial are the list or get actions of the
	// kinds where one is allowed and the other not.
	Readable, Unreadable []string
	Partial              []permLine
}

// summarize arranges me's permissions.
func summarize(me shared.Me) permSummary {
	var s permSummary
	for _, a := range changeActions {
		if allowed, ok := me.Can[a]; ok {
			s.Changes = append(s.Changes, permLine{Action: a, Allowed: allowed, Reason: me.Reasons[a]})
		}
	}
	kinds := map[string]bool{}
	for a := range me.Can {
		if kind, ok := strings.CutPrefix(a, "list "); ok {
			kinds[kind] = true
		} else if kind, ok := strings.CutPrefix(a, "get "); ok {
			kinds[kind] = true
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(kinds)) {
		list, get := shared.Action("list", kind), shared.Action("get", kind)
		switch canList, canGet := me.Can[list], me.Can[get]; {
		case canList && canGet:
			s.Readable = append(s.Readable, kind)
		case !canList && !canGet:
			s.Unreadable = append(s.Unreadable, kind)
		default:
			for _, a := range []string{list, get} {
				s.Partial = append(s.Partial, permLine{Action: a, Allowed: me.Can[a], Reason: me.Reasons[a]})
			}
		}
	}
	return s
}

// permissionsList shows a namespace's permissions compactly: a line per
// change, with the reason beside what is refused, then the kinds the user
// may and may not read.
func permissionsList(p nsPermissions) app.UI {
	s := summarize(p.Me)
	return app.Div().ID("deploy-permissions").Class("kd-card").Body(
		app.H2().Text("What you may do in "+p.Namespace),
		app.Ul().Class("kd-perm-list").Body(
			app.Range(s.Changes).Slice(func(i int) app.UI { return permItem(s.Changes[i]) }),
			app.Range(s.Partial).Slice(func(i int) app.UI { return permItem(s.Partial[i]) }),
		),
		app.If(len(s.Readable) > 0, func() app.UI {
			return app.P().Class("kd-perm-read").Body(
				app.Strong().Text("You may list and read: "),
				app.Text(strings.Join(s.Readable, ", ")+"."),
			)
		}),
		app.If(len(s.Unreadable) > 0, func() app.UI {
			return app.P().Class("kd-perm-read").Body(
				app.Strong().Text("You may not list or read: "),
				app.Text(strings.Join(s.Unreadable, ", ")+"."),
			)
		}),
		app.P().Class("kd-muted").Text("Kubernetes answered these for you, as you, a moment ago; "+
			"ask your cluster's administrators for rights you are missing."),
	)
}

// permItem is one line of the list: the verdict in words (a mark for the
// eye), the action, and the reason when refused.
func permItem(l permLine) app.UI {
	class, mark, verdict := "kd-perm kd-perm-yes", "✓", "Allowed: "
	if !l.Allowed {
		class, mark, verdict = "kd-perm kd-perm-no", "✗", "Not allowed: "
	}
	return app.Li().Class(class).Body(
		app.Span().Class("kd-perm-mark").Aria("hidden", "true").Text(mark),
		app.Span().Class("kd-sr-only").Text(verdict),
		app.Span().Class("kd-perm-action").Text(l.Action),
		app.If(!l.Allowed && l.Reason != "", func() app.UI {
			return app.Span().Class("kd-perm-reason").Text(l.Reason)
		}),
	)
}
