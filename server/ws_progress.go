package server

import (
	"sync"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// progressKind is the kind whose subscriptions carry deployment:progress.
const progressKind = "deployments"

// progressSource derives a Deployment's rollout progress from the cache:
// kube.Objects.
type progressSource interface {
	// ProgressOf returns the progress of the Deployment that the object
	// (a Deployment, or a ReplicaSet or Pod it controls) belongs to.
	ProgressOf(kind, namespace, name string) (shared.DeploymentProgress, bool)
}

// podTextWithheld replaces a progress message, drawn from pods, for a
// subscriber who may not list the pods it was drawn from.
const podTextWithheld = "The rollout is held up; the reason is in its pods, which you may not list here."

// progressKinds are the kinds whose events can change a rollout's progress.
var progressKinds = map[string]bool{"deployments": true, "replicasets": true, "pods": true}

// objectRef names an object whose event may change a rollout's progress.
type objectRef struct {
	kind, namespace, name string
}

// progressPusher turns events of Deployments, ReplicaSets and Pods into
// deployment:progress messages for the subscriptions to deployments in
// their namespace. The fan-out only notes which objects changed (it must
// not block); the pusher's goroutine derives the progress from the cache,
// once per object however many events came in the meantime.
type progressPusher struct {
	hub *hub
	src progressSource

	mu      sync.Mutex
	pending map[objectRef]struct{}
	wake    chan struct{} // capacity 1
	quit    chan struct{} // closed by stop; nil while stopped
}

func newProgressPusher(h *hub, src progressSource) *progressPusher {
	return &progressPusher{hub: h, src: src, pending: make(map[objectRef]struct{}), wake: make(chan struct{}, 1)}
}

// start runs the pusher's goroutine; the hub calls it with its first
// connection, under its lock.
func (p *progressPusher) start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit != nil {
		return
	}
	p.quit = make(chan struct{})
	go p.loop(p.quit)
}

// stop ends the goroutine without waiting for it (the hub calls it under
// its lock, which the goroutine may be waiting for).
func (p *progressPusher) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quit != nil {
		close(p.quit)
		p.quit = nil
	}
	clear(p.pending)
}

// notice records that ev's object changed, when someone listens to
// deployments in its namespace.
func (p *progressPusher) notice(ev kube.Event) {
	if !progressKinds[ev.Kind] || ev.Type == kube.Deleted && ev.Kind == progressKind {
		return
	}
	if !p.hub.subscribed(progressKind, ev.Row.Namespace) {
		return
	}
	func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.pending[objectRef{kind: ev.Kind, namespace: ev.Row.Namespace, name: ev.Row.Name}] = struct{}{}
	}()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *progressPusher) loop(quit chan struct{}) {
	var refs []objectRef
	for {
		select {
		case <-quit:
			return
		case <-p.wake:
		}
		func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			refs = refs[:0]
			for r := range p.pending {
				refs = append(refs, r)
			}
			clear(p.pending)
		}()
		seen := make(map[[2]string]bool, len(refs))
		for _, r := range refs {
			prog, ok := p.src.ProgressOf(r.kind, r.namespace, r.name)
			if !ok {
				continue
			}
			k := [2]string{prog.Namespace, prog.Name}
			if seen[k] {
				continue
			}
			seen[k] = true
			p.hub.publishProgress(prog)
		}
	}
}

// publishProgress queues a deployment:progress on every subscription to
// deployments in its namespace. Its message is drawn from pods: a
// subscriber who may not list them gets podTextWithheld instead.
func (h *hub) publishProgress(prog shared.DeploymentProgress) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var full, withheld body
	key := "progress/" + prog.Namespace + "/" + prog.Name
	h.each(progressKind, prog.Namespace, func(sub *subscription) {
		b, p := &full, prog
		if prog.Message != "" && !sub.podText.Load() {
			b, p.Message = &withheld, podTextWithheld
		}
		if *b == nil {
			if *b = encodeBody(p); *b == nil {
				return
			}
		}
		sub.conn.q.push(sub, key, shared.WSProgress, *b)
	})
}
