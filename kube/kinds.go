package kube

import (
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/kubedeck/kubedeck/shared"
)

// sortType says how a column's cells compare.
type sortType int

const (
	sortText     sortType = iota
	sortNumber            // a decimal integer: "12"
	sortRatio             // "ready/desired": by ready, then desired
	sortQuantity          // a resource quantity: "10Gi"
)

// column is a kind-specific column and how it sorts.
type column struct {
	shared.Column
	sort sortType
}

func col(key, title string, s sortType) column {
	return column{Column: shared.Column{Key: key, Title: title}, sort: s}
}

// baseSortKeys are the sort keys every kind has, in the order of an entry's
// first sort keys.
func baseSortKeys() []string { return []string{"name", "namespace", "age", "status", "level"} }

// Kind is one kind the object viewer shows: how to watch it, the columns of
// its rows and how to build a row from an object.
type Kind struct {
	info     shared.KindInfo
	gvk      schema.GroupVersionKind
	cols     []column
	sortKeys []string // baseSortKeys, then the columns' keys
	informer func(informers.SharedInformerFactory) toolscache.SharedIndexInformer
	row      func(obj any) (shared.Row, bool)
}

// Info describes the kind for the UI.
func (k *Kind) Info() shared.KindInfo { return k.info }

// Name is the kind's path segment and API resource ("pods").
func (k *Kind) Name() string { return k.info.Name }

// Group is the kind's API group ("" for the core group), for access reviews.
func (k *Kind) Group() string { return k.gvk.Group }

// Namespaced says whether objects of the kind live in a namespace.
func (k *Kind) Namespaced() bool { return k.info.Namespaced }

// gvr is the kind's API group, version and resource, as the dynamic client
// addresses it.
func (k *Kind) gvr() schema.GroupVersionResource {
	return k.gvk.GroupVersion().WithResource(k.info.Name)
}

// Row builds the row of one object of the kind; false when obj is not one.
func (k *Kind) Row(obj any) (shared.Row, bool) { return k.row(obj) }

// SortKeys are the values the list's sort parameter accepts for the kind.
func (k *Kind) SortKeys() []string { return slices.Clone(k.sortKeys) }

func (k *Kind) sortIndex(key string) int { return slices.Index(k.sortKeys, key) }

// rowOf adapts a typed row builder to any object.
func rowOf[T any](f func(*T) shared.Row) func(any) (shared.Row, bool) {
	return func(obj any) (shared.Row, bool) {
		t, ok := obj.(*T)
		if !ok {
			return shared.Row{}, false
		}
		return f(t), true
	}
}

// registry is the set of kinds, in the order the UI lists them.
type registry struct {
	kinds  []*Kind
	byName map[string]*Kind
}

func newRegistry() *registry {
	workload := []column{
		col("ready", "Ready", sortRatio), col("upToDate", "Up-to-date", sortNumber),
		col("available", "Available", sortNumber), col("images", "Images", sortText),
	}
	core := func(kind string) schema.GroupVersionKind { return corev1.SchemeGroupVersion.WithKind(kind) }
	apps := func(kind string) schema.GroupVersionKind { return appsv1.SchemeGroupVersion.WithKind(kind) }
	kinds := []*Kind{
		{
			info: shared.KindInfo{Name: "pods", Kind: "Pod", Namespaced: true}, gvk: core("Pod"),
			cols: []column{col("ready", "Ready", sortRatio), col("restarts", "Restarts", sortNumber),
				col("node", "Node", sortText), col("ip", "IP", sortText)},
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Core().V1().Pods().Informer()
			},
			row: rowOf(podRow),
		},
		{
			info: shared.KindInfo{Name: "deployments", Kind: "Deployment", Namespaced: true, Workload: true}, gvk: apps("Deployment"),
			cols: workload,
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Apps().V1().Deployments().Informer()
			},
			row: rowOf(deploymentRow),
		},
		{
			info: shared.KindInfo{Name: "statefulsets", Kind: "StatefulSet", Namespaced: true, Workload: true}, gvk: apps("StatefulSet"),
			cols: workload,
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Apps().V1().StatefulSets().Informer()
			},
			row: rowOf(statefulSetRow),
		},
		{
			info: shared.KindInfo{Name: "daemonsets", Kind: "DaemonSet", Namespaced: true, Workload: true}, gvk: apps("DaemonSet"),
			cols: workload,
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Apps().V1().DaemonSets().Informer()
			},
			row: rowOf(daemonSetRow),
		},
		{
			info: shared.KindInfo{Name: "services", Kind: "Service", Namespaced: true}, gvk: core("Service"),
			cols: []column{col("type", "Type", sortText), col("clusterIP", "Cluster IP", sortText),
				col("ports", "Ports", sortText), col("external", "External", sortText)},
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Core().V1().Services().Informer()
			},
			row: rowOf(serviceRow),
		},
		{
			info: shared.KindInfo{Name: "configmaps", Kind: "ConfigMap", Namespaced: true}, gvk: core("ConfigMap"),
			cols: []column{col("keys", "Keys", sortNumber)},
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Core().V1().ConfigMaps().Informer()
			},
			row: rowOf(configMapRow),
		},
		{
			info: shared.KindInfo{Name: "secrets", Kind: "Secret", Namespaced: true}, gvk: core("Secret"),
			cols: []column{col("type", "Type", sortText), col("keys", "Keys", sortNumber)},
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Core().V1().Secrets().Informer()
			},
			row: rowOf(secretRow),
		},
		{
			info: shared.KindInfo{Name: "persistentvolumeclaims", Kind: "PersistentVolumeClaim", Namespaced: true}, gvk: core("PersistentVolumeClaim"),
			cols: []column{col("volume", "Volume", sortText), col("capacity", "Capacity", sortQuantity),
				col("accessModes", "Access modes", sortText), col("storageClass", "Storage class", sortText)},
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Core().V1().PersistentVolumeClaims().Informer()
			},
			row: rowOf(pvcRow),
		},
		{
			info: shared.KindInfo{Name: "persistentvolumes", Kind: "PersistentVolume"}, gvk: core("PersistentVolume"),
			cols: []column{col("capacity", "Capacity", sortQuantity), col("accessModes", "Access modes", sortText),
				col("reclaimPolicy", "Reclaim policy", sortText), col("claim", "Claim", sortText),
				col("storageClass", "Storage class", sortText)},
			informer: func(f informers.SharedInformerFactory) toolscache.SharedIndexInformer {
				return f.Core().V1().PersistentVolumes().Informer()
			},
			row: rowOf(pvRow),
		},
	}
	reg := &registry{kinds: kinds, byName: make(map[string]*Kind, len(kinds))}
	for _, k := range kinds {
		k.sortKeys = baseSortKeys()
		for _, c := range k.cols {
			k.info.Columns = append(k.info.Columns, c.Column)
			k.sortKeys = append(k.sortKeys, c.Key)
		}
		reg.byName[k.info.Name] = k
	}
	return reg
}

// entry is a row with what a list needs precomputed: the lowercased search
// text and one sort key per sort column.
type entry struct {
	key    string // namespace/name
	row    shared.Row
	search string
	keys   []sortKey
}

// sortKey is a column's value as it sorts: by n, then s.
type sortKey struct {
	n int64
	s string
}

// newEntry precomputes a row's search text and sort keys.
func (k *Kind) newEntry(r shared.Row) *entry {
	e := &entry{key: objectKey(r.Namespace, r.Name), row: r, search: searchText(&r, k.cols)}
	e.keys = make([]sortKey, len(k.sortKeys))
	e.keys[0] = sortKey{s: r.Name}
	e.keys[1] = sortKey{s: r.Namespace}
	e.keys[2] = sortKey{n: -r.Created} // youngest first when ascending by age
	e.keys[3] = sortKey{s: r.Status}
	e.keys[4] = sortKey{n: severity(r.Level), s: r.Status}
	for i, c := range k.cols {
		e.keys[5+i] = cellSortKey(c.sort, r.Cells[c.Key])
	}
	return e
}

func cellSortKey(t sortType, v string) sortKey {
	switch t {
	case sortNumber:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			n = -1
		}
		return sortKey{n: n, s: v}
	case sortRatio:
		a, b, _ := strings.Cut(v, "/")
		x, _ := strconv.ParseInt(a, 10, 32)
		y, _ := strconv.ParseInt(b, 10, 32)
		return sortKey{n: x<<32 | y, s: v}
	case sortQuantity:
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return sortKey{n: -1, s: v}
		}
		return sortKey{n: q.Value(), s: v}
	}
	return sortKey{s: v}
}

// objectKey is the cache key of an object: namespace/name, or name alone
// for cluster-scoped objects (client-go's MetaNamespaceKeyFunc).
func objectKey(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// apiKind is a kind the write API (Client.Delete, Create, DryRun) can
// address: every kind the object viewer shows, and the kinds Kubedeck
// creates or that belong to what it shows (Ingresses of a deployment,
// ReplicaSets and Jobs of workloads).
type apiKind struct {
	gvr        schema.GroupVersionResource
	kind       string // "Ingress"
	namespaced bool
}

func (k apiKind) gvk() schema.GroupVersionKind { return k.gvr.GroupVersion().WithKind(k.kind) }

// apiKinds is the table of writable kinds, by resource ("ingresses") and by
// group, version and kind.
type apiKinds struct {
	byResource map[string]apiKind
	byGVK      map[schema.GroupVersionKind]apiKind
}

// writableKinds is built once and never changed.
var writableKinds = newAPIKinds()

func newAPIKinds() apiKinds {
	kinds := []apiKind{
		{gvr: networkingv1.SchemeGroupVersion.WithResource("ingresses"), kind: "Ingress", namespaced: true},
		{gvr: appsv1.SchemeGroupVersion.WithResource("replicasets"), kind: "ReplicaSet", namespaced: true},
		{gvr: batchv1.SchemeGroupVersion.WithResource("jobs"), kind: "Job", namespaced: true},
		{gvr: batchv1.SchemeGroupVersion.WithResource("cronjobs"), kind: "CronJob", namespaced: true},
	}
	for _, k := range newRegistry().kinds {
		kinds = append(kinds, apiKind{gvr: k.gvr(), kind: k.info.Kind, namespaced: k.Namespaced()})
	}
	t := apiKinds{byResource: map[string]apiKind{}, byGVK: map[schema.GroupVersionKind]apiKind{}}
	for _, k := range kinds {
		t.byResource[k.gvr.Resource] = k
		t.byGVK[k.gvk()] = k
	}
	return t
}
