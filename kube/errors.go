package kube

import "errors"

// The few errors the rest of Kubedeck needs to tell apart. Errors returned by
// this package wrap one of them (test with errors.Is); the wrapped cause is
// for the log, the message of the sentinel's wrapper for people.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrInvalid      = errors.New("invalid")
	ErrUnavailable  = errors.New("kubernetes API unavailable")
	ErrUnauthorized = errors.New("unauthorized")
)
