package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kubedeck/kubedeck/shared"
)

// FuzzExecRoute sends any path and query to the exec route of a server
// without a cluster: whatever comes in, the answer is an envelope, a 400
// or 404 for what does not parse and a 503 for what does, never a 500 or
// an upgrade; and what parses obeys the bounds.
func FuzzExecRoute(f *testing.F) {
	s, _ := newTestServer(f, Config{ReadsPerMinute: 1 << 20, ReadBurst: 1 << 16}, nil)
	f.Add("default", "web-1", "container=main&command=sh&command=-c&command=echo+hi")
	f.Add("default", "web-1", "")
	f.Add("Default", "web_1", "container=..&command=")
	f.Add("a", "b", "command=%00&other=1")
	f.Add("ns", "p", strings.Repeat("command=x&", 40))
	f.Fuzz(func(t *testing.T, namespace, pod, query string) {
		if req, err := parseExecRequest(namespace, pod, query); err == nil {
			if _, qerr := url.ParseQuery(query); qerr != nil || shared.ValidateExecCommand(req.command) != nil || req.namespace != namespace || req.pod != pod {
				t.Fatalf("accepted %+v from %q %q %q", req, namespace, pod, query)
			}
		}
		u := &url.URL{Path: "/api/v1/exec/" + namespace + "/" + pod, RawQuery: query}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL, req.RequestURI = u, u.RequestURI()
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13")
		req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusBadRequest, http.StatusNotFound, http.StatusServiceUnavailable:
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			return // the mux cleans paths holding "." or ".." first
		default:
			t.Fatalf("%s: status %d: %s", u, rec.Code, rec.Body)
		}
		var env shared.Envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Error == nil {
			t.Fatalf("%s: not an error envelope: %s", u, rec.Body)
		}
	})
}
