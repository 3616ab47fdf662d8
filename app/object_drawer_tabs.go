package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The panels of the drawer's tabs, built from the object's detail.

// summary shows the row's facts: status, namespace, age, the kind's
// columns and the labels.
func summary(k shared.KindInfo, r shared.Row, now int64) app.UI {
	labels := make([]string, 0, len(r.Labels))
	for key, v := range r.Labels {
		labels = append(labels, key+"="+v)
	}
	slices.Sort(labels)
	return app.Dl().Class("kd-facts kd-summary").Body(
		fact("Status", newStatusBadge(r.Level, r.Status)),
		app.If(k.Namespaced, func() app.UI { return fact("Namespace", app.Text(r.Namespace)) }),
		fact("Age", app.Text(ageOf(r.Created, time.Unix(now, 0)))),
		fact("Created", app.Text(created(r.Created))),
		app.Range(k.Columns).Slice(func(i int) app.UI {
			v := r.Cells[k.Columns[i].Key]
			if v == "" {
				v = "—"
			}
			return fact(k.Columns[i].Title, app.Text(v))
		}),
		fact("Labels", app.Span().Body(
			app.If(len(labels) == 0, func() app.UI { return app.Text("none") }),
			app.Range(labels).Slice(func(i int) app.UI { return app.Code().Class("kd-label").Text(labels[i]) }),
		)),
	)
}

// fact is one term and its description in a list of facts.
func fact(term string, value app.UI) app.UI {
	return app.Div().Class("kd-fact").Body(app.Dt().Text(term), app.Dd().Body(value))
}

func created(unix int64) string {
	if unix <= 0 {
		return "—"
	}
	return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04:05 UTC")
}

// jsonBlock shows a part of the object as indented JSON, or says it has none.
func jsonBlock(raw json.RawMessage, none string) app.UI {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		return app.P().Class("kd-muted").Text(none)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return app.Pre().Class("kd-json").Text(string(raw))
	}
	return app.Pre().Class("kd-json").Text(b.String())
}

// eventsList shows the object's events, newest first, or why there are none.
func eventsList(det shared.ObjectDetail, now int64) app.UI {
	if slices.Contains(det.Forbidden, "events") {
		return app.P().Class("kd-note").Text("You may not list events in this namespace, so they are not shown.")
	}
	if len(det.Events) == 0 {
		return app.P().Class("kd-muted").Text("No recent events.")
	}
	return app.Div().Class("kd-table-wrap").Body(app.Table().Class("kd-table kd-events").Body(
		app.THead().Body(app.Tr().Body(
			app.Th().Scope("col").Text("Type"), app.Th().Scope("col").Text("Reason"),
			app.Th().Scope("col").Text("Message"), app.Th().Scope("col").Text("Count"),
			app.Th().Scope("col").Text("Last seen"),
		)),
		app.TBody().Body(app.Range(det.Events).Slice(func(i int) app.UI {
			e := det.Events[i]
			level := shared.LevelOK
			if e.Type == "Warning" {
				level = shared.LevelWarning
			}
			return app.Tr().Body(
				app.Td().Body(newStatusBadge(level, e.Type)),
				app.Td().Text(e.Reason),
				app.Td().Class("kd-event-message").Text(e.Message),
				app.Td().Text(strconv.Itoa(int(e.Count))),
				app.Td().Text(ageOf(e.Last, time.Unix(now, 0))+" ago"),
			)
		})),
	))
}

// podsList shows a workload's pods.
func podsList(det shared.ObjectDetail, now int64) app.UI {
	if slices.Contains(det.Forbidden, "pods") {
		return app.P().Class("kd-note").Text("You may not list pods in this namespace, so they are not shown.")
	}
	if len(det.Pods) == 0 {
		return app.P().Class("kd-muted").Text("No pods.")
	}
	return app.Div().Class("kd-table-wrap").Body(app.Table().Class("kd-table kd-pods").Body(
		app.THead().Body(app.Tr().Body(
			app.Th().Scope("col").Text("Name"), app.Th().Scope("col").Text("Status"),
			app.Th().Scope("col").Text("Ready"), app.Th().Scope("col").Text("Restarts"),
			app.Th().Scope("col").Text("Node"), app.Th().Scope("col").Text("Age"),
		)),
		app.TBody().Body(app.Range(det.Pods).Slice(func(i int) app.UI {
			p := det.Pods[i]
			return app.Tr().Body(
				app.Td().Text(p.Name),
				app.Td().Body(newStatusBadge(p.Level, p.Status)),
				app.Td().Text(p.Cells["ready"]),
				app.Td().Text(p.Cells["restarts"]),
				app.Td().Text(p.Cells["node"]),
				app.Td().Text(ageOf(p.Created, time.Unix(now, 0))),
			)
		})),
	))
}
