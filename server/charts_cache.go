package server

import (
	"context"
	"sync"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/helm"
)

// Cached release lists are forgotten when a namespace's Helm Secrets change,
// whoever changed them (this replica, another, the helm CLI): the informer
// cache already watches Secrets, and each replica forgets on its own event.

// releaseForgetter forgets the cached release lists of namespaces whose
// release Secrets changed. The informer's event path only marks the
// namespace; one goroutine does the (possibly slow) cache calls, so a burst
// of events costs one call per namespace, never a goroutine each.
type releaseForgetter struct {
	helm *helm.Client

	mu      sync.Mutex
	pending map[string]struct{}
	wake    chan struct{}
}

// watchReleaseSecrets starts forgetting cached release lists on Secret
// events until the server stops.
func (s *Server) watchReleaseSecrets() {
	if s.deps.Helm == nil || s.deps.Objects == nil {
		return
	}
	f := &releaseForgetter{helm: s.deps.Helm, pending: map[string]struct{}{}, wake: make(chan struct{}, 1)}
	unsubscribe := s.deps.Objects.Subscribe(func(ev kube.Event) {
		if ev.Kind == "secrets" && helm.IsReleaseSecret(ev.Row.Name) {
			f.mark(ev.Row.Namespace)
		}
	})
	context.AfterFunc(s.stopping, unsubscribe)
	go f.run(s.stopping)
}

// mark queues namespace; it never blocks.
func (f *releaseForgetter) mark(namespace string) {
	func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.pending[namespace] = struct{}{}
	}()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// take empties the queue.
func (f *releaseForgetter) take() map[string]struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	batch := f.pending
	f.pending = map[string]struct{}{}
	return batch
}

// run forgets what is queued until ctx ends.
func (f *releaseForgetter) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.wake:
		}
		for ns := range f.take() {
			f.helm.Forget(ctx, ns)
		}
	}
}
