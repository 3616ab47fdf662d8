package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"

	"github.com/kubedeck/kubedeck/shared"
)

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

// Error is what Translate returns: one of the sentinels, a message written
// for people, and the original cause (kept for the log and for errors.As,
// so apierrors helpers still work on it).
type Error struct {
	sentinel error
	message  string
	cause    error
	details  map[string]any
}

// newError builds an *Error; cause may be nil.
func newError(sentinel error, message string, cause error) *Error {
	return &Error{sentinel: sentinel, message: message, cause: cause}
}

// Error reads "message: cause", for the log.
func (e *Error) Error() string {
	if e.cause == nil {
		return e.message
	}
	return e.message + ": " + e.cause.Error()
}

// Unwrap gives both the sentinel and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.cause == nil {
		return []error{e.sentinel}
	}
	return []error{e.sentinel, e.cause}
}

// PublicMessage is the message for the person who made the request.
func (e *Error) PublicMessage() string { return e.message }

// PublicDetails are the facts the client gets with the message (the
// fields at fault, the verdicts of a dry run); nil for none.
func (e *Error) PublicDetails() map[string]any { return e.details }

// Translate turns an error from client-go into one wrapping a sentinel, with
// a message for people. Errors it does not recognise come back unchanged
// (the server reports them as internal errors and logs them); so do nil,
// context cancellation and errors that are already translated.
func Translate(err error) error { return TranslateIn(err, "") }

// TranslateIn is Translate for a call made in namespace, which the messages
// then name (the API server's own messages leave it out).
func TranslateIn(err error, namespace string) error {
	var done *Error
	switch {
	case err == nil, errors.As(err, &done), errors.Is(err, context.Canceled):
		return err
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return fromStatus(err, status.Status(), namespace)
	}
	if transient(err) {
		return newError(ErrUnavailable, "The Kubernetes API did not answer; try again shortly.", err)
	}
	// Any other failure of the HTTP exchange (TLS, DNS, a proxy) is the API
	// server being out of reach too, though waiting will not fix it.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return newError(ErrUnavailable, "Kubedeck could not reach the Kubernetes API.", err)
	}
	return err
}

// fromStatus translates an error the API server answered with.
func fromStatus(err error, st metav1.Status, namespace string) error {
	obj := describe(st.Details, namespace)
	switch st.Reason {
	case metav1.StatusReasonNotFound:
		return newError(ErrNotFound, sentence(obj, "was not found"), err)
	case metav1.StatusReasonAlreadyExists:
		return newError(ErrConflict, sentence(obj, "already exists"), err)
	case metav1.StatusReasonConflict:
		return newError(ErrConflict, sentence(obj, "was changed by someone else; reload it and try again"), err)
	case metav1.StatusReasonGone, metav1.StatusReasonExpired:
		return newError(ErrConflict, "The list changed too much while it was read; reload it.", err)
	case metav1.StatusReasonForbidden:
		return newError(ErrForbidden, forbiddenMessage(st.Message), err)
	case metav1.StatusReasonUnauthorized:
		return newError(ErrUnauthorized, "The Kubernetes API server did not accept Kubedeck's own credentials; an administrator must fix its configuration.", err)
	case metav1.StatusReasonInvalid:
		return newError(ErrInvalid, invalidMessage(obj, st), err)
	case metav1.StatusReasonBadRequest, metav1.StatusReasonMethodNotAllowed,
		metav1.StatusReasonRequestEntityTooLarge, metav1.StatusReasonNotAcceptable:
		return newError(ErrInvalid, "Kubernetes refused the request: "+clip(st.Message)+".", err)
	case metav1.StatusReasonTooManyRequests:
		return newError(ErrUnavailable, "The Kubernetes API is busy; try again shortly.", err)
	case metav1.StatusReasonTimeout, metav1.StatusReasonServerTimeout:
		return newError(ErrUnavailable, "The Kubernetes API did not answer in time; try again shortly.", err)
	}
	switch code := st.Code; {
	case code == 404:
		return newError(ErrNotFound, sentence(obj, "was not found"), err)
	case code == 409:
		return newError(ErrConflict, sentence(obj, "already exists or was changed"), err)
	case code == 403:
		return newError(ErrForbidden, forbiddenMessage(st.Message), err)
	case code == 401:
		return newError(ErrUnauthorized, "The Kubernetes API server did not accept Kubedeck's own credentials; an administrator must fix its configuration.", err)
	case code == 400 || code == 422:
		return newError(ErrInvalid, "Kubernetes refused the request: "+clip(st.Message)+".", err)
	case code == 429:
		return newError(ErrUnavailable, "The Kubernetes API is busy; try again shortly.", err)
	case code >= 500:
		return newError(ErrUnavailable, "The Kubernetes API failed to answer; try again shortly.", err)
	}
	return err
}

// transient says whether err is a failure to reach the API server or to get
// its answer in time that may pass: a timeout, a refused or reset connection,
// a connection closed mid-answer.
func transient(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		utilnet.IsConnectionRefused(err) || utilnet.IsConnectionReset(err) ||
		utilnet.IsProbableEOF(err) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}

// describe names the object an error is about, for example
// `Deployment "web" in namespace "team-a"`. It is empty when the error does
// not say.
func describe(d *metav1.StatusDetails, namespace string) string {
	if d == nil || (d.Name == "" && d.Kind == "") {
		return ""
	}
	kind := kindName(d.Kind, d.Group)
	var b strings.Builder
	b.WriteString(kind)
	if d.Name != "" {
		fmt.Fprintf(&b, " %q", d.Name)
	}
	if namespace != "" {
		fmt.Fprintf(&b, " in namespace %q", namespace)
	}
	return b.String()
}

// sentence makes "<object> <predicate>." or a general sentence when the
// object is unknown.
func sentence(obj, predicate string) string {
	if obj == "" {
		obj = "The object"
	}
	return obj + " " + predicate + "."
}

// kindName turns what the API server puts in StatusDetails.Kind (the
// resource for most errors, the kind for Invalid) into a kind for people.
func kindName(resource, group string) string {
	switch strings.ToLower(resource) {
	case "pods", "pod":
		return "Pod"
	case "deployments", "deployment":
		return "Deployment"
	case "replicasets", "replicaset":
		return "ReplicaSet"
	case "statefulsets", "statefulset":
		return "StatefulSet"
	case "daemonsets", "daemonset":
		return "DaemonSet"
	case "services", "service":
		return "Service"
	case "ingresses", "ingress":
		return "Ingress"
	case "configmaps", "configmap":
		return "ConfigMap"
	case "secrets", "secret":
		return "Secret"
	case "persistentvolumeclaims", "persistentvolumeclaim":
		return "PersistentVolumeClaim"
	case "persistentvolumes", "persistentvolume":
		return "PersistentVolume"
	case "namespaces", "namespace":
		return "Namespace"
	case "nodes", "node":
		return "Node"
	case "events", "event":
		return "Event"
	case "jobs", "job":
		return "Job"
	case "cronjobs", "cronjob":
		return "CronJob"
	case "serviceaccounts", "serviceaccount":
		return "ServiceAccount"
	case "":
		return "The object"
	}
	if group != "" {
		return resource + "." + group
	}
	return resource
}

// rbacDenial matches the API server's authorization message, e.g.
// `namespaces is forbidden: User "bob" cannot list resource "namespaces" in
// API group "" at the cluster scope`.
var rbacDenial = regexp.MustCompile(`cannot (\w+) resource "([^"]+)"(?: in API group "[^"]*")?(?: in the namespace "([^"]+)"| at the cluster scope)?`)

// forbiddenMessage says what the user may not do. RBAC denials become
// "You may not list namespaces."; admission denials (a quota, a policy) keep
// the API server's words, which say what to change.
func forbiddenMessage(msg string) string {
	if m := rbacDenial.FindStringSubmatch(msg); m != nil {
		out := fmt.Sprintf("You may not %s %s", m[1], m[2])
		switch {
		case m[3] != "":
			out += fmt.Sprintf(" in namespace %q", m[3])
		case strings.Contains(m[0], "at the cluster scope"):
			out += " across the cluster"
		}
		return out + "."
	}
	if msg == "" {
		return "You are not allowed to do this."
	}
	return "Kubernetes refused the request: " + clip(msg) + "."
}

// invalidMessage lists the fields the API server found wrong.
func invalidMessage(obj string, st metav1.Status) string {
	if obj == "" {
		obj = "The object"
	}
	var causes []string
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			msg := clip(c.Message)
			if c.Field != "" {
				msg = c.Field + ": " + msg
			}
			causes = append(causes, msg)
		}
	}
	if len(causes) == 0 {
		return obj + " is not valid: " + clip(st.Message) + "."
	}
	return obj + " is not valid: " + strings.Join(causes, "; ") + "."
}

// clip keeps a message from the API server short enough for a toast, without
// a trailing period (the caller ends the sentence).
func clip(s string) string {
	const limit = 300
	s = strings.TrimSpace(s)
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return strings.TrimSuffix(s, ".")
}

// NewError is an error wrapping sentinel (ErrNotFound, ErrConflict, …) with
// a message for people, for kube's subpackages (kube/helm) that translate
// errors of their own; cause may be nil.
func NewError(sentinel error, message string, cause error) error {
	return newError(sentinel, message, cause)
}

// WithDetails is an error wrapping sentinel with a message for people and
// details for the client (keyed by shared.Detail*); cause may be nil.
func WithDetails(sentinel error, message string, details map[string]any, cause error) error {
	e := newError(sentinel, message, cause)
	e.details = details
	return e
}

// Reword is err told another way: the same sentinel, with message and
// details for the client, err kept as the cause. An error that wraps no
// sentinel comes back unchanged (it stays an internal error).
func Reword(err error, message string, details map[string]any) error {
	for _, c := range codes {
		if errors.Is(err, c.err) {
			return WithDetails(c.err, message, details, err)
		}
	}
	return err
}

// Invalid is an ErrInvalid with a message and details.
func Invalid(message string, details map[string]any) error {
	return WithDetails(ErrInvalid, message, details, nil)
}

// codes maps the sentinels to the API's codes, with the message a wrapper
// without one of its own gets.
var codes = []struct {
	err     error
	code    shared.Code
	message string
}{
	{ErrInvalid, shared.CodeValidation, "The request is not valid."},
	{ErrUnauthorized, shared.CodeUnauthorized, "You are not signed in."},
	{ErrForbidden, shared.CodeForbidden, "You are not allowed to do this."},
	{ErrNotFound, shared.CodeNotFound, "The object was not found."},
	{ErrConflict, shared.CodeConflict, "The object changed or already exists."},
	{ErrUnavailable, shared.CodeK8sAPI, "The Kubernetes API did not answer; try again shortly."},
}

// Public is what the person who asked is told of err when it wraps one of
// the sentinels: its code, the wrapper's message (or the sentinel's own)
// and details; false for any other error.
func Public(err error) (shared.Error, bool) {
	for _, c := range codes {
		if !errors.Is(err, c.err) {
			continue
		}
		out := shared.Error{Code: c.code, Message: c.message}
		var e *Error
		if errors.As(err, &e) {
			if e.message != "" {
				out.Message = e.message
			}
			out.Details = e.details
		}
		return out, true
	}
	return shared.Error{}, false
}
