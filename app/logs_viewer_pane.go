package main

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The log viewer's notes and lines. Every piece of a line is a text node
// (go-app sets textContent), so markup in a log shows as text.

// notes say where the read or follow stands: loading, failed, empty, the
// follow's end, the socket down, the pods of an app and their failures.
func (v *logViewer) notes(st *logsState) app.UI {
	return app.Div().Class("kd-logs-notes").Body(
		app.If(len(st.pods) > 1 || st.view.Query.Kind != "pods" && len(st.pods) > 0, func() app.UI { return podList(st.pods) }),
		app.If(len(st.failed) > 0, func() app.UI { return failedPods(st.failed) }),
		app.If(st.truncated, func() app.UI {
			return app.P().Class("kd-note").Text("The read stopped at its size limit before the end of the log; choose fewer lines or a shorter time.")
		}),
		app.If(st.status == statusFailed, func() app.UI {
			return app.Div().ID("kd-logs-error").Class("kd-state kd-state-failed").Role("alert").Body(
				app.P().Text(st.err),
				app.Button().Type("button").ID("kd-logs-retry").Class("kd-button kd-retry").
					OnClick(v.guard(v.retry)).Text("Retry"),
			)
		}),
		app.If(st.ended != nil && !st.following, func() app.UI {
			return app.Div().ID("kd-logs-ended").Class("kd-note kd-logs-ended").Role("status").Body(
				app.Span().Text(endText(*st.ended)),
				app.Button().Type("button").ID("kd-logs-follow-again").Class("kd-button").
					OnClick(v.guard(v.followAgainNow)).Text("Follow again"),
			)
		}),
		app.If(st.following && !st.live && st.status != statusLoading, func() app.UI {
			return app.P().ID("kd-logs-offline").Class("kd-note").Role("status").
				Text("The connection to the server is down; the log goes on once it is back.")
		}),
	)
}

// endText says why a follow ended.
func endText(e shared.LogEnd) string {
	why := map[string]string{
		shared.LogEndDone:        "The follow ended: the container stopped or the pod went away.",
		shared.LogEndIdle:        "The follow ended: no line came for a long while.",
		shared.LogEndForbidden:   "The follow ended: you may no longer read these logs.",
		shared.LogEndUnavailable: "The follow ended: the cluster stopped answering; following again…",
		shared.LogEndShutdown:    "The follow ended: the server is restarting; following again…",
	}[e.Reason]
	if why == "" {
		why = "The follow ended."
	}
	if e.Message != "" {
		why += " " + e.Message
	}
	return why
}

// podList names the pods of an app's logs, each in its colour.
func podList(pods []string) app.UI {
	return app.Ul().ID("kd-logs-pods").Class("kd-logs-pods").Aria("label", "Pods read").Body(
		app.Range(pods).Slice(func(i int) app.UI {
			return app.Li().Class("kd-log-pod kd-pod-c" + strconv.Itoa(podColour(pods[i]))).Text(pods[i])
		}),
	)
}

// failedPods says, per pod, why its logs could not be read.
func failedPods(failed map[string]string) app.UI {
	pods := make([]string, 0, len(failed))
	for p := range failed {
		pods = append(pods, p)
	}
	slices.Sort(pods)
	return app.Ul().ID("kd-logs-failed").Class("kd-note kd-logs-failed").Body(
		app.Range(pods).Slice(func(i int) app.UI {
			return app.Li().Body(app.Strong().Text(pods[i]+": "), app.Text(failed[pods[i]]))
		}),
	)
}

// pane is the scrolling box of lines.
func (v *logViewer) pane(st *logsState) app.UI {
	class := "kd-logs-pane"
	if st.view.NoWrap {
		class += " kd-logs-nowrap"
	}
	before, after := st.around()
	rows := st.shown()
	multi := st.view.Query.Kind != "pods" || len(st.pods) > 1
	return app.Div().Class("kd-logs-box").Body(
		app.Div().ID("kd-logs-pane").Class(class).TabIndex(0).Role("log").
			Aria("label", "Log lines").Aria("busy", st.status == statusLoading).
			OnScroll(v.guard(v.scrolled)).Body(
			app.If(st.buf.older > 0, func() app.UI {
				return app.Div().ID("kd-logs-older").Class("kd-log-mark").Text(st.buf.olderText())
			}),
			app.If(before > 0, func() app.UI {
				return app.Button().Type("button").ID("kd-logs-earlier").Class("kd-button kd-logs-more").
					OnClick(v.guard(v.showEarlier)).Text("Show earlier lines (" + strconv.Itoa(before) + " more)")
			}),
			app.If(st.status == statusLoading, func() app.UI {
				return app.P().ID("kd-logs-loading").Class("kd-state kd-state-loading").Text("Loading logs…")
			}),
			app.If(st.empty(), func() app.UI {
				text := "No lines yet."
				if st.following {
					text = "No lines yet; new ones show here as they are written."
				}
				return app.P().ID("kd-logs-empty").Class("kd-muted kd-state").Text(text)
			}),
			app.Range(rows).Slice(func(i int) app.UI { return v.row(st, rows[i], multi) }),
			app.If(after > 0, func() app.UI {
				return app.Button().Type("button").ID("kd-logs-later").Class("kd-button kd-logs-more").
					OnClick(v.guard(v.showLater)).Text("Show later lines (" + strconv.Itoa(after) + " more)")
			}),
		),
		app.If(!st.atEnd || after > 0, func() app.UI {
			return app.Button().Type("button").ID("kd-logs-end").Class("kd-button kd-logs-jump").
				OnClick(v.guard(v.jumpToEnd)).Text("Jump to end ↓")
		}),
	)
}

// row is one line of the log, or a mark.
func (v *logViewer) row(st *logsState, r logRow, multi bool) app.UI {
	if r.kind == rowSkipped {
		return app.Div().Class("kd-log-mark kd-log-skipped").Text(r.skippedText())
	}
	ranges, cur := st.lineMatches(r.seq)
	ps := pieces(r.spans, ranges, cur)
	return app.Div().Class("kd-log-line").Body(
		app.If(st.view.Timestamps, func() app.UI {
			return app.Span().Class("kd-log-time").Text(r.line.Time.UTC().Format(logTimeLayout))
		}),
		app.If(multi && r.line.Pod != "", func() app.UI {
			return app.Span().Class("kd-log-pod kd-pod-c" + strconv.Itoa(podColour(r.line.Pod))).Title(r.line.Pod).Text(shortPod(r.line.Pod))
		}),
		app.Span().Class("kd-log-text").Body(
			app.Range(ps).Slice(func(i int) app.UI { return piece(ps[i]) }),
		),
	)
}

// logTimeLayout is how a line's time is shown and downloaded.
const logTimeLayout = "2006-01-02T15:04:05.000Z"

// piece is a run of a line's text: a span in its style, or a marked match.
func piece(p logPiece) app.UI {
	if !p.match {
		if p.class == "" {
			return app.Text(p.text)
		}
		return app.Span().Class(p.class).Text(p.text)
	}
	m := app.Mark().Class(strings.TrimSpace("kd-log-match " + p.class)).Text(p.text)
	if p.current {
		m = m.ID("kd-log-current").Class("kd-log-match kd-log-current " + p.class)
	}
	return m
}

// shortPod is a pod's name as its label shows it: the part that tells an
// app's pods apart (the hash after the last dash), or the whole name when
// short.
func shortPod(pod string) string {
	if len(pod) <= 16 {
		return pod
	}
	if i := strings.LastIndexByte(pod, '-'); i > 0 && len(pod)-i <= 12 {
		return "…" + pod[i:]
	}
	return pod[:15] + "…"
}

// scrolled stops following the end when the user scrolls up, and starts
// again when they come back to it. Scrolls that change nothing do not
// render again.
func (v *logViewer) scrolled(ctx app.Context, e app.Event) {
	st := v.state()
	el := ctx.JSSrc()
	gap := el.Get("scrollHeight").Int() - el.Get("scrollTop").Int() - el.Get("clientHeight").Int()
	_, after := st.around()
	switch {
	case st.atEnd && gap > 48:
		st.scrolledUp()
	case !st.atEnd && gap < 4 && after == 0:
		st.toEnd()
	default:
		ctx.PreventUpdate()
	}
}

func (v *logViewer) showEarlier(ctx app.Context, e app.Event) { v.state().earlier() }

func (v *logViewer) showLater(ctx app.Context, e app.Event) { v.state().later() }

func (v *logViewer) jumpToEnd(ctx app.Context, e app.Event) {
	v.state().toEnd()
	v.scrollToEnd(ctx)
}

func (v *logViewer) retry(ctx app.Context, e app.Event) { v.load() }

func (v *logViewer) followAgainNow(ctx app.Context, e app.Event) {
	st := v.state()
	if !st.view.Follow {
		v.load()
		return
	}
	v.followAgain(st.seq)
}

// logText is what Download saves: the lines held, as shown (timestamps
// when shown, the pod of an app's lines), escapes removed.
func logText(st *logsState) string {
	var b strings.Builder
	multi := st.view.Query.Kind != "pods" || len(st.pods) > 1
	for _, r := range st.buf.rows {
		if r.kind != rowLine {
			b.WriteString("# " + r.skippedText() + "\n")
			continue
		}
		if st.view.Timestamps {
			b.WriteString(r.line.Time.UTC().Format(time.RFC3339Nano) + " ")
		}
		if multi && r.line.Pod != "" {
			b.WriteString("[" + r.line.Pod + "] ")
		}
		b.WriteString(r.text + "\n")
	}
	return b.String()
}

// logFileName is the downloaded file's name: {name}-{container}.log.
func logFileName(st *logsState) string {
	q := st.view.Query
	c := q.Container
	if c == "" {
		c = "default"
		for _, x := range st.containers {
			if x.Type == "" {
				c = x.Name
				break
			}
		}
	}
	if q.Previous {
		c += "-previous"
	}
	return q.Name + "-" + c + ".log"
}
