package kube

import (
	"context"
	"fmt"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/shared"
)

// The update of an app the wizard made, as the user: its Deployment takes
// the new spec's pod template, replicas and spec annotation; its Service
// and Ingress are made, changed or removed as the exposure changes.

// AppNow is an app the wizard made, as it stands: the spec it runs, who
// owns it, and its objects (the Service and Ingress only when Kubedeck
// made them).
type AppNow struct {
	Spec       shared.DeploymentSpec
	Owner      string
	Deployment *appsv1.Deployment
	Service    *corev1.Service
	Ingress    *networkingv1.Ingress
}

// The ways an update changes one object.
const (
	AppCreate = "create"
	AppUpdate = "update"
	AppDelete = "delete"
)

// ReadApp reads app namespace/name as u. It fails with ErrNotFound when
// there is no such Deployment, and ErrInvalid when the wizard did not make
// it (no Kubedeck labels, or no spec annotation to edit).
func (c *Client) ReadApp(ctx context.Context, u User, namespace, name string) (AppNow, error) {
	cs, err := c.As(u)
	if err != nil {
		return AppNow{}, err
	}
	var now AppNow
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		d, err := cs.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		now.Deployment = d
		return err
	})
	if err != nil {
		return AppNow{}, TranslateIn(err, namespace)
	}
	d := now.Deployment
	spec, ok := specOf(d)
	if !madeByKubedeckLabels(d.Labels, name) || !ok {
		return AppNow{}, newError(ErrInvalid, "Deployment "+namespace+"/"+name+
			" was not made by Kubedeck's wizard (it has no spec to edit); scale or restart it from the objects view.", nil)
	}
	now.Spec, now.Owner = spec, d.Annotations[AnnotationOwner]
	err = c.opts.Retry.Do(ctx, func(ctx context.Context) error {
		svc, err := cs.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		if err == nil && madeByKubedeckLabels(svc.Labels, name) {
			now.Service = svc
		}
		ing, err := cs.NetworkingV1().Ingresses(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		if err == nil && madeByKubedeckLabels(ing.Labels, name) {
			now.Ingress = ing
		}
		return nil
	})
	return now, TranslateIn(err, namespace)
}

// AppWrite is one write of an update: what is done (AppCreate, AppUpdate,
// AppDelete) to which object, and for a dry run the API server's verdict.
type AppWrite struct {
	Action string
	Object *Object
}

// UpdateApp takes app now to the objects of next as u, Deployment first,
// then the Service and the Ingress (or their removal, Ingress first),
// calling done after each write. With dryRun nothing is persisted, and
// each write's verdict is returned instead of the first refusal. It
// returns the Deployment's generation with the change, whose rollout is
// then followed.
func (c *Client) UpdateApp(ctx context.Context, u User, now AppNow, next DeploymentObjects, dryRun bool, done func(AppWrite)) (int64, []AppVerdict, error) {
	cs, err := c.As(u)
	if err != nil {
		return 0, nil, err
	}
	ns, name := now.Deployment.Namespace, now.Deployment.Name
	var verdicts []AppVerdict
	// judge keeps a dry run's verdict and goes on; a real write stops at
	// the first error.
	judge := func(w AppWrite, err error) error {
		if !dryRun {
			if err == nil && done != nil {
				done(w)
			}
			return TranslateIn(err, ns)
		}
		v := AppVerdict{Object: w.Object, DryRunResult: DryRunResult{Allowed: err == nil}}
		if err != nil {
			v.Err = TranslateIn(err, ns)
		}
		verdicts = append(verdicts, v)
		return nil
	}
	var gen int64
	d, err := c.updateDeployment(ctx, cs, ns, name, next.Deployment, dryRun)
	if err := judge(AppWrite{Action: AppUpdate, Object: next.Deployment}, err); err != nil {
		return 0, verdicts, err
	}
	if d != nil {
		gen = d.Generation
	}
	writes, err := now.plan(next)
	if err != nil {
		return 0, verdicts, err
	}
	for _, w := range writes {
		if err := judge(w, c.writeAppObject(ctx, cs, w, dryRun)); err != nil {
			return gen, verdicts, err
		}
	}
	if dryRun && next.Pod != nil {
		res, err := c.DryRun(ctx, u, next.Pod)
		if err != nil {
			return 0, nil, err
		}
		verdicts = append(verdicts, AppVerdict{Object: next.Pod, DryRunResult: res})
	}
	return gen, verdicts, nil
}

// plan lists the writes after the Deployment's that take the Service and
// Ingress of now to those of next: made, changed or removed (Ingress
// first).
func (now AppNow) plan(next DeploymentObjects) ([]AppWrite, error) {
	var writes []AppWrite
	if now.Ingress != nil && next.Ingress == nil {
		o, err := typedObject(now.Ingress, "networking.k8s.io/v1", "Ingress")
		if err != nil {
			return nil, err
		}
		writes = append(writes, AppWrite{Action: AppDelete, Object: o})
	}
	switch {
	case now.Service != nil && next.Service == nil:
		o, err := typedObject(now.Service, "v1", "Service")
		if err != nil {
			return nil, err
		}
		writes = append(writes, AppWrite{Action: AppDelete, Object: o})
	case now.Service == nil && next.Service != nil:
		writes = append(writes, AppWrite{Action: AppCreate, Object: next.Service})
	}
	switch {
	case now.Ingress == nil && next.Ingress != nil:
		writes = append(writes, AppWrite{Action: AppCreate, Object: next.Ingress})
	case now.Ingress != nil && next.Ingress != nil:
		writes = append(writes, AppWrite{Action: AppUpdate, Object: next.Ingress})
	}
	return writes, nil
}

// typedObject is an object read with a typed client (which leaves its
// kind out) as an Object of apiVersion and kind.
func typedObject(obj runtime.Object, apiVersion, kind string) (*Object, error) {
	o, err := objectOf(obj)
	if err != nil {
		return nil, err
	}
	o.u.SetAPIVersion(apiVersion)
	o.u.SetKind(kind)
	return o, nil
}

// updateDeployment gives Deployment namespace/name the labels,
// annotations, replicas and pod template of next, reading it again when
// someone else changed it meanwhile. A restart's mark on the pod template
// stays, so a change of replicas alone starts no new pods.
func (c *Client) updateDeployment(ctx context.Context, cs kubernetes.Interface, namespace, name string, next *Object, dryRun bool) (*appsv1.Deployment, error) {
	var want appsv1.Deployment
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(next.u.Object, &want); err != nil {
		return nil, fmt.Errorf("read the built Deployment: %w", err)
	}
	var out *appsv1.Deployment
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := cs.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		d := cur.DeepCopy()
		d.Labels = mergeStrings(d.Labels, want.Labels)
		d.Annotations = mergeStrings(d.Annotations, want.Annotations)
		d.Spec.Replicas = want.Spec.Replicas
		tmpl := *want.Spec.Template.DeepCopy()
		if at, ok := cur.Spec.Template.Annotations[RestartedAtAnnotation]; ok {
			tmpl.Annotations = mergeStrings(tmpl.Annotations, map[string]string{RestartedAtAnnotation: at})
		}
		d.Spec.Template = tmpl
		out, err = cs.AppsV1().Deployments(namespace).Update(ctx, d, updateOptions(dryRun))
		return err
	})
	return out, err
}

// writeAppObject makes, changes or removes the Service or Ingress of w.
// A change keeps what the API server set (a Service's cluster IP) and
// takes the labels, annotations and spec the wizard builds.
func (c *Client) writeAppObject(ctx context.Context, cs kubernetes.Interface, w AppWrite, dryRun bool) error {
	ns, name := w.Object.Namespace(), w.Object.Name()
	switch w.Action {
	case AppDelete:
		opts := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: ptr.To(types.UID(w.Object.UID()))}}
		if dryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		if w.Object.Kind() == "Ingress" {
			return cs.NetworkingV1().Ingresses(ns).Delete(ctx, name, opts)
		}
		return cs.CoreV1().Services(ns).Delete(ctx, name, opts)
	case AppCreate:
		copts := metav1.CreateOptions{}
		if dryRun {
			copts.DryRun = []string{metav1.DryRunAll}
		}
		if w.Object.Kind() == "Ingress" {
			var ing networkingv1.Ingress
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(w.Object.u.Object, &ing); err != nil {
				return err
			}
			_, err := cs.NetworkingV1().Ingresses(ns).Create(ctx, &ing, copts)
			return err
		}
		var svc corev1.Service
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(w.Object.u.Object, &svc); err != nil {
			return err
		}
		_, err := cs.CoreV1().Services(ns).Create(ctx, &svc, copts)
		return err
	}
	// Only an Ingress is changed: a Service of the wizard is the same for
	// every spec.
	var want networkingv1.Ingress
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(w.Object.u.Object, &want); err != nil {
		return err
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := cs.NetworkingV1().Ingresses(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		ing := cur.DeepCopy()
		// The Ingress's annotations are the wizard's own (sign-in for a
		// private app): a public app must lose them.
		ing.Labels, ing.Annotations, ing.Spec = mergeStrings(ing.Labels, want.Labels), want.Annotations, want.Spec
		_, err = cs.NetworkingV1().Ingresses(ns).Update(ctx, ing, updateOptions(dryRun))
		return err
	})
}

// updateOptions are an update's options, a dry run's when dryRun.
func updateOptions(dryRun bool) metav1.UpdateOptions {
	if dryRun {
		return metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}}
	}
	return metav1.UpdateOptions{}
}

// mergeStrings is base with over's entries put over it (base is not
// changed).
func mergeStrings(base, over map[string]string) map[string]string {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, over)
	return out
}

// URL is where app now is reached from outside the cluster, "" when it is
// not exposed so.
func (now AppNow) URL(cfg DeployConfig) string {
	if !now.Spec.Exposure.External() || cfg.Domain == "" {
		return ""
	}
	return appURL(cfg, cfg.Host(now.Deployment.Name, now.Deployment.Namespace))
}
