package main

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// logsView is what the log viewer shows, as the URL of the logs page keeps
// it, so that a reload or a shared link shows the same view:
//
//	/apps/logs/{kind}/{namespace}/{name}?container=&tailLines=&sinceSeconds=&previous=true
//	    &follow=true&timestamps=true&wrap=false&search=
//
// The query's options are LogQuery's (Values, LogQueryOf); the others are
// the viewer's. Defaults are left out of the URL.
type logsView struct {
	Query      shared.LogQuery
	Follow     bool
	Timestamps bool
	NoWrap     bool
	Search     string
}

// logsPagePath is the path of the logs page.
const logsPagePath = "/apps/logs/"

// parseLogsPath reads kind, namespace and name from a path under
// logsPagePath (base path removed); false when it does not name one.
func parseLogsPath(p string) (kind, namespace, name string, ok bool) {
	rest, found := strings.CutPrefix(p, logsPagePath)
	if !found {
		return "", "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// parseLogsView reads the view from the page's path and query; errs names
// the options that were not valid (they are left at their defaults, and
// the page says so).
func parseLogsView(p string, v url.Values) (logsView, map[string]string) {
	kind, ns, name, ok := parseLogsPath(p)
	if !ok {
		return logsView{}, map[string]string{"path": "This address does not name the logs of a pod or an app."}
	}
	q, errs := shared.LogQueryOf(kind, ns, name, v)
	for field := range errs {
		switch field {
		case "container":
			q.Container = ""
		case "tailLines":
			q.TailLines = 0
		case "sinceSeconds":
			q.SinceSeconds = 0
		case "previous":
			q.Previous = false
		}
	}
	return logsView{
		Query:      q,
		Follow:     v.Get("follow") == "true",
		Timestamps: v.Get("timestamps") == "true",
		NoWrap:     v.Get("wrap") == "false",
		Search:     v.Get("search"),
	}, errs
}

// path is the view's page path (without the base path).
func (v logsView) path() string {
	q := v.Query
	return logsPagePath + url.PathEscape(q.Kind) + "/" + url.PathEscape(q.Namespace) + "/" + url.PathEscape(q.Name)
}

// encode is the view's query string.
func (v logsView) encode() string {
	vals := v.Query.Values()
	set := func(key string, on bool, value string) {
		if on {
			vals.Set(key, value)
		}
	}
	set("follow", v.Follow, "true")
	set("timestamps", v.Timestamps, "true")
	set("wrap", v.NoWrap, "false")
	set("search", v.Search != "", v.Search)
	return vals.Encode()
}

// href is the link to the view's page under base.
func (v logsView) href(base string) string {
	if s := v.encode(); s != "" {
		return base + v.path() + "?" + s
	}
	return base + v.path()
}

// readPath is the API path of a read of the view's logs.
func (v logsView) readPath() string {
	q := v.Query
	p := "/resources/" + url.PathEscape(q.Kind) + "/" + url.PathEscape(q.Namespace) + "/" + url.PathEscape(q.Name) + "/logs"
	if s := q.Values().Encode(); s != "" {
		p += "?" + s
	}
	return p
}

// logsTarget names whose logs a view reads, to tell when that changes.
func (v logsView) target() string {
	return v.Query.Kind + "/" + v.Query.Namespace + "/" + v.Query.Name
}

// The choices of the tail and since pickers.
var (
	tailChoices  = []int{100, 500, 1000, 5000}
	sinceChoices = []struct {
		seconds int
		label   string
	}{{0, "All"}, {300, "5 minutes"}, {3600, "1 hour"}, {6 * 3600, "6 hours"}, {86400, "1 day"}, {7 * 86400, "7 days"}}
)

// sinceLabel names a since choice, or the seconds of another.
func sinceLabel(seconds int) string {
	for _, c := range sinceChoices {
		if c.seconds == seconds {
			return c.label
		}
	}
	return strconv.Itoa(seconds) + " s"
}
