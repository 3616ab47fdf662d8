package server

import (
	"net"
	"net/http"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// clientError records a panic the UI's error boundary caught, so UI faults
// reach the server's log. Reports are rate-limited per client.
func (s *Server) clientError(r *http.Request, _ Identity) (any, error) {
	key, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		key = r.RemoteAddr
	}
	if ok, wait := s.clientErrors.allow(key); !ok {
		return nil, &apiError{code: shared.CodeRateLimited, message: "Too many error reports; some were dropped.",
			details: map[string]any{shared.DetailRetryAfter: retryAfterSeconds(wait)}}
	}
	var rep shared.ClientError
	if err := decodeJSON(r, &rep); err != nil {
		return nil, err
	}
	if err := rep.Validate(); err != nil {
		return nil, invalid("The error report is not valid: "+err.Error(), nil)
	}
	s.log.Warn("client error", "request_id", requestID(r), "remote", key,
		"component", rep.Component, "route", rep.Route, "message", rep.Message,
		"stack", clip(rep.Stack, 8<<10), "version", rep.Version, "user_agent", clip(r.UserAgent(), 200))
	return reply{status: http.StatusAccepted, message: "Thanks, the error was reported."}, nil
}

// clip shortens s to at most n bytes, on a line boundary when it can.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, '\n'); i > n/2 {
		s = s[:i]
	}
	return s + "…"
}
