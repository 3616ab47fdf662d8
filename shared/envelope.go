package shared

import (
	"encoding/json"
	"net/http"
	"time"
)

// Code is a machine-readable error code carried in the error envelope.
type Code string

// The error codes of the API. Each has one HTTP status (see Code.HTTPStatus).
const (
	CodeValidation   Code = "VALIDATION_ERROR"
	CodeUnauthorized Code = "UNAUTHORIZED"
	CodeForbidden    Code = "FORBIDDEN"
	CodeNotFound     Code = "RESOURCE_NOT_FOUND"
	CodeMethod       Code = "METHOD_NOT_ALLOWED"
	CodeConflict     Code = "CONFLICT"
	CodeTooLarge     Code = "PAYLOAD_TOO_LARGE"
	CodeRateLimited  Code = "RATE_LIMITED"
	CodeK8sAPI       Code = "K8S_API_ERROR"
	CodeInternal     Code = "INTERNAL_ERROR"
	CodeUnavailable  Code = "SERVICE_UNAVAILABLE"
)

// Codes lists every error code, in the order of their statuses.
var Codes = []Code{
	CodeValidation, CodeUnauthorized, CodeForbidden, CodeNotFound, CodeMethod,
	CodeConflict, CodeTooLarge, CodeRateLimited, CodeInternal, CodeK8sAPI, CodeUnavailable,
}

// HTTPStatus is the status a response with this code is sent with.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeValidation:
		return http.StatusBadRequest
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeMethod:
		return http.StatusMethodNotAllowed
	case CodeConflict:
		return http.StatusConflict
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeK8sAPI:
		return http.StatusBadGateway
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Envelope is the one shape of every JSON reply of the API.
// Data is raw on decode so a client can unmarshal it into the type it expects.
type Envelope struct {
	Success   bool            `json:"success"`
	Data      json.RawMessage `json:"data,omitempty"`
	Message   string          `json:"message,omitempty"`
	Error     *Error          `json:"error,omitempty"`
	Timestamp time.Time       `json:"timestamp"`
}

// Error is the error part of a failed reply: a code, a message written for
// people, and optional details (for example the fields that failed validation).
type Error struct {
	Code    Code           `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// Error makes *Error an error, so a client can return what the server said.
func (e *Error) Error() string { return e.Message }
