package kube

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/shared"
)

// LogSink receives what a follow reads. Line is called from one goroutine
// per pod at once, and neither method may block for long: a sink that
// cannot keep up drops lines and says so (the server's log follower does).
type LogSink interface {
	// Chunk gets news without lines: the containers and pods there are,
	// and pods whose logs cannot be read (Failed).
	Chunk(shared.LogChunk)
	// Line gets one line.
	Line(shared.LogLine)
}

// logRelistLimit bounds how often in a row a follow lists the pods again
// after the API server failed to answer, before it gives up.
const logRelistLimit = 3

// Follow follows the logs q names as u until ctx ends or the logs end, and
// reports why they ended (the zero LogEnd when ctx ended). It first sends a
// Chunk with the containers (and an app's pods); then the last lines of
// each pod and each new line as it comes. It watches the pods as u: an
// app's new pods are followed as they start (up to shared.MaxLogPods at
// once), a container that restarts is followed again from where it was,
// and a followed pod that is deleted ends a pod's follow. A refusal of the
// start (a missing right, a pod or container that does not exist) is the
// error; a right taken away later ends the follow as LogEndForbidden.
func (l *Logs) Follow(ctx context.Context, u User, q shared.LogQuery, sink LogSink) (shared.LogEnd, error) {
	cs, t, first, err := l.resolve(ctx, u, q)
	if err != nil {
		return shared.LogEnd{}, err
	}
	sink.Chunk(first)
	if q.Previous {
		return l.previous(ctx, cs, t, sink), nil
	}
	streams, err := l.client.StreamAs(u)
	if err != nil {
		return shared.LogEnd{}, err
	}
	f := &follower{cs: streams, t: t, sink: sink, pods: map[string]*podStream{}, end: make(chan shared.LogEnd, 1)}
	return f.run(ctx), nil
}

// previous sends the previous containers' logs, which do not grow, and ends.
func (l *Logs) previous(ctx context.Context, cs kubernetes.Interface, t *logTarget, sink LogSink) shared.LogEnd {
	for _, p := range t.pods {
		lines, _, err := readPodLog(ctx, cs, t, p.Name)
		if err != nil {
			sink.Chunk(shared.LogChunk{Failed: map[string]string{p.Name: logMessage(err)}})
			continue
		}
		for _, line := range lines {
			sink.Line(line)
		}
	}
	return shared.LogEnd{Reason: shared.LogEndDone, Message: "These are the logs of the container before its last restart; they do not grow."}
}

// follower follows the streams of one Follow.
type follower struct {
	cs   kubernetes.Interface // without a request timeout
	t    *logTarget
	sink LogSink
	end  chan shared.LogEnd // capacity 1: a stream's reason to end it all

	mu   sync.Mutex
	pods map[string]*podStream
	wg   sync.WaitGroup
}

// podStream is the follow of one pod's container.
type podStream struct {
	cancel  context.CancelFunc
	running bool
	// last is the time of the last line read, from where a restarted
	// container's follow goes on.
	last time.Time
}

// run lists and watches the pods, starting and stopping their streams,
// until ctx ends or the follow does.
func (f *follower) run(ctx context.Context) shared.LogEnd {
	ctx, cancel := context.WithCancel(ctx)
	defer f.wg.Wait()
	defer cancel()
	ns := f.t.query.Namespace
	failures := 0
	for {
		list, err := f.cs.CoreV1().Pods(ns).List(ctx, f.t.listOpts)
		if err != nil {
			if end, stop := f.failed(ctx, err, &failures); stop {
				return end
			}
			continue
		}
		failures = 0
		present := map[string]bool{}
		for i := range list.Items {
			present[list.Items[i].Name] = true
			f.upsert(ctx, &list.Items[i])
		}
		f.forget(present)
		if !f.t.app() && len(list.Items) == 0 {
			return podGone(f.t.query.Name)
		}
		opts := f.t.listOpts
		opts.ResourceVersion = list.ResourceVersion
		w, err := f.cs.CoreV1().Pods(ns).Watch(ctx, opts)
		if err != nil {
			if end, stop := f.failed(ctx, err, &failures); stop {
				return end
			}
			continue
		}
		if end, stop := f.watch(ctx, w); stop {
			return end
		}
	}
}

// failed decides what a failed list or watch means: the end of the follow
// (stop), or a retry after a pause.
func (f *follower) failed(ctx context.Context, err error, failures *int) (shared.LogEnd, bool) {
	if ctx.Err() != nil {
		return f.ended(), true
	}
	terr := TranslateIn(err, f.t.query.Namespace)
	if errors.Is(terr, ErrForbidden) {
		return shared.LogEnd{Reason: shared.LogEndForbidden, Message: logMessage(terr)}, true
	}
	*failures++
	if *failures > logRelistLimit {
		return shared.LogEnd{Reason: shared.LogEndUnavailable, Message: "The Kubernetes API server stopped answering; follow again when it is back."}, true
	}
	select {
	case <-ctx.Done():
		return f.ended(), true
	case <-time.After(time.Duration(*failures) * time.Second):
		return shared.LogEnd{}, false
	}
}

// ended is the reason a stream gave to end the follow, or the zero LogEnd.
func (f *follower) ended() shared.LogEnd {
	select {
	case end := <-f.end:
		return end
	default:
		return shared.LogEnd{}
	}
}

// watch applies pod events until the watch closes (go on: list again) or
// the follow ends (stop).
func (f *follower) watch(ctx context.Context, w watch.Interface) (shared.LogEnd, bool) {
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return f.ended(), true
		case end := <-f.end:
			return end, true
		case ev, ok := <-w.ResultChan():
			if !ok {
				return shared.LogEnd{}, false
			}
			pod, isPod := ev.Object.(*corev1.Pod)
			switch {
			case ev.Type == watch.Error:
				return shared.LogEnd{}, false
			case !isPod:
			case ev.Type == watch.Deleted:
				f.stop(pod.Name)
				if !f.t.app() {
					return podGone(pod.Name), true
				}
			default:
				f.upsert(ctx, pod)
			}
		}
	}
}

func podGone(name string) shared.LogEnd {
	return shared.LogEnd{Reason: shared.LogEndDone, Message: "Pod " + name + " was deleted; its logs end here."}
}

// upsert starts following p's container when it has started and is not
// followed, within the bound on pods.
func (f *follower) upsert(ctx context.Context, p *corev1.Pod) {
	if p.DeletionTimestamp != nil || !containerStarted(p, f.t.container) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ps := f.pods[p.Name]
	if ps != nil && ps.running {
		return
	}
	if ps == nil {
		running := 0
		for _, s := range f.pods {
			if s.running {
				running++
			}
		}
		if running >= shared.MaxLogPods {
			return
		}
		ps = &podStream{}
		f.pods[p.Name] = ps
		if f.t.app() {
			f.sink.Chunk(shared.LogChunk{Pods: f.namesLocked()})
		}
	}
	sctx, cancel := context.WithCancel(ctx)
	ps.cancel, ps.running = cancel, true
	since := ps.last
	f.wg.Go(func() { f.stream(sctx, p.Name, ps, since) })
}

// stop ends the follow of a deleted pod.
func (f *follower) stop(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ps := f.pods[name]; ps != nil {
		if ps.cancel != nil {
			ps.cancel()
		}
		delete(f.pods, name)
		if f.t.app() {
			f.sink.Chunk(shared.LogChunk{Pods: f.namesLocked()})
		}
	}
}

// forget stops the pods a new list no longer has.
func (f *follower) forget(present map[string]bool) {
	var gone []string
	func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for name := range f.pods {
			if !present[name] {
				gone = append(gone, name)
			}
		}
	}()
	for _, name := range gone {
		f.stop(name)
	}
}

func (f *follower) namesLocked() []string {
	out := make([]string, 0, len(f.pods))
	for name := range f.pods {
		out = append(out, name)
	}
	return out
}

// stream follows one pod's container from since (zero: its last lines)
// until ctx ends or the container's log does.
func (f *follower) stream(ctx context.Context, pod string, ps *podStream, since time.Time) {
	last := since
	defer func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		ps.running = false
		if last.After(ps.last) {
			ps.last = last
		}
	}()
	opts := f.t.podLogOptions(true)
	if !since.IsZero() {
		// Seconds are all the API keeps of sinceTime: lines of that second
		// already read are skipped below.
		opts.TailLines, opts.SinceSeconds = nil, nil
		opts.SinceTime = &metav1.Time{Time: since.Truncate(time.Second)}
	}
	rc, err := f.cs.CoreV1().Pods(f.t.query.Namespace).GetLogs(pod, opts).Stream(ctx)
	if err != nil {
		f.streamFailed(ctx, pod, logError(err, f.t.query.Namespace, pod, f.t.container))
		return
	}
	defer rc.Close()
	lr := newLineReader(rc)
	for {
		line, err := lr.next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				f.streamFailed(ctx, pod, Translate(err))
			}
			return
		}
		if !since.IsZero() && !line.Time.IsZero() && !line.Time.After(since) {
			continue
		}
		if !line.Time.IsZero() {
			last = line.Time
		}
		if f.t.app() {
			line.Pod = pod
		}
		f.sink.Line(line)
	}
}

// streamFailed reports a pod whose logs could not be followed; a refusal
// ends the whole follow, since the user's right is gone.
func (f *follower) streamFailed(ctx context.Context, pod string, err error) {
	if ctx.Err() != nil {
		return
	}
	if errors.Is(err, ErrForbidden) {
		select {
		case f.end <- shared.LogEnd{Reason: shared.LogEndForbidden, Message: logMessage(err)}:
		default:
		}
		return
	}
	f.sink.Chunk(shared.LogChunk{Failed: map[string]string{pod: logMessage(err)}})
}

// containerStarted reports whether the container has run: its logs exist.
func containerStarted(p *corev1.Pod, container string) bool {
	for _, ss := range [][]corev1.ContainerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses, p.Status.EphemeralContainerStatuses} {
		for _, s := range ss {
			if s.Name == container {
				return s.State.Running != nil || s.State.Terminated != nil || s.LastTerminationState.Terminated != nil
			}
		}
	}
	return false
}
