package server

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// A shell in a container (GET /api/v1/exec/{namespace}/{pod}?container=&command=):
// everything that can be refused is refused before the upgrade, with an
// envelope the UI shows (a foreign Origin 403, no right to create
// pods/exec 403 naming it, an unknown pod 404, a container the pod does
// not have 400 naming its containers, too many sessions 429). Then the
// socket carries one session (exec_session.go) until the command exits,
// the browser leaves, or a limit, a revoked right or shutdown ends it.

// execRequest is what an exec route's path and query name.
type execRequest struct {
	namespace, pod, container string
	command                   []string
}

// parseExecRequest reads and checks an exec request's namespace, pod,
// container (optional) and command (repeated "command" parameters, one per
// argument; default shared.ExecDefaultCommand).
func parseExecRequest(namespace, pod, rawQuery string) (execRequest, error) {
	if err := shared.ValidateNamespace(namespace); err != nil {
		return execRequest{}, invalid("The namespace is not valid: "+err.Error()+".", map[string]any{shared.DetailParameter: "namespace"})
	}
	if err := shared.ValidateObjectName(pod); err != nil {
		return execRequest{}, invalid("The pod name is not valid: "+err.Error()+".", map[string]any{shared.DetailParameter: "pod"})
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return execRequest{}, invalid("The query is not valid: "+err.Error()+".", nil)
	}
	for key := range q {
		if key != "container" && key != "command" {
			return execRequest{}, invalid("Unknown parameter "+quoted(key)+"; use container and command.", map[string]any{shared.DetailParameter: key})
		}
	}
	req := execRequest{namespace: namespace, pod: pod, container: q.Get("container"), command: q["command"]}
	if len(q["container"]) > 1 {
		return execRequest{}, invalid("Name one container.", map[string]any{shared.DetailParameter: "container"})
	}
	if req.container != "" {
		if err := shared.DNSLabel.Validate(req.container); err != nil {
			return execRequest{}, invalid("The container name is not valid: "+err.Error()+".", map[string]any{shared.DetailParameter: "container"})
		}
	}
	if len(req.command) == 0 {
		req.command = []string{shared.ExecDefaultCommand}
	}
	if err := shared.ValidateExecCommand(req.command); err != nil {
		return execRequest{}, invalid("The command is not valid: "+err.Error()+".", map[string]any{shared.DetailParameter: "command"})
	}
	return req, nil
}

// serveExec checks an exec request, upgrades it and serves the session.
func (s *Server) serveExec(w http.ResponseWriter, r *http.Request, id Identity) error {
	req, err := parseExecRequest(r.PathValue("namespace"), r.PathValue("pod"), r.URL.RawQuery)
	if err != nil {
		return err
	}
	if s.deps.Kube == nil {
		return &apiError{code: shared.CodeUnavailable, message: "Shells are not available: this server runs without a cluster."}
	}
	if !s.sameOriginUpgrade(r) {
		s.log.Warn("exec from a foreign origin refused", "request_id", requestID(r), "origin", r.Header.Get("Origin"))
		return &apiError{code: shared.CodeForbidden, message: "A shell may be opened only from Kubedeck's own pages."}
	}
	ok, reason, err := s.selfAccess.Allows(r.Context(), id.User, req.namespace, shared.ActionExecPods)
	if err != nil {
		return err
	}
	if !ok {
		return &apiError{code: shared.CodeForbidden, message: reason, details: map[string]any{"action": shared.ActionExecPods}}
	}
	req.container, err = s.deps.Kube.ExecContainer(r.Context(), id.User, req.namespace, req.pod, req.container)
	if err != nil {
		return err
	}
	release, err := s.execs.reserve(r.Context(), id.User.Name)
	if err != nil {
		return err
	}
	defer release()
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		// A plain GET asks whether a shell would open, and in which
		// container: a browser cannot read why an upgrade was refused.
		s.writeData(w, http.StatusOK, shared.ExecCheck{Container: req.container, Command: req.command}, "")
		return nil
	}
	ws, err := websocket.Accept(w, r, s.wsAcceptOptions())
	if err != nil {
		s.log.Warn("exec upgrade refused", "request_id", requestID(r), "err", err)
		return nil
	}
	ws.SetReadLimit(wsReadLimit)
	started := time.Now()
	target := kube.ExecTarget{Namespace: req.namespace, Pod: req.pod, Container: req.container, Command: req.command}
	end := s.newExecSession(ws, id.User, target).run()
	s.auditExec(r, id, target, started, end)
	return nil
}

// sameOriginUpgrade says whether websocket.Accept would take r's Origin:
// none (not a browser), the request's own host, or a trusted origin. It is
// checked before anything is asked of the cluster.
func (s *Server) sameOriginUpgrade(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(r.Host, u.Host) {
		return true
	}
	for _, p := range s.wsAcceptOptions().OriginPatterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, _ := path.Match(strings.ToLower(p), strings.ToLower(target)); ok {
			return true
		}
	}
	return false
}

// auditExec writes the one audit line of a session, when it is over: who,
// which container, when it started, how long it lasted and how it ended.
// Never what was typed or printed, nor the command's arguments.
func (s *Server) auditExec(r *http.Request, id Identity, t kube.ExecTarget, started time.Time, end execEnding) {
	attrs := []any{
		"request_id", requestID(r), "user", id.User.Name, "groups", id.User.Groups, "source", r.RemoteAddr,
		"verb", "exec", "object", map[string]string{"kind": "Pod", "namespace": t.Namespace, "name": t.Pod},
		"container", t.Container, "program", t.Command[0],
		"started", started.UTC().Format(time.RFC3339), "duration_ms", time.Since(started).Milliseconds(),
		"result", string(end.reason),
	}
	if end.exitCode != nil {
		attrs = append(attrs, "exit_code", *end.exitCode)
	}
	s.log.Info("audit", attrs...)
}

// execEndMessage says, for people, how a session ended.
func execEndMessage(reason shared.ExecEnd, cfg ExecConfig, exitCode int) string {
	switch reason {
	case shared.ExecEndExited:
		return fmt.Sprintf("The command exited with code %d.", exitCode)
	case shared.ExecEndIdle:
		return fmt.Sprintf("The session ended after %s without input or output.", cfg.IdleTimeout)
	case shared.ExecEndLifetime:
		return fmt.Sprintf("The session reached its time limit of %s.", cfg.MaxLifetime)
	case shared.ExecEndShutdown:
		return "The server is shutting down; reconnect in a moment."
	case shared.ExecEndClosed:
		return "The terminal was closed."
	}
	return "The connection to the container failed."
}
