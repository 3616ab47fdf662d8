package server

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// csp allows only this origin, and WebAssembly compilation; forms may
// submit only here and no <base> may move relative URLs elsewhere.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; " +
	"img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'"

// middleware assembles the chain, outermost first: a request id, the access
// log, panic recovery, security headers, the Host check (a request for
// another host goes no further), taking off the proxy secret, the body
// limit, and cross-origin protection for unsafe methods.
func (s *Server) middleware(h http.Handler) (http.Handler, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin request refused", "request_id", requestID(r), "method", r.Method,
			"path", r.URL.Path, "origin", r.Header.Get("Origin"))
		writeEnvelope(w, http.StatusForbidden, shared.Envelope{Error: &shared.Error{
			Code: shared.CodeForbidden, Message: "Cross-origin requests that change state are refused."}})
	}))
	h = cop.Handler(h)
	h = s.limitBody(h)
	h = s.checkProxySecret(h)
	h = s.checkHost(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.accessLog(h)
	h = withRequestID(h)
	return h, nil
}

const requestIDHeader = "X-Request-Id"

// withRequestID gives every request an id, sent back in X-Request-Id. An id
// from the client is kept only when it is short and plain.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !plainID(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
			r.Header.Set(requestIDHeader, id)
		}
		w.Header().Set(requestIDHeader, id)
		next.ServeHTTP(w, r)
	})
}

func plainID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// requestID is the id withRequestID gave r.
func requestID(r *http.Request) string { return r.Header.Get(requestIDHeader) }

// statusRecorder remembers the status and size of a reply.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (WebSocket
// hijacking, flushing).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// accessLog writes one JSON line per request. It logs the path, never the
// query (which may carry tokens), headers or bodies.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		s.log.Info("http", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000,
			"remote", r.RemoteAddr)
	})
}

// recoverPanics turns a handler panic into a 500 envelope and logs the stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path,
				"panic", v, "stack", string(debug.Stack()))
			writeEnvelope(w, http.StatusInternalServerError, shared.Envelope{Error: &shared.Error{
				Code: shared.CodeInternal, Message: "Something went wrong on the server; it has been logged."}})
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the CSP and its companions on every reply.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies over the limit: at once when Content-Length says
// so, otherwise when a handler reads past it (decodeJSON reports 413).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.BodyLimit {
			s.writeError(w, r, &http.MaxBytesError{Limit: s.cfg.BodyLimit})
			return
		}
		if r.Body != nil && !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.BodyLimit)
		}
		next.ServeHTTP(w, r)
	})
}
