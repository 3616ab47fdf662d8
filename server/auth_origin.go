package server

import (
	"strings"

	"github.com/coder/websocket"
)

// wsAcceptOptions are the options the WebSocket hub passes to
// websocket.Accept: an upgrade is accepted from a page of this server's own
// host (coder/websocket always allows the request's Host) and from the
// configured trusted origins (a proxy that rewrites Host), and refused with
// 403 from any other origin, so another site's page cannot open a socket
// with the user's cookies. It never sets InsecureSkipVerify.
func (s *Server) wsAcceptOptions() *websocket.AcceptOptions {
	patterns := make([]string, 0, len(s.cfg.TrustedOrigins))
	for _, o := range s.cfg.TrustedOrigins {
		// A pattern with "://" is matched against the Origin's scheme://host;
		// escaping makes it match only itself ("[::1]" is not a class).
		patterns = append(patterns, escapePattern(strings.TrimSuffix(o, "/")))
	}
	return &websocket.AcceptOptions{OriginPatterns: patterns}
}

// escapePattern quotes path.Match's special characters.
func escapePattern(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`).Replace(s)
}
