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
