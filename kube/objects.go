package kube

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/kubedeck/kubedeck/shared"
)

// ObjectsOptions configure the informer cache.
type ObjectsOptions struct {
	// Namespaces limits the cache to these namespaces; empty watches all.
	// PersistentVolumes are cluster-scoped and always watched.
	Namespaces []string
	// Log receives the cache's warnings (nil: discard).
	Log *slog.Logger
	// StallAfter is how long an informer's event handler may take over one
	// change before Check reports the cache stalled (default
	// DefaultStallAfter).
	StallAfter time.Duration
}

// DefaultStallAfter is ObjectsOptions.StallAfter's default. Handling one
// change takes microseconds; a handler this slow is stuck.
const DefaultStallAfter = 30 * time.Second

// Objects is the informer cache the object viewer reads: one shared informer
// per kind (plus Events, ReplicaSets and, when watching all namespaces,
// Namespaces), fed by watches made with Kubedeck's own identity. Objects are
// sanitized at ingest (see sanitize), and each object's row is computed once
// per change, so a list only filters, sorts and pages precomputed rows and
// never reaches the API server. Reads are not authorized here: callers check
// Access first. It is safe for concurrent use.
type Objects struct {
	log        *slog.Logger
	reg        *registry
	namespaces []string // nil: all
	factories  []informers.SharedInformerFactory
	kinds      map[string]*watched

	events      map[string]toolscache.SharedIndexInformer // by scope: a namespace, or "" for all
	replicaSets map[string]toolscache.SharedIndexInformer
	ingresses   map[string]toolscache.SharedIndexInformer // indexed by host (hosts.go)
	nsInformer  toolscache.SharedIndexInformer            // nil when watching a list of namespaces
	synced      []toolscache.InformerSynced

	subs    subscribers
	started atomic.Bool

	handlers   []*handlerProbe // one per informer that feeds an index
	stallAfter time.Duration
}

// handlerProbe watches one informer's event handler, so that a handler stuck
// on a change (a wedged lock, a subscriber that blocks) shows in Check: the
// informer then stops delivering changes, and the kind's lists go stale or
// hang.
type handlerProbe struct {
	kind      string
	name      string       // the kind, and the informer's namespace when it has one
	busySince atomic.Int64 // when the change in hand arrived (Unix ns); 0 when idle
}

// StalledError is Check's error when informers have stopped taking changes:
// their handlers have been on one change for longer than the stall bound.
type StalledError struct {
	// Kinds are the kinds of the stalled informers, sorted.
	Kinds []string
	// Informers say which informers, and for how long.
	Informers []string
}

func (e *StalledError) Error() string {
	return "the object cache has stopped taking changes of " + strings.Join(e.Informers, ", ")
}

// handle runs fn as the handler of one change.
func (p *handlerProbe) handle(fn func()) {
	p.busySince.Store(time.Now().UnixNano())
	defer p.busySince.Store(0)
	fn()
}

// stuckFor is how long the handler has been on its current change; 0 when
// it is idle.
func (p *handlerProbe) stuckFor(now time.Time) time.Duration {
	since := p.busySince.Load()
	if since == 0 {
		return 0
	}
	return now.Sub(time.Unix(0, since))
}

// watched is one kind's informers (one per scope) and its row index.
type watched struct {
	kind      *Kind
	index     *index
	informers map[string]toolscache.SharedIndexInformer
}

// The informer indexes Objects adds.
const (
	byOwner    = "owner"    // pods and replica sets by their owners' UIDs
	byInvolved = "involved" // events by kind/namespace/name of their object
)

// NewObjects prepares the informers on client, which must carry Kubedeck's
// own identity (Client.Base). Nothing is watched until Start.
func NewObjects(client kubernetes.Interface, opts ObjectsOptions) (*Objects, error) {
	o := &Objects{
		log:         opts.Log,
		reg:         newRegistry(),
		kinds:       map[string]*watched{},
		events:      map[string]toolscache.SharedIndexInformer{},
		replicaSets: map[string]toolscache.SharedIndexInformer{},
		ingresses:   map[string]toolscache.SharedIndexInformer{},
		stallAfter:  opts.StallAfter,
	}
	if o.stallAfter <= 0 {
		o.stallAfter = DefaultStallAfter
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if len(opts.Namespaces) > 0 {
		o.namespaces = slices.Compact(slices.Sorted(slices.Values(opts.Namespaces)))
	}
	factory := func(ns string) informers.SharedInformerFactory {
		f := informers.NewSharedInformerFactoryWithOptions(client, 0,
			informers.WithNamespace(ns), informers.WithTransform(sanitize))
		o.factories = append(o.factories, f)
		return f
	}
	cluster := factory(metav1.NamespaceAll)
	scopes := map[string]informers.SharedInformerFactory{metav1.NamespaceAll: cluster}
	if o.namespaces != nil {
		scopes = map[string]informers.SharedInformerFactory{}
		for _, ns := range o.namespaces {
			scopes[ns] = factory(ns)
		}
	} else {
		o.nsInformer = cluster.Core().V1().Namespaces().Informer()
		o.synced = append(o.synced, o.nsInformer.HasSynced)
	}
	for _, k := range o.reg.kinds {
		w := &watched{kind: k, index: newIndex(k), informers: map[string]toolscache.SharedIndexInformer{}}
		o.kinds[k.Name()] = w
		if !k.Namespaced() {
			w.informers[metav1.NamespaceAll] = k.informer(cluster)
		} else {
			for ns, f := range scopes {
				w.informers[ns] = k.informer(f)
			}
		}
		for ns, inf := range w.informers {
			if err := o.watch(w, ns, inf); err != nil {
				return nil, err
			}
		}
	}
	for ns, f := range scopes {
		ev := f.Core().V1().Events().Informer()
		rs := f.Apps().V1().ReplicaSets().Informer()
		if err := ev.AddIndexers(toolscache.Indexers{byInvolved: involvedIndex}); err != nil {
			return nil, fmt.Errorf("index events: %w", err)
		}
		if err := rs.AddIndexers(toolscache.Indexers{byOwner: ownerIndex}); err != nil {
			return nil, fmt.Errorf("index replica sets: %w", err)
		}
		o.events[ns], o.replicaSets[ns] = ev, rs
		o.synced = append(o.synced, ev.HasSynced, rs.HasSynced)
		if err := o.watchIngresses(ns, f.Networking().V1().Ingresses().Informer()); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// watch keeps w's index in step with one informer (of namespace, or of the
// cluster for "") and publishes row events.
func (o *Objects) watch(w *watched, namespace string, inf toolscache.SharedIndexInformer) error {
	if w.kind.Name() == "pods" {
		if err := inf.AddIndexers(toolscache.Indexers{byOwner: ownerIndex}); err != nil {
			return fmt.Errorf("index pods: %w", err)
		}
	}
	p := &handlerProbe{kind: w.kind.Name(), name: w.kind.Name()}
	if namespace != "" {
		p.name += " in namespace " + namespace
	}
	o.handlers = append(o.handlers, p)
	reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { p.handle(func() { o.upsert(w, obj) }) },
		UpdateFunc: func(_, obj any) { p.handle(func() { o.upsert(w, obj) }) },
		DeleteFunc: func(obj any) { p.handle(func() { o.remove(w, obj) }) },
	})
	if err != nil {
		return fmt.Errorf("watch %s: %w", w.kind.Name(), err)
	}
	// The registration is synced once the handler has seen the initial list,
	// so the rows are there, not only the informer's store.
	o.synced = append(o.synced, reg.HasSynced)
	return nil
}

func (o *Objects) upsert(w *watched, obj any) {
	row, ok := w.kind.Row(obj)
	if !ok {
		o.log.Warn("unexpected object in informer", "kind", w.kind.Name(), "type", fmt.Sprintf("%T", obj))
		return
	}
	typ := Updated
	if w.index.put(row) {
		typ = Created
	}
	o.subs.publish(Event{Type: typ, Kind: w.kind.Name(), Row: row})
}

func (o *Objects) remove(w *watched, obj any) {
	key := ""
	if t, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		key = t.Key
	} else if m, err := meta.Accessor(obj); err == nil {
		key = objectKey(m.GetNamespace(), m.GetName())
	}
	if row, ok := w.index.remove(key); ok {
		o.subs.publish(Event{Type: Deleted, Kind: w.kind.Name(), Row: row})
	}
}

// Start starts every informer; they stop when ctx is done. Call it once.
func (o *Objects) Start(ctx context.Context) {
	if !o.started.CompareAndSwap(false, true) {
		return
	}
	for _, f := range o.factories {
		f.Start(ctx.Done())
	}
	go func() {
		<-ctx.Done()
		for _, f := range o.factories {
			f.Shutdown()
		}
	}()
}

// Synced says whether every informer has listed its objects and every row
// has been built.
func (o *Objects) Synced() bool {
	if !o.started.Load() {
		return false
	}
	for _, s := range o.synced {
		if !s() {
			return false
		}
	}
	return true
}

// WaitForSync blocks until Synced or ctx is done.
func (o *Objects) WaitForSync(ctx context.Context) error {
	if !toolscache.WaitForCacheSync(ctx.Done(), o.synced...) {
		return fmt.Errorf("%w: the object cache did not sync: %v", ErrUnavailable, context.Cause(ctx))
	}
	return nil
}

// Check is the readiness check: an error until the cache has synced, and
// whenever an informer's handler has been stuck on one change for longer
// than the stall bound, naming the kinds. It takes no lock of the cache, so
// it answers even when the cache is wedged.
func (o *Objects) Check(context.Context) error {
	now := time.Now()
	var stalled StalledError
	for _, p := range o.handlers {
		if d := p.stuckFor(now); d > o.stallAfter {
			unit := time.Second
			if d < 10*time.Second {
				unit = 100 * time.Millisecond
			}
			stalled.Informers = append(stalled.Informers, p.name+" for "+d.Round(unit).String())
			stalled.Kinds = append(stalled.Kinds, p.kind)
		}
	}
	if len(stalled.Informers) > 0 {
		slices.Sort(stalled.Kinds)
		stalled.Kinds = slices.Compact(stalled.Kinds)
		return &stalled
	}
	if !o.Synced() {
		return fmt.Errorf("the object cache is still loading")
	}
	return nil
}

// Subscribe calls fn with every row change of every kind until the returned
// function is called. fn runs on the informers' goroutines, in order per
// informer: it must return quickly and never block (hand the event to a
// buffered queue and drop or coalesce when it is full), or it stalls the
// cache for everyone.
func (o *Objects) Subscribe(fn func(Event)) (unsubscribe func()) { return o.subs.add(fn) }

// Kinds describes every kind the cache serves, in the UI's order.
func (o *Objects) Kinds() []shared.KindInfo {
	out := make([]shared.KindInfo, len(o.reg.kinds))
	for i, k := range o.reg.kinds {
		out[i] = k.Info()
	}
	return out
}

// KindNames are the names of every kind, for messages.
func (o *Objects) KindNames() []string {
	out := make([]string, len(o.reg.kinds))
	for i, k := range o.reg.kinds {
		out[i] = k.Name()
	}
	return out
}

// Kind finds a kind by its name ("pods").
func (o *Objects) Kind(name string) (*Kind, bool) {
	k, ok := o.reg.byName[name]
	return k, ok
}

// KindOf finds a kind by its Kind ("Deployment"), as a manifest names it.
func (o *Objects) KindOf(kind string) (*Kind, bool) {
	for _, k := range o.reg.byName {
		if k.info.Kind == kind {
			return k, true
		}
	}
	return nil, false
}

// List answers one page of kind's rows, with the kind's resourceVersion.
func (o *Objects) List(k *Kind, q Query) (shared.ListResult, error) {
	w := o.kinds[k.Name()]
	res, err := w.index.list(q)
	if err != nil {
		return res, err
	}
	res.ResourceVersion = w.resourceVersion()
	return res, nil
}

// Len is how many objects of kind the cache holds.
func (o *Objects) Len(k *Kind) int { return o.kinds[k.Name()].index.len() }

// NamespacesOf lists the namespaces holding objects of kind, sorted.
func (o *Objects) NamespacesOf(k *Kind) []string { return o.kinds[k.Name()].index.namespaces() }

// Namespaces lists the namespaces the cache watches: the configured list, or
// every namespace of the cluster.
func (o *Objects) Namespaces() []string {
	if o.namespaces != nil {
		return slices.Clone(o.namespaces)
	}
	var out []string
	for _, obj := range o.nsInformer.GetStore().List() {
		if ns, ok := obj.(*corev1.Namespace); ok {
			out = append(out, ns.Name)
		}
	}
	slices.Sort(out)
	return out
}

// Row is the cached row of one object.
func (o *Objects) Row(k *Kind, namespace, name string) (shared.Row, bool) {
	return o.kinds[k.Name()].index.get(objectKey(namespace, name))
}

// resourceVersion is the newest resourceVersion the kind's informers have
// seen (resourceVersions are opaque, but the API server's are etcd
// revisions, which order).
func (w *watched) resourceVersion() string {
	var best string
	var bestN uint64
	for _, inf := range w.informers {
		rv := inf.LastSyncResourceVersion()
		n, err := strconv.ParseUint(rv, 10, 64)
		if best == "" || err == nil && n > bestN {
			best, bestN = rv, n
		}
	}
	return best
}

// informer is the informer holding namespace's objects.
func (w *watched) informer(namespace string) (toolscache.SharedIndexInformer, bool) {
	if inf, ok := w.informers[metav1.NamespaceAll]; ok {
		return inf, true
	}
	inf, ok := w.informers[namespace]
	return inf, ok
}

// ownerIndex indexes an object by the UIDs of its owners.
func ownerIndex(obj any) ([]string, error) {
	m, err := meta.Accessor(obj)
	if err != nil {
		return nil, nil
	}
	refs := m.GetOwnerReferences()
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, string(r.UID))
	}
	return out, nil
}

// involvedIndex indexes an event by the object it is about.
func involvedIndex(obj any) ([]string, error) {
	ev, ok := obj.(*corev1.Event)
	if !ok {
		return nil, nil
	}
	o := ev.InvolvedObject
	return []string{involvedKey(o.Kind, o.Namespace, o.Name)}, nil
}

func involvedKey(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }
