package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// apiError is an error that carries what the client is told: a code, a
// message for people and optional details. Its cause, if any, goes to the log.
type apiError struct {
	code    shared.Code
	message string
	details map[string]any
	cause   error
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.code, e.message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.code, e.message)
}

func (e *apiError) Unwrap() error { return e.cause }

// invalid is a 400 VALIDATION_ERROR naming what is wrong.
func invalid(message string, details map[string]any) error {
	return &apiError{code: shared.CodeValidation, message: message, details: details}
}

// notFound is a 404 RESOURCE_NOT_FOUND.
func notFound(message string, details map[string]any) error {
	return &apiError{code: shared.CodeNotFound, message: message, details: details}
}

// sentinels maps the operations registry's sentinel errors to the codes
// the client sees; kube's own are mapped by kube.Public. Anything in
// neither (and not an *apiError) is an INTERNAL_ERROR whose cause is
// logged, not sent.
var sentinels = []struct {
	err     error
	code    shared.Code
	message string
}{
	{operations.ErrNotFound, shared.CodeNotFound, "There is no such operation."},
	{operations.ErrTooMany, shared.CodeRateLimited, "You already run as many operations as you may; wait for one to finish."},
	{operations.ErrFull, shared.CodeUnavailable, "The server runs as many operations as it may; try again shortly."},
	{operations.ErrBusy, shared.CodeConflict, "Another operation is working on this; wait for it to finish."},
	{operations.ErrStopping, shared.CodeUnavailable, "The server is restarting; try again shortly."},
	{operations.ErrNoRegistry, shared.CodeUnavailable, "This server runs no operations."},
	{operations.ErrUnavailable, shared.CodeUnavailable, "The store shared by the server's replicas does not answer, so this operation cannot be read now; try again shortly."},
}

// operationRetryAfter is the Retry-After, in seconds, of a 429 for a user
// who runs as many operations as allowed.
const operationRetryAfter = 10

// toAPIError turns any error a handler returns into what the client is told.
// The second result says whether the cause must be logged as a server fault.
func toAPIError(err error) (*apiError, bool) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae, ae.code == shared.CodeInternal || ae.code == shared.CodeK8sAPI
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &apiError{code: shared.CodeTooLarge, cause: err,
			message: fmt.Sprintf("The request body is larger than %d bytes.", tooLarge.Limit)}, false
	}
	// An error already in the wire's shape (kube/apps answers a server
	// without a cluster so) is sent as it is.
	var se *shared.Error
	if errors.As(err, &se) {
		return &apiError{code: se.Code, message: se.Message, details: se.Details, cause: err}, se.Code == shared.CodeInternal
	}
	if pe, ok := kube.Public(err); ok {
		return &apiError{code: pe.Code, message: pe.Message, details: pe.Details, cause: err}, pe.Code == shared.CodeK8sAPI
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			msg := s.message
			// kube's wrappers carry a message written for people after the sentinel.
			var pm interface{ PublicMessage() string }
			if errors.As(err, &pm) && pm.PublicMessage() != "" {
				msg = pm.PublicMessage()
			}
			ae := &apiError{code: s.code, message: msg, cause: err}
			if errors.Is(err, operations.ErrTooMany) {
				// An operation takes seconds to minutes; a client that
				// waits this long before trying again does not hammer.
				ae.details = map[string]any{shared.DetailRetryAfter: operationRetryAfter}
			}
			return ae, s.code == shared.CodeK8sAPI
		}
	}
	return &apiError{code: shared.CodeInternal, message: "Something went wrong on the server; it has been logged.", cause: err}, true
}
