package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubedeck/kubedeck/shared"
)

// The calls behind the deployment wizard: a dry run of every object an app
// needs, their creation with a rollback when one fails, and the removal of
// an app Kubedeck made. All run as the user.

// AppVerdict is the API server's verdict, from a dry run, on one object of
// an app.
type AppVerdict struct {
	Object *Object
	DryRunResult
}

// DryRunApp asks the API server, with a server-side dry run as u, whether
// each object of objs may be created: the Deployment, Service and Ingress,
// and a Pod of the template, because a ResourceQuota on CPU, memory or GPUs
// is charged to Pods (the Deployment itself passes, and its ReplicaSet
// would then fail to make Pods). Nothing is persisted. The error is for
// failing to get a verdict at all.
func (c *Client) DryRunApp(ctx context.Context, u User, objs DeploymentObjects) ([]AppVerdict, error) {
	all := objs.Created()
	if objs.Pod != nil {
		all = append(all, objs.Pod)
	}
	out := make([]AppVerdict, len(all))
	errs := make([]error, len(all))
	done := make(chan int, len(all))
	for i, obj := range all {
		go func() {
			res, err := c.DryRun(ctx, u, obj)
			out[i], errs[i] = AppVerdict{Object: obj, DryRunResult: res}, err
			done <- i
		}()
	}
	for range all {
		<-done
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// AppCreateError is CreateApp's error when an object failed: what was
// created before it, and what of that was removed again.
type AppCreateError struct {
	// Failed is the object that could not be created; Err says why.
	Failed *Object
	Err    error
	// Created were made before Failed; RolledBack were removed again (all of
	// Created unless RollbackErr says otherwise).
	Created     []*Object
	RolledBack  []*Object
	RollbackErr error
}

func (e *AppCreateError) Error() string {
	return fmt.Sprintf("create %s %s: %v", e.Failed.Kind(), e.Failed.Name(), e.Err)
}

func (e *AppCreateError) Unwrap() error { return e.Err }

// rollbackTimeout bounds the removal of what a failed CreateApp made.
const rollbackTimeout = 30 * time.Second

// CreateApp creates the objects of objs as u, in order (the Deployment,
// then its Service and Ingress), calling created after each. If one fails,
// the ones made before it are deleted again (by uid, so nothing made since
// by someone else is touched), even when ctx has ended, and the error is an
// *AppCreateError that says what was created, what failed and what was
// rolled back.
func (c *Client) CreateApp(ctx context.Context, u User, objs DeploymentObjects, created func(*Object)) ([]*Object, error) {
	var made []*Object
	for _, obj := range objs.Created() {
		got, err := c.Create(ctx, u, obj)
		if err == nil {
			made = append(made, got)
			if created != nil {
				created(got)
			}
			continue
		}
		fail := &AppCreateError{Failed: obj, Err: err, Created: made}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		for i := len(made) - 1; i >= 0; i-- {
			m := made[i]
			derr := c.Delete(rctx, u, resourceOf(m), m.Namespace(), m.Name(), DeleteOptions{UID: m.UID()})
			if derr != nil {
				fail.RollbackErr = errors.Join(fail.RollbackErr, derr)
				continue
			}
			fail.RolledBack = append(fail.RolledBack, m)
		}
		return made, fail
	}
	return made, nil
}

// resourceOf is the resource of an object the write API can make.
func resourceOf(o *Object) string {
	for _, k := range writableKinds.byResource {
		if k.kind == o.Kind() && k.gvr.GroupVersion().String() == o.APIVersion() {
			return k.gvr.Resource
		}
	}
	return ""
}

// The kinds of an app, in the order DeleteApp removes them (the reverse of
// creation).
var appResources = []string{"ingresses", "services", "deployments"}

// DeleteApp removes, as u, the app namespace/name that Kubedeck made: its
// Ingress, its Service and its Deployment, each only when it carries
// Kubedeck's managed-by label and the app's name label, so an object of the
// same name that Kubedeck did not make is never touched. It fails with
// ErrNotFound when there is no such Deployment and ErrInvalid (with a
// message saying why) when the Deployment is not one Kubedeck made. The
// objects deleted are returned.
func (c *Client) DeleteApp(ctx context.Context, u User, namespace, name string) ([]*Object, error) {
	dc, err := c.dynamicAs(u, nil)
	if err != nil {
		return nil, err
	}
	get := func(resource string) (*unstructured.Unstructured, error) {
		k, err := writableKind(resource, namespace)
		if err != nil {
			return nil, err
		}
		var got *unstructured.Unstructured
		err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
			var err error
			got, err = resourceIn(dc, k, namespace).Get(ctx, name, metav1.GetOptions{})
			return err
		})
		return got, err
	}
	d, err := get("deployments")
	if err != nil {
		return nil, TranslateIn(err, namespace)
	}
	if !madeByKubedeck(d, name) {
		return nil, newError(ErrInvalid, "Deployment "+namespace+"/"+name+" was not made by Kubedeck's wizard; delete it from the objects view.", nil)
	}
	var deleted []*Object
	for _, resource := range appResources {
		obj := d
		if resource != "deployments" {
			obj, err = get(resource)
			if apierrors.IsNotFound(err) {
				continue
			}
			if err != nil {
				return deleted, TranslateIn(err, namespace)
			}
			if !madeByKubedeck(obj, name) {
				continue
			}
		}
		if err := c.Delete(ctx, u, resource, namespace, name, DeleteOptions{UID: string(obj.GetUID())}); err != nil {
			return deleted, err
		}
		deleted = append(deleted, &Object{u: obj})
	}
	return deleted, nil
}

// madeByKubedeck says whether obj carries the labels the builder puts on
// the objects of app name.
func madeByKubedeck(obj *unstructured.Unstructured, name string) bool {
	return madeByKubedeckLabels(obj.GetLabels(), name)
}

// ObjectRef names an object for the outcome of an operation.
func ObjectRef(o *Object) shared.OperationTarget {
	return shared.OperationTarget{Kind: o.Kind(), Namespace: o.Namespace(), Name: o.Name()}
}
