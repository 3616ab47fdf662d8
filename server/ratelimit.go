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

// limitRequests takes one token from the user's budget: the write bucket
// for a request that may change something, the read bucket for any other
// (the WebSocket upgrade included; reads are cheap for the cache but each
// may cost access reviews, so one user's burst could otherwise delay
// everyone's). When the bucket is empty the error is a 429 RATE_LIMITED
// whose Retry-After says when to try again. Users are told apart by name:
// groups do not give anyone a second bucket.
func (s *Server) limitRequests(r *http.Request, id Identity) error {
	bucket, what, message := s.reads, "read", "You are sending requests too quickly; wait a moment and try again."
	if unsafeMethod(r.Method) {
		bucket, what, message = s.writes, "write", "You are making changes too quickly; wait a moment and try again."
	}
	ok, wait := bucket.allow(id.User.Name)
	if ok {
		return nil
	}
	s.log.Warn(what+" rate limit reached", "request_id", requestID(r), "user", id.User.Name,
		"method", r.Method, "path", r.URL.Path)
	return &apiError{code: shared.CodeRateLimited, message: message,
		details: map[string]any{shared.DetailRetryAfter: retryAfterSeconds(wait)}}
}
