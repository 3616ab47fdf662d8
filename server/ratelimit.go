package server

import (
	"net/http"

	"github.com/kubedeck/kubedeck/shared"
)

// Default write budget of one user: a burst of 20 changes, then one a second.
const (
	defaultWritesPerMinute = 60
	defaultWriteBurst      = 20
)

// Default read budget of one user: a burst of 300 reads, then ten a second.
// A UI session never comes near it: opening the objects page costs a dozen
// reads plus one /me per namespace shown, and a page whose socket is down
// polls every 5 seconds.
const (
	defaultReadsPerMinute = 600
	defaultReadBurst      = 300
)

// unsafeMethod says whether a request may change something.
func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// limitWrites takes one token from the user's write bucket for a request
// that may change something; when the bucket is empty the error is a 429
// RATE_LIMITED whose Retry-After says when to try again. Users are told
// apart by name: groups do not give anyone a second bucket.
func (s *Server) limitWrites(r *http.Request, id Identity) error {
	if !unsafeMethod(r.Method) {
		return nil
	}
	ok, wait := s.writes.allow(id.User.Name)
	if ok {
		return nil
	}
	s.log.Warn("write rate limit reached", "request_id", requestID(r), "user", id.User.Name,
		"method", r.Method, "path", r.URL.Path)
	secs := retryAfterSeconds(wait)
	return &apiError{code: shared.CodeRateLimited,
		message: "You are making changes too quickly; wait a moment and try again.",
		details: map[string]any{"retryAfterSeconds": secs}}
}

// limitReads takes one token from the user's read bucket for a request
// that changes nothing (the WebSocket upgrade included); when the bucket is
// empty the error is a 429 RATE_LIMITED with Retry-After. Reads are cheap
// for the cache but each may cost access reviews, so one user's burst could
// otherwise delay everyone's.
func (s *Server) limitReads(r *http.Request, id Identity) error {
	if unsafeMethod(r.Method) {
		return nil
	}
	ok, wait := s.reads.allow(id.User.Name)
	if ok {
		return nil
	}
	s.log.Warn("read rate limit reached", "request_id", requestID(r), "user", id.User.Name,
		"method", r.Method, "path", r.URL.Path)
	return &apiError{code: shared.CodeRateLimited,
		message: "You are sending requests too quickly; wait a moment and try again.",
		details: map[string]any{"retryAfterSeconds": retryAfterSeconds(wait)}}
}
