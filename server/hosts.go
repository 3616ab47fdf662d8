package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// hostName is one allowed Host: a lower-case name or address without
// brackets, and a port ("" for any).
type hostName struct {
	host, port string
}

// parseAllowedHosts reads Config.AllowedHosts: host names or addresses,
// each with an optional port.
func parseAllowedHosts(hosts []string) ([]hostName, error) {
	out := make([]hostName, 0, len(hosts))
	for _, h := range hosts {
		hn, ok := splitHost(h)
		if !ok || strings.ContainsAny(hn.host, "/@?#* ") {
			return nil, fmt.Errorf("allowed host %q is not a host name with an optional port (like kubedeck.example.com or kubedeck.example.com:8443)", h)
		}
		out = append(out, hn)
	}
	return out, nil
}

// splitHost splits a Host header (or an allowed host) into its lower-case
// name, without brackets or a final dot, and its port.
func splitHost(h string) (hostName, bool) {
	h = strings.TrimSpace(h)
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), ""
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" || strings.ContainsAny(host, "[]") {
		return hostName{}, false
	}
	return hostName{host: host, port: port}, true
}

// hostAllowed says whether a request's Host is one this server answers for:
// localhost, a loopback address, or one of the allowed hosts.
func (s *Server) hostAllowed(h string) bool {
	hn, ok := splitHost(h)
	if !ok {
		return false
	}
	if hn.host == "localhost" {
		return true
	}
	if ip, err := netip.ParseAddr(hn.host); err == nil && ip.Unmap().IsLoopback() {
		return true
	}
	for _, a := range s.allowedHosts {
		if a.host == hn.host && (a.port == "" || a.port == hn.port) {
			return true
		}
	}
	return false
}

// probePath says whether p is a health probe, which answers whatever the
// Host: kubelet names the pod's address, and the probes hold no data.
func probePath(p string) bool { return p == "/healthz" || p == "/readyz" }

// checkHost refuses, with 400, a request whose Host is not one the server
// answers for, before anything else looks at it. A page on a DNS-rebinding
// domain (whose name was made to resolve to Kubedeck's address) sends its
// own name as the Host, and the browser treats the page and Kubedeck as one
// origin, so neither Origin checks nor CrossOriginProtection can tell.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hostAllowed(r.Host) || probePath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		s.log.Warn("request for a host that is not allowed refused", "request_id", requestID(r), "host", r.Host,
			"method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		const msg = "Kubedeck does not answer for the host name this request was sent to; an operator can allow it with --allowed-hosts."
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.writeError(w, r, invalid(msg, nil))
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, msg, http.StatusBadRequest)
	})
}
