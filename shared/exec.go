package shared

import (
	"fmt"
	"net/url"
	"strings"
)

// A shell in a container: GET /api/v1/exec/{namespace}/{pod}?container=&command=
// upgrades to a WebSocket that carries one exec session. Binary frames are
// the terminal's bytes (client to server: keystrokes; server to client: the
// output of the TTY). Text frames are JSON: the client sends ExecInput
// (a resize), the server sends ExecEvent (started, then ended with how).

// ActionExecPods is the key of Me.Can for opening a shell in a pod's
// container (create on pods/exec).
const ActionExecPods = "exec pods"

// Bounds on the command of an exec session: at most ExecMaxArgs arguments
// of at most ExecMaxArgLength bytes each.
const (
	ExecMaxArgs      = 32
	ExecMaxArgLength = 1024
)

// ExecDefaultCommand is the command run when none is named.
const ExecDefaultCommand = "sh"

// ExecCheck is the reply of a plain GET of the exec route (no upgrade):
// every check passed, and the session would run Command in Container.
type ExecCheck struct {
	Container string   `json:"container"`
	Command   []string `json:"command"`
}

// ExecPath is the exec route's path (under the API root) for a pod's
// container ("" for the default) and command (nil for the default).
func ExecPath(namespace, pod, container string, command []string) string {
	q := url.Values{}
	if container != "" {
		q.Set("container", container)
	}
	for _, a := range command {
		q.Add("command", a)
	}
	p := "/api/v1/exec/" + url.PathEscape(namespace) + "/" + url.PathEscape(pod)
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// ExecInput is a JSON message from the terminal: "resize" with its size.
type ExecInput struct {
	Type string `json:"type"`
	Cols uint16 `json:"cols"`
	Rows uint16 `json:"rows"`
}

// ExecInputResize is the only ExecInput type.
const ExecInputResize = "resize"

// ExecEvent is a JSON message from the server: "started" once the command
// runs (with the container it runs in), "ended" once it is over.
type ExecEvent struct {
	Type      string   `json:"type"`
	Container string   `json:"container,omitempty"`
	Command   []string `json:"command,omitempty"`
	// Reason says how a session ended (one of the ExecEnd* values).
	Reason ExecEnd `json:"reason,omitempty"`
	// ExitCode is the command's exit code when Reason is ExecEndExited.
	ExitCode *int `json:"exitCode,omitempty"`
	// Message says it for people.
	Message string `json:"message,omitempty"`
}

// The ExecEvent types.
const (
	ExecEventStarted = "started"
	ExecEventEnded   = "ended"
)

// ExecEnd is how an exec session ended.
type ExecEnd string

// The ways a session ends.
const (
	ExecEndExited   ExecEnd = "exited"   // the command exited (ExitCode)
	ExecEndClosed   ExecEnd = "closed"   // the browser closed the terminal
	ExecEndIdle     ExecEnd = "idle"     // nothing was typed or printed for the idle limit
	ExecEndLifetime ExecEnd = "lifetime" // the session reached its total time limit
	ExecEndRevoked  ExecEnd = "revoked"  // the right to exec was taken away
	ExecEndShutdown ExecEnd = "shutdown" // the server is shutting down
	ExecEndError    ExecEnd = "error"    // the stream to the container failed
)

// ValidateExecCommand checks an exec command: at least one argument, at most
// ExecMaxArgs, each non-empty for the first, at most ExecMaxArgLength bytes
// and free of NUL bytes. It says what is wrong in words a person can act on.
func ValidateExecCommand(cmd []string) error {
	if len(cmd) == 0 {
		return fmt.Errorf("name a command to run")
	}
	if len(cmd) > ExecMaxArgs {
		return fmt.Errorf("a command has at most %d arguments; this one has %d", ExecMaxArgs, len(cmd))
	}
	if strings.TrimSpace(cmd[0]) == "" {
		return fmt.Errorf("the command's program is empty")
	}
	for i, a := range cmd {
		if len(a) > ExecMaxArgLength {
			return fmt.Errorf("argument %d is longer than %d bytes", i+1, ExecMaxArgLength)
		}
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("argument %d holds a NUL byte", i+1)
		}
	}
	return nil
}
