package kube

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/shared"
)

// maxDetailEvents caps the events a detail carries.
const maxDetailEvents = 50

// DetailOptions say which related objects a detail may include: the caller
// sets them from the user's rights (list events, list pods).
type DetailOptions struct {
	Events bool
	Pods   bool
}

// Detail is one cached object as the detail page shows it: its row, the
// sanitized object as JSON (whole and split) and YAML, its recent events
// (newest first, at most 50) and, for workloads, its pods' rows. It reads
// the cache only. A missing object is an error wrapping ErrNotFound.
func (o *Objects) Detail(k *Kind, namespace, name string, opts DetailOptions) (shared.ObjectDetail, error) {
	w := o.kinds[k.Name()]
	if !k.Namespaced() {
		namespace = ""
	}
	notFound := newError(ErrNotFound, fmt.Sprintf("%s %s was not found.", k.info.Kind, objectKey(namespace, name)), nil)
	inf, ok := w.informer(namespace)
	if !ok {
		return shared.ObjectDetail{}, notFound
	}
	item, exists, err := inf.GetIndexer().GetByKey(objectKey(namespace, name))
	if err != nil {
		return shared.ObjectDetail{}, fmt.Errorf("read cache: %w", err)
	}
	obj, isObj := item.(runtime.Object)
	if !exists || !isObj {
		return shared.ObjectDetail{}, notFound
	}
	row, ok := w.index.get(objectKey(namespace, name))
	if !ok {
		row, _ = k.Row(obj)
	}
	d := shared.ObjectDetail{Row: row}
	if err := k.render(obj, &d); err != nil {
		return shared.ObjectDetail{}, fmt.Errorf("render %s %s: %w", k.info.Kind, objectKey(namespace, name), err)
	}
	if opts.Events {
		d.Events = o.eventsOf(k.info.Kind, namespace, name)
	} else {
		d.Forbidden = append(d.Forbidden, "events")
	}
	if k.info.Workload {
		if opts.Pods {
			d.Pods = o.podsOf(k, namespace, row.UID)
		} else {
			d.Forbidden = append(d.Forbidden, "pods")
		}
	}
	return d, nil
}

// render fills the object's JSON, its parts and its YAML. Secrets show each
// value as its length, never the value (the cache holds none).
func (k *Kind) render(obj runtime.Object, d *shared.ObjectDetail) error {
	obj = obj.DeepCopyObject()
	obj.GetObjectKind().SetGroupVersionKind(k.gvk)
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return err
	}
	if s, ok := obj.(*corev1.Secret); ok {
		delete(fields, "stringData")
		delete(fields, "data")
		if len(s.Data) > 0 {
			if fields["data"], err = json.Marshal(redactedValues(s)); err != nil {
				return err
			}
		}
		if raw, err = json.Marshal(fields); err != nil {
			return err
		}
	}
	d.Object = raw
	d.Metadata = fields["metadata"]
	d.Status = fields["status"]
	rest := map[string]json.RawMessage{}
	for key, v := range fields {
		switch key {
		case "apiVersion", "kind", "metadata", "status":
		default:
			rest[key] = v
		}
	}
	switch {
	case len(rest) == 1 && rest["spec"] != nil:
		d.Spec = rest["spec"]
	case len(rest) > 0:
		if d.Spec, err = json.Marshal(rest); err != nil {
			return err
		}
	}
	y, err := yaml.JSONToYAML(raw)
	if err != nil {
		return err
	}
	d.YAML = string(y)
	return nil
}

// redactedValues says, for each key of a cached Secret, how long its value
// is (redactSecret kept the lengths in StringData).
func redactedValues(s *corev1.Secret) map[string]string {
	out := make(map[string]string, len(s.Data))
	what := "redacted"
	if s.Type == helmReleaseType {
		what = "Helm release payload, not shown"
	}
	for key := range s.Data {
		out[key] = fmt.Sprintf("<%s: %s bytes>", what, s.StringData[key])
	}
	return out
}

// eventsOf is the newest events about one object, newest first.
func (o *Objects) eventsOf(kind, namespace, name string) []shared.ObjectEvent {
	key := involvedKey(kind, namespace, name)
	out := []shared.ObjectEvent{}
	for _, inf := range o.events {
		items, err := inf.GetIndexer().ByIndex(byInvolved, key)
		if err != nil {
			continue
		}
		for _, item := range items {
			if ev, ok := item.(*corev1.Event); ok {
				out = append(out, objectEvent(ev))
			}
		}
	}
	slices.SortFunc(out, func(a, b shared.ObjectEvent) int {
		if c := cmp.Compare(b.Last, a.Last); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return out[:min(len(out), maxDetailEvents)]
}

func objectEvent(ev *corev1.Event) shared.ObjectEvent {
	first := ev.FirstTimestamp.Time
	last := ev.LastTimestamp.Time
	switch {
	case !last.IsZero():
	case ev.Series != nil && !ev.Series.LastObservedTime.IsZero():
		last = ev.Series.LastObservedTime.Time
	case !ev.EventTime.IsZero():
		last = ev.EventTime.Time
	default:
		last = ev.CreationTimestamp.Time
	}
	if first.IsZero() {
		first = last
	}
	count := ev.Count
	if ev.Series != nil && ev.Series.Count > count {
		count = ev.Series.Count
	}
	return shared.ObjectEvent{
		Type: ev.Type, Reason: ev.Reason, Message: ev.Message, Count: max(count, 1),
		Source: joinNonEmpty("", ev.Source.Component, ev.ReportingController),
		First:  unix(first), Last: unix(last),
	}
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// podsOf is the rows of a workload's pods: for a Deployment, the pods of its
// ReplicaSets; for a StatefulSet or DaemonSet, the pods it owns.
func (o *Objects) podsOf(k *Kind, namespace, uid string) []shared.Row {
	owners := []string{uid}
	if k.info.Kind == "Deployment" {
		owners = owners[:0]
		if rs, ok := o.replicaSetsIn(namespace); ok {
			items, _ := rs.GetIndexer().ByIndex(byOwner, uid)
			for _, item := range items {
				if r, ok := item.(*appsv1.ReplicaSet); ok {
					owners = append(owners, string(r.UID))
				}
			}
		}
	}
	pods := o.kinds["pods"]
	inf, ok := pods.informer(namespace)
	out := []shared.Row{}
	if !ok {
		return out
	}
	for _, owner := range owners {
		items, _ := inf.GetIndexer().ByIndex(byOwner, owner)
		for _, item := range items {
			p, ok := item.(*corev1.Pod)
			if !ok {
				continue
			}
			row, ok := pods.index.get(objectKey(p.Namespace, p.Name))
			if !ok {
				row = podRow(p)
			}
			out = append(out, row)
		}
	}
	slices.SortFunc(out, func(a, b shared.Row) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (o *Objects) replicaSetsIn(namespace string) (toolscache.SharedIndexInformer, bool) {
	if inf, ok := o.replicaSets[metav1.NamespaceAll]; ok {
		return inf, true
	}
	inf, ok := o.replicaSets[namespace]
	return inf, ok
}
