package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// termStatus is where a shell session stands.
type termStatus int

const (
	termIdle       termStatus = iota
	termChecking              // asking the server whether the shell would open
	termRefused               // the server said no, with why (no terminal shown)
	termConnecting            // opening the socket
	termOpen                  // the command runs
	termEnded                 // the session ended (how: end)
	termFailed                // the connection failed or broke
)

// termState is what the shell page shows about its session: a plain
// struct, tested natively.
type termState struct {
	Status    termStatus
	Container string
	Message   string           // why it was refused, failed or ended
	End       shared.ExecEvent // how it ended (termEnded)
}

// shellTarget is the pod (and container) a shell page opens: its path is
// /apps/shell/{namespace}/{pod}?container=.
type shellTarget struct {
	Namespace, Pod, Container string
}

// shellPathPrefix starts every shell page's path.
const shellPathPrefix = "/apps/shell/"

// parseShellURL reads the target from a shell page's path (without the
// base path) and query; ok is false when they name no pod.
func parseShellURL(path string, q url.Values) (shellTarget, bool) {
	rest, found := strings.CutPrefix(path, shellPathPrefix)
	ns, pod, two := strings.Cut(rest, "/")
	if !found || !two || ns == "" || pod == "" || strings.Contains(pod, "/") {
		return shellTarget{}, false
	}
	return shellTarget{Namespace: ns, Pod: pod, Container: q.Get("container")}, true
}

// shellURL is the path of the shell page for a pod's container.
func shellURL(base, namespace, pod, container string) string {
	p := base + shellPathPrefix + url.PathEscape(namespace) + "/" + url.PathEscape(pod)
	if container != "" {
		p += "?container=" + url.QueryEscape(container)
	}
	return p
}

// label is the state in a few words, for the status line.
func (s termState) label() string {
	switch s.Status {
	case termChecking:
		return "Checking…"
	case termRefused:
		return "Not allowed"
	case termConnecting:
		return "Connecting…"
	case termOpen:
		return "Connected to " + s.Container
	case termEnded:
		return endLabel(s.End)
	case termFailed:
		return "Disconnected"
	}
	return "Not connected"
}

// endLabel says how a session ended, briefly.
func endLabel(ev shared.ExecEvent) string {
	switch ev.Reason {
	case shared.ExecEndExited:
		if ev.ExitCode != nil {
			return fmt.Sprintf("Exited with code %d", *ev.ExitCode)
		}
		return "Exited"
	case shared.ExecEndIdle:
		return "Ended: idle too long"
	case shared.ExecEndLifetime:
		return "Ended: time limit reached"
	case shared.ExecEndRevoked:
		return "Ended: permission revoked"
	case shared.ExecEndShutdown:
		return "Ended: server shutting down"
	case shared.ExecEndClosed:
		return "Closed"
	}
	return "Ended: connection failed"
}

// canReconnect says whether the page offers to open the shell again.
func (s termState) canReconnect() bool {
	return s.Status == termEnded || s.Status == termFailed
}

// ended is the state after the server's "ended" event.
func (s termState) ended(ev shared.ExecEvent) termState {
	return termState{Status: termEnded, Container: s.Container, Message: ev.Message, End: ev}
}

// broken is the state after the socket closed without an "ended" event
// (which always comes first when the server ends a session).
func (s termState) broken(err error) termState {
	if s.Status == termEnded || s.Status == termRefused {
		return s
	}
	msg := "The connection to the server was lost."
	if err != nil {
		msg += " (" + err.Error() + ")"
	}
	return termState{Status: termFailed, Container: s.Container, Message: msg}
}
