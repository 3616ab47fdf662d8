package shared

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Logs of a pod's containers, or of an app's pods merged, read as the user
// (the right "get pods/log"):
//
//	GET /api/v1/resources/{kind}/{namespace}/{name}/logs?container=&tailLines=&sinceSeconds=&previous=
//
// answers a LogChunk, and over the WebSocket
//
//	{"type":"subscribe:logs","id":"l1","data":{…LogQuery}}
//
// follows them: logs:lines messages (data LogChunk) as lines come, then one
// logs:end (data LogEnd) saying why the stream ended. {kind} is pods for one
// pod, or deployments, statefulsets, daemonsets or jobs for all the pods of
// an app, each line labelled with its pod, in time order; a follow of an app
// picks up its pods as they come and go.

// The kinds whose logs can be read.
var LogKinds = []string{"pods", "deployments", "statefulsets", "daemonsets", "jobs"}

// Limits of one read of logs.
const (
	// DefaultLogTailLines is how many of the last lines a read without
	// tailLines returns, per container.
	DefaultLogTailLines = 500
	// MaxLogTailLines bounds tailLines.
	MaxLogTailLines = 10000
	// MaxLogSinceSeconds bounds sinceSeconds (30 days).
	MaxLogSinceSeconds = 30 * 24 * 3600
	// MaxLogLineBytes bounds one line; a longer one is cut, saying how much
	// was cut.
	MaxLogLineBytes = 16 << 10
	// MaxLogReadBytes bounds what one read takes from each pod.
	MaxLogReadBytes = 8 << 20
	// MaxLogPods bounds how many pods of an app are read at once.
	MaxLogPods = 20
)

// LogQuery names the logs to read: whose, which container, and how far back.
type LogQuery struct {
	// Kind is one of LogKinds.
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Container names the container (init and ephemeral ones too); empty:
	// the pod's default container (its annotation
	// kubectl.kubernetes.io/default-container, else its first).
	Container string `json:"container,omitempty"`
	// TailLines is how many of the last lines to read (0: the default).
	TailLines int `json:"tailLines,omitempty"`
	// SinceSeconds reads only lines younger than this (0: no bound).
	SinceSeconds int `json:"sinceSeconds,omitempty"`
	// Previous reads the container that ran before the last restart: the
	// usual way to see why it crashed. A follow of previous logs reads them
	// and ends.
	Previous bool `json:"previous,omitempty"`
}

// Check returns field errors keyed by field, or nil.
func (q LogQuery) Check() map[string]string {
	errs := map[string]string{}
	known := false
	for _, k := range LogKinds {
		known = known || k == q.Kind
	}
	if !known {
		errs["kind"] = "Logs are read for pods, deployments, statefulsets, daemonsets or jobs."
	}
	if err := ValidateNamespace(q.Namespace); err != nil {
		errs["namespace"] = err.Error()
	}
	if err := ValidateObjectName(q.Name); err != nil {
		errs["name"] = err.Error()
	}
	if q.Container != "" {
		if err := checkLabel(q.Container); err != nil {
			errs["container"] = err.Error()
		}
	}
	if q.TailLines < 0 || q.TailLines > MaxLogTailLines {
		errs["tailLines"] = fmt.Sprintf("Read between 1 and %d lines (0 for the default, %d).", MaxLogTailLines, DefaultLogTailLines)
	}
	if q.SinceSeconds < 0 || q.SinceSeconds > MaxLogSinceSeconds {
		errs["sinceSeconds"] = fmt.Sprintf("Read at most %d days back.", MaxLogSinceSeconds/86400)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Tail returns the lines to read: TailLines, or the default.
func (q LogQuery) Tail() int {
	if q.TailLines == 0 {
		return DefaultLogTailLines
	}
	return q.TailLines
}

// Values returns the query's options as URL parameters (kind, namespace and
// name go in the path).
func (q LogQuery) Values() url.Values {
	v := url.Values{}
	if q.Container != "" {
		v.Set("container", q.Container)
	}
	if q.TailLines != 0 {
		v.Set("tailLines", strconv.Itoa(q.TailLines))
	}
	if q.SinceSeconds != 0 {
		v.Set("sinceSeconds", strconv.Itoa(q.SinceSeconds))
	}
	if q.Previous {
		v.Set("previous", "true")
	}
	return v
}

// LogQueryOf reads a query's options from URL parameters; the errors are
// keyed by parameter.
func LogQueryOf(kind, namespace, name string, v url.Values) (LogQuery, map[string]string) {
	q := LogQuery{Kind: kind, Namespace: namespace, Name: name, Container: v.Get("container")}
	errs := map[string]string{}
	number := func(key string) int {
		s := v.Get(key)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs[key] = "Give a whole number."
			return 0
		}
		return n
	}
	q.TailLines = number("tailLines")
	q.SinceSeconds = number("sinceSeconds")
	switch v.Get("previous") {
	case "", "false":
	case "true":
		q.Previous = true
	default:
		errs["previous"] = `Give "true" or "false".`
	}
	for k, msg := range q.Check() {
		if _, ok := errs[k]; !ok {
			errs[k] = msg
		}
	}
	if len(errs) == 0 {
		return q, nil
	}
	return q, errs
}

// LogLine is one line of a container's log.
type LogLine struct {
	// Time is when the container wrote it, as its runtime stamped it.
	Time time.Time `json:"t"`
	// Pod names the line's pod in an app's logs.
	Pod string `json:"p,omitempty"`
	// Container names the line's container when the logs are of several.
	Container string `json:"c,omitempty"`
	// Text is the line as written: valid UTF-8 (invalid bytes replaced),
	// ANSI escapes and control characters kept, for the page to render as
	// text; at most MaxLogLineBytes, a longer line cut with a note.
	Text string `json:"x"`
}

// LogContainer is a container whose logs can be read.
type LogContainer struct {
	Name string `json:"name"`
	// Type is "" for an ordinary container, "init" or "ephemeral".
	Type string `json:"type,omitempty"`
	// Restarts is how often it restarted (in the pod read, for an app the
	// sum); previous logs exist after one.
	Restarts int `json:"restarts,omitempty"`
}

// LogChunk is lines of logs: a read's answer, or what a follow sends at once.
type LogChunk struct {
	Lines []LogLine `json:"lines"`
	// Dropped counts lines the server left out before these: the client
	// read too slowly, or the app wrote too fast, to send them all.
	Dropped int `json:"dropped,omitempty"`
	// Truncated says a read stopped at a limit (MaxLogReadBytes) before the
	// end of the log.
	Truncated bool `json:"truncated,omitempty"`
	// Containers are the containers there are to choose from; sent with a
	// read and a follow's first chunk.
	Containers []LogContainer `json:"containers,omitempty"`
	// Pods are the pods read, for an app (at most MaxLogPods, newest first).
	Pods []string `json:"pods,omitempty"`
	// Failed says, per pod, why its logs could not be read (a container that
	// has not started, a pod that went away).
	Failed map[string]string `json:"failed,omitempty"`
}

// LogEnd is the data of logs:end: why a follow ended. A follow that ended
// for a reason other than the client's unsubscribe can be followed again.
type LogEnd struct {
	// Reason is one of the LogEnd* constants.
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// Why a follow of logs ended.
const (
	// LogEndDone: the container stopped or the pod went away.
	LogEndDone = "done"
	// LogEndIdle: no line came for a long while; follow again to go on.
	LogEndIdle = "idle"
	// LogEndForbidden: the user's right to read the logs was taken away.
	LogEndForbidden = "forbidden"
	// LogEndUnavailable: the API server or the node stopped answering.
	LogEndUnavailable = "unavailable"
	// LogEndShutdown: the server is shutting down; reconnect to go on.
	LogEndShutdown = "shutdown"
)
