package main

import (
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

func TestLogViewerRendersStates(t *testing.T) {
	pod := shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web-1"}
	app := shared.LogQuery{Kind: "deployments", Namespace: "demo", Name: "web"}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		view    logsView
		set     func(st *logsState, seq int)
		want    []string
		notWant []string
	}{
		{"loading", logsView{Query: pod}, func(*logsState, int) {}, []string{`id="kd-logs-loading"`, `data-status="loading"`}, nil},
		{"empty", logsView{Query: pod}, func(st *logsState, seq int) { st.chunk(seq, shared.LogChunk{}) },
			[]string{"No lines yet."}, []string{"kd-logs-loading"}},
		{"empty follow", logsView{Query: pod, Follow: true}, func(st *logsState, seq int) { st.chunk(seq, shared.LogChunk{}) },
			[]string{"No lines yet; new ones show here", `id="kd-logs-pause"`}, nil},
		{"forbidden", logsView{Query: pod}, func(st *logsState, seq int) {
			st.fail(seq, `User "ann" cannot get pods/log in namespace "demo".`)
		}, []string{`role="alert"`, "cannot get pods/log", `id="kd-logs-retry"`}, nil},
		{"hostile text stays text", logsView{Query: pod}, func(st *logsState, seq int) {
			st.chunk(seq, shared.LogChunk{Lines: []shared.LogLine{
				{Time: at, Text: "<script>alert(1)</script>"},
				{Time: at, Text: `<img src=x onerror="alert(1)">` + "\x1b]0;pwned\x07\x00"},
				{Time: at, Text: "\x1b[1;31mbold red\x1b[0m"},
			}})
		}, []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=", "␀", `class="kd-ansi-fg1 kd-ansi-bold"`},
			[]string{"<script>", "<img", "pwned"}},
		{"app logs label pods and name failures", logsView{Query: app, Timestamps: true}, func(st *logsState, seq int) {
			st.chunk(seq, shared.LogChunk{Pods: []string{"web-abc12", "web-def34"}, Failed: map[string]string{"web-def34": "container not started"},
				Lines: []shared.LogLine{{Time: at, Pod: "web-abc12", Text: "hi"}}, Dropped: 3})
		}, []string{`id="kd-logs-pods"`, "web-def34: ", "container not started", "3 lines skipped (the server could not send them all)",
			"kd-log-pod kd-pod-c", "2025-01-02T03:04:05.000Z"}, nil},
		{"ended follow", logsView{Query: pod, Follow: true}, func(st *logsState, seq int) {
			st.end(seq, shared.LogEnd{Reason: shared.LogEndIdle, Message: "No line for 10 minutes."})
		}, []string{`id="kd-logs-follow-again"`, "no line came for a long while. No line for 10 minutes."}, nil},
		{"restarted container offers previous", logsView{Query: pod}, func(st *logsState, seq int) {
			st.chunk(seq, shared.LogChunk{Containers: []shared.LogContainer{{Name: "app", Restarts: 3}, {Name: "setup", Type: "init"}, {Name: "debug", Type: "ephemeral"}}})
		}, []string{"see why it crashed", "setup (init)", "debug (ephemeral)", "app · 3 restarts"}, nil},
		{"search marks matches", logsView{Query: pod, Search: "needle"}, func(st *logsState, seq int) {
			st.chunk(seq, shared.LogChunk{Lines: []shared.LogLine{{Time: at, Text: "hay needle hay NEEDLE"}}})
		}, []string{`id="kd-log-current"`, "1 of 2", `<mark class="kd-log-match">NEEDLE</mark>`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newLogViewer().Logs(tc.view)
			st := v.state()
			tc.set(st, st.begin())
			html := renderPage(t, v)
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("missing %q in:\n%s", w, html)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(html, w) {
					t.Errorf("%q in:\n%s", w, html)
				}
			}
		})
	}
}

func TestLogFileAndText(t *testing.T) {
	st := newLogsState(logsView{Query: shared.LogQuery{Kind: "deployments", Namespace: "demo", Name: "web"}, Timestamps: true})
	seq := st.begin()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	st.chunk(seq, shared.LogChunk{Containers: []shared.LogContainer{{Name: "init", Type: "init"}, {Name: "app"}},
		Lines: []shared.LogLine{{Time: at, Pod: "web-1", Text: "\x1b[32mok\x1b[0m"}}, Dropped: 1})
	if got := logFileName(st); got != "web-app.log" {
		t.Errorf("file name %q", got)
	}
	want := "# 1 line skipped (the server could not send them all)\n2025-01-02T03:04:05Z [web-1] ok\n"
	if got := logText(st); got != want {
		t.Errorf("text %q, want %q", got, want)
	}
}
