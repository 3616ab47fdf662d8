package kube

import (
	"context"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/dynamic"
)

// The write API: every change Kubedeck makes to the cluster for a user goes
// through these methods, as the user (the API server applies the user's
// RBAC and names the user in its audit log), with retries where a repeat is
// safe and errors translated for people.

// DeleteOptions shape a Delete.
type DeleteOptions struct {
	// UID, when set, makes the delete apply only to the object with this
	// uid, not to one created since under the same name.
	UID string
}

// DryRunResult is the API server's verdict on creating an object, from a
// server-side dry run that persists nothing.
type DryRunResult struct {
	// Allowed is true when the API server would create the object.
	Allowed bool
	// Object is the object as the API server would create it (defaults
	// filled in, admission changes made); nil when not allowed.
	Object *Object
	// Warnings are the API server's warnings (deprecated fields, unknown
	// fields, policies in warn mode), each once.
	Warnings []string
	// Err says why the object would not be created: it wraps ErrInvalid,
	// ErrForbidden, ErrConflict or ErrNotFound, with a message for people.
	Err error
}

// Delete deletes one object as u: kind is its resource ("ingresses") and
// namespace is "" for cluster-scoped kinds. Dependents are deleted in the
// background. Transient failures are retried; a retry that finds the
// object gone means an earlier attempt deleted it, so Delete succeeds.
func (c *Client) Delete(ctx context.Context, u User, kind, namespace, name string, opts DeleteOptions) error {
	k, err := writableKind(kind, namespace)
	if err != nil {
		return err
	}
	if name == "" {
		return newError(ErrInvalid, "Name the "+k.kind+" to delete.", nil)
	}
	dc, err := c.dynamicAs(u, nil)
	if err != nil {
		return err
	}
	policy := metav1.DeletePropagationBackground
	do := metav1.DeleteOptions{PropagationPolicy: &policy}
	if opts.UID != "" {
		uid := types.UID(opts.UID)
		do.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	attempt := 0
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		attempt++
		err := resourceIn(dc, k, namespace).Delete(ctx, name, do)
		if attempt > 1 && apierrors.IsNotFound(err) {
			return nil
		}
		return err
	})
	return TranslateIn(err, namespace)
}

// Create creates obj as u and returns the object the API server made.
//
// A create is not idempotent: if the API server made the object but its
// answer was lost (a timeout, a reset connection, a 5xx from a proxy), a
// retry would fail with AlreadyExists and report a conflict about the
// user's own object. So Create retries only failures that prove the
// request was not applied: a refused connection (it never reached the API
// server) and 429 Too Many Requests (refused before it was handled). Any
// AlreadyExists it returns, first attempt or retry, is then a real
// conflict with an object made by someone else.
func (c *Client) Create(ctx context.Context, u User, obj *Object) (*Object, error) {
	created, err := c.create(ctx, u, obj, nil, false)
	if err != nil {
		return nil, TranslateIn(err, obj.Namespace())
	}
	return created, nil
}

// DryRun asks the API server whether u may create obj, with a server-side
// dry run (dryRun=All): admission, validation, defaulting and RBAC run as
// for a real create, and nothing is persisted. A refusal is the result's
// Err, not DryRun's error, which is for failing to get a verdict at all
// (the API server out of reach, u not signed in). Being idempotent, the
// call is retried on transient failures.
func (c *Client) DryRun(ctx context.Context, u User, obj *Object) (DryRunResult, error) {
	warns := &warnings{}
	created, err := c.create(ctx, u, obj, warns, true)
	res := DryRunResult{Warnings: warns.all()}
	if err == nil {
		res.Allowed, res.Object = true, created
		return res, nil
	}
	err = TranslateIn(err, obj.Namespace())
	for _, verdict := range []error{ErrInvalid, ErrForbidden, ErrConflict, ErrNotFound} {
		if errors.Is(err, verdict) {
			res.Err = err
			return res, nil
		}
	}
	return res, err
}

// create is Create, or DryRun when dryRun is set; warns collects the API
// server's warnings when not nil.
func (c *Client) create(ctx context.Context, u User, obj *Object, warns *warnings, dryRun bool) (*Object, error) {
	if obj == nil || obj.u == nil {
		return nil, newError(ErrInvalid, "There is no object to create.", nil)
	}
	if obj.APIVersion() == "" || obj.Kind() == "" {
		return nil, newError(ErrInvalid, "The object needs an apiVersion and a kind.", nil)
	}
	gv, err := schema.ParseGroupVersion(obj.APIVersion())
	if err != nil {
		return nil, newError(ErrInvalid, "The apiVersion "+quoted(obj.APIVersion())+" is not valid.", err)
	}
	k, ok := writableKinds.byGVK[gv.WithKind(obj.Kind())]
	if !ok {
		return nil, newError(ErrInvalid, "Kubedeck cannot create "+quoted(obj.APIVersion()+" "+obj.Kind())+" objects.", nil)
	}
	if _, err := writableKind(k.gvr.Resource, obj.Namespace()); err != nil {
		return nil, err
	}
	dc, err := c.dynamicAs(u, warns)
	if err != nil {
		return nil, err
	}
	opts := metav1.CreateOptions{}
	retriable := notApplied
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
		retriable = Retriable
	}
	// The attempt returns nil to stop the retries at an error it must not
	// retry; failed keeps that error.
	var created *unstructured.Unstructured
	var failed error
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		created, failed = resourceIn(dc, k, obj.Namespace()).Create(ctx, obj.u.DeepCopy(), opts)
		if failed != nil && retriable(failed) {
			return failed
		}
		return nil
	})
	if err == nil {
		err = failed
	}
	if err != nil {
		return nil, err
	}
	return &Object{u: created}, nil
}

// notApplied says whether err proves the API server did not apply a
// request: the connection was refused, or it answered 429 (max-in-flight
// and priority-and-fairness limits refuse a request before handling it).
func notApplied(err error) bool {
	return apierrors.IsTooManyRequests(err) || utilnet.IsConnectionRefused(err)
}

// writableKind is the kind named by resource, when the write API can
// address it in namespace ("" for cluster-scoped kinds).
func writableKind(resource, namespace string) (apiKind, error) {
	k, ok := writableKinds.byResource[resource]
	switch {
	case !ok:
		return apiKind{}, newError(ErrInvalid, "Kubedeck cannot change objects of kind "+quoted(resource)+".", nil)
	case k.namespaced && namespace == "":
		return apiKind{}, newError(ErrInvalid, k.kind+" objects live in a namespace; name it.", nil)
	case !k.namespaced && namespace != "":
		return apiKind{}, newError(ErrInvalid, k.kind+" objects are cluster-scoped; they have no namespace.", nil)
	}
	return k, nil
}

// resourceIn is the dynamic client of kind k in namespace ("" for
// cluster-scoped kinds).
func resourceIn(dc dynamic.Interface, k apiKind, namespace string) dynamic.ResourceInterface {
	if namespace == "" {
		return dc.Resource(k.gvr)
	}
	return dc.Resource(k.gvr).Namespace(namespace)
}

// quoted quotes a name for a message.
func quoted(s string) string { return `"` + s + `"` }
