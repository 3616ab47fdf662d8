package kube

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// urlErr wraps err the way net/http returns transport failures to client-go.
func urlErr(err error) error {
	return &url.Error{Op: "Get", URL: "https://127.0.0.1:6443/api/v1/namespaces", Err: err}
}

// dialErr is a dial failure with the given errno, as the net package makes it.
func dialErr(errno syscall.Errno) error {
	return urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)})
}

func TestTranslate(t *testing.T) {
	deploy := schema.GroupResource{Group: "apps", Resource: "deployments"}
	ns := schema.GroupResource{Resource: "namespaces"}
	plain := errors.New("something else")
	tests := []struct {
		name      string
		err       error
		namespace string
		sentinel  error  // nil: Translate returns err unchanged
		message   string // the PublicMessage
		retriable bool
	}{
		{name: "not found", err: apierrors.NewNotFound(deploy, "web"), namespace: "team-a",
			sentinel: ErrNotFound, message: `Deployment "web" in namespace "team-a" was not found.`},
		{name: "not found cluster-scoped", err: apierrors.NewNotFound(ns, "nope"),
			sentinel: ErrNotFound, message: `Namespace "nope" was not found.`},
		{name: "not found unknown resource", err: apierrors.NewNotFound(schema.GroupResource{Group: "example.com", Resource: "widgets"}, "w"),
			sentinel: ErrNotFound, message: `widgets.example.com "w" was not found.`},
		{name: "already exists", err: apierrors.NewAlreadyExists(deploy, "web"), namespace: "team-a",
			sentinel: ErrConflict, message: `Deployment "web" in namespace "team-a" already exists.`},
		{name: "conflict", err: apierrors.NewConflict(deploy, "web", errors.New("the object has been modified")),
			sentinel: ErrConflict, message: `Deployment "web" was changed by someone else; reload it and try again.`},
		{name: "expired", err: apierrors.NewResourceExpired("too old resource version"),
			sentinel: ErrConflict, message: "The list changed too much while it was read; reload it."},
		{name: "gone", err: &apierrors.StatusError{ErrStatus: metav1.Status{
			Status: metav1.StatusFailure, Code: 410, Reason: metav1.StatusReasonGone, Message: "the continue token is no longer valid"}},
			sentinel: ErrConflict, message: "The list changed too much while it was read; reload it."},
		{name: "forbidden by RBAC, cluster scope",
			err:      apierrors.NewForbidden(ns, "", errors.New(`User "bob" cannot list resource "namespaces" in API group "" at the cluster scope`)),
			sentinel: ErrForbidden, message: "You may not list namespaces across the cluster."},
		{name: "forbidden by RBAC, namespaced",
			err:      apierrors.NewForbidden(deploy, "web", errors.New(`User "bob" cannot delete resource "deployments" in API group "apps" in the namespace "team-a"`)),
			sentinel: ErrForbidden, message: `You may not delete deployments in namespace "team-a".`},
		{name: "forbidden by admission",
			err:      apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "p", errors.New("exceeded quota: compute, requested: nvidia.com/gpu=2, used: nvidia.com/gpu=1, limited: nvidia.com/gpu=2")),
			sentinel: ErrForbidden, message: `Kubernetes refused the request: pods "p" is forbidden: exceeded quota: compute, requested: nvidia.com/gpu=2, used: nvidia.com/gpu=1, limited: nvidia.com/gpu=2.`},
		{name: "unauthorized", err: apierrors.NewUnauthorized("Unauthorized"),
			sentinel: ErrUnauthorized, message: "The Kubernetes API server did not accept Kubedeck's own credentials; an administrator must fix its configuration."},
		{name: "invalid", err: apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "web", field.ErrorList{
			field.Invalid(field.NewPath("spec", "replicas"), -1, "must be greater than or equal to 0"),
			field.Required(field.NewPath("spec", "template", "spec", "containers"), ""),
		}), namespace: "team-a",
			sentinel: ErrInvalid, message: `Deployment "web" in namespace "team-a" is not valid: spec.replicas: Invalid value: -1: must be greater than or equal to 0; spec.template.spec.containers: Required value.`},
		{name: "bad request", err: apierrors.NewBadRequest("the selector is not valid"),
			sentinel: ErrInvalid, message: "Kubernetes refused the request: the selector is not valid."},
		{name: "method not supported", err: apierrors.NewMethodNotSupported(deploy, "patch"),
			sentinel: ErrInvalid, message: `Kubernetes refused the request: patch is not supported on resources of kind "deployments.apps".`},
		{name: "too large", err: apierrors.NewRequestEntityTooLargeError("limit is 3145728"),
			sentinel: ErrInvalid, message: "Kubernetes refused the request: Request entity too large: limit is 3145728."},
		{name: "too many requests", err: apierrors.NewTooManyRequests("slow down", 2),
			sentinel: ErrUnavailable, message: "The Kubernetes API is busy; try again shortly.", retriable: true},
		{name: "server timeout", err: apierrors.NewServerTimeout(ns, "list", 1),
			sentinel: ErrUnavailable, message: "The Kubernetes API did not answer in time; try again shortly.", retriable: true},
		{name: "gateway timeout", err: apierrors.NewTimeoutError("request did not complete within 30s", 0),
			sentinel: ErrUnavailable, message: "The Kubernetes API did not answer in time; try again shortly.", retriable: true},
		{name: "internal error", err: apierrors.NewInternalError(errors.New("etcd leader changed")),
			sentinel: ErrUnavailable, message: "The Kubernetes API failed to answer; try again shortly.", retriable: true},
		{name: "service unavailable", err: apierrors.NewServiceUnavailable("apiserver is shutting down"),
			sentinel: ErrUnavailable, message: "The Kubernetes API failed to answer; try again shortly.", retriable: true},
		{name: "bad gateway", err: apierrors.NewGenericServerResponse(502, "get", ns, "", "", 0, false),
			sentinel: ErrUnavailable, message: "The Kubernetes API failed to answer; try again shortly.", retriable: true},
		{name: "not implemented", err: apierrors.NewGenericServerResponse(501, "get", ns, "", "", 0, false),
			sentinel: ErrUnavailable, message: "The Kubernetes API failed to answer; try again shortly."},
		{name: "connection refused", err: dialErr(syscall.ECONNREFUSED),
			sentinel: ErrUnavailable, message: "The Kubernetes API did not answer; try again shortly.", retriable: true},
		{name: "connection reset", err: urlErr(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}),
			sentinel: ErrUnavailable, message: "The Kubernetes API did not answer; try again shortly.", retriable: true},
		{name: "EOF", err: urlErr(io.EOF),
			sentinel: ErrUnavailable, message: "The Kubernetes API did not answer; try again shortly.", retriable: true},
		{name: "unexpected EOF", err: fmt.Errorf("decode: %w", io.ErrUnexpectedEOF),
			sentinel: ErrUnavailable, message: "The Kubernetes API did not answer; try again shortly.", retriable: true},
		{name: "deadline", err: urlErr(context.DeadlineExceeded),
			sentinel: ErrUnavailable, message: "The Kubernetes API did not answer; try again shortly.", retriable: true},
		{name: "bad certificate", err: urlErr(x509.UnknownAuthorityError{}),
			sentinel: ErrUnavailable, message: "Kubedeck could not reach the Kubernetes API."},
		{name: "canceled stays", err: urlErr(context.Canceled)},
		{name: "other stays", err: plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TranslateIn(tt.err, tt.namespace)
			if got2 := TranslateIn(got, tt.namespace); got2 != got {
				t.Errorf("translating twice changed the error: %v, then %v", got, got2)
			}
			if r := Retriable(tt.err); r != tt.retriable {
				t.Errorf("Retriable(cause) = %v, want %v", r, tt.retriable)
			}
			if r := Retriable(got); r != tt.retriable {
				t.Errorf("Retriable(translated) = %v, want %v", r, tt.retriable)
			}
			if tt.sentinel == nil {
				if got != tt.err {
					t.Fatalf("Translate(%v) = %v, want it unchanged", tt.err, got)
				}
				return
			}
			if !errors.Is(got, tt.sentinel) {
				t.Errorf("Translate(%v) = %v, want it to wrap %v", tt.err, got, tt.sentinel)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Translate(%v) lost its cause", tt.err)
			}
			var pm interface{ PublicMessage() string }
			if !errors.As(got, &pm) {
				t.Fatalf("Translate(%v) has no PublicMessage", tt.err)
			}
			if diff := cmp.Diff(tt.message, pm.PublicMessage()); diff != "" {
				t.Errorf("PublicMessage (-want +got):\n%s", diff)
			}
			// apierrors helpers still see through the wrapper.
			if apierrors.ReasonForError(got) != apierrors.ReasonForError(tt.err) {
				t.Errorf("reason changed: %q, want %q", apierrors.ReasonForError(got), apierrors.ReasonForError(tt.err))
			}
		})
	}
}

func TestTranslateNil(t *testing.T) {
	if err := Translate(nil); err != nil {
		t.Errorf("Translate(nil) = %v", err)
	}
}
