package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/shared"
)

// DefaultContainerAnnotation names a pod's default container, as kubectl
// reads it.
const DefaultContainerAnnotation = "kubectl.kubernetes.io/default-container"

// logReadParallel bounds the pods one read of an app's logs reads at once.
const logReadParallel = 4

// Logs reads containers' logs as the user: pods/log through the API server,
// which asks the node, so RBAC and the API server's audit apply.
type Logs struct {
	client *Client
}

// NewLogs reads logs through c.
func NewLogs(c *Client) *Logs { return &Logs{client: c} }

// logTarget is what a query names, resolved as the user: the pods to read
// (one, or an app's, newest first) and the container.
type logTarget struct {
	query shared.LogQuery
	// pods are the pods to read now.
	pods []*corev1.Pod
	// selector finds an app's pods (with listOpts); nil for one pod.
	listOpts   metav1.ListOptions
	container  string
	containers []shared.LogContainer
}

// app reports whether the target is an app's pods rather than one pod.
func (t *logTarget) app() bool { return t.query.Kind != "pods" }

// target resolves q as u: the pod, or the app and its pods, and the
// container (checked to exist).
func (l *Logs) target(ctx context.Context, cs kubernetes.Interface, q shared.LogQuery) (*logTarget, error) {
	if errs := q.Check(); errs != nil {
		details := map[string]any{}
		var msgs []string
		for k, v := range errs {
			details[k] = v
			msgs = append(msgs, v)
		}
		slices.Sort(msgs)
		return nil, Invalid(strings.Join(msgs, " "), map[string]any{shared.DetailFields: details})
	}
	t := &logTarget{query: q}
	if q.Kind == "pods" {
		pod, err := cs.CoreV1().Pods(q.Namespace).Get(ctx, q.Name, metav1.GetOptions{})
		if err != nil {
			return nil, TranslateIn(err, q.Namespace)
		}
		t.pods = []*corev1.Pod{pod}
		t.listOpts = metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", q.Name).String()}
		t.containers = podContainers(pod)
		t.container = defaultContainer(pod.Annotations, pod.Spec.Containers)
	} else {
		sel, tmpl, err := appPods(ctx, cs, q)
		if err != nil {
			return nil, err
		}
		t.listOpts = metav1.ListOptions{LabelSelector: sel.String()}
		t.containers = templateContainers(tmpl)
		t.container = defaultContainer(tmpl.Annotations, tmpl.Spec.Containers)
		list, err := cs.CoreV1().Pods(q.Namespace).List(ctx, t.listOpts)
		if err != nil {
			return nil, TranslateIn(err, q.Namespace)
		}
		for i := range list.Items {
			t.pods = append(t.pods, &list.Items[i])
		}
		slices.SortFunc(t.pods, newestFirst)
		if len(t.pods) > shared.MaxLogPods {
			t.pods = t.pods[:shared.MaxLogPods]
		}
	}
	if q.Container != "" {
		t.container = q.Container
	}
	if !slices.ContainsFunc(t.containers, func(c shared.LogContainer) bool { return c.Name == t.container }) {
		names := make([]string, len(t.containers))
		for i, c := range t.containers {
			names[i] = c.Name
		}
		return nil, WithDetails(ErrInvalid, fmt.Sprintf("%s %s has no container %q; its containers are %s.",
			singular(q.Kind), q.Name, t.container, strings.Join(names, ", ")),
			map[string]any{shared.DetailField: "container"}, nil)
	}
	return t, nil
}

// singular names a kind of LogKinds for people.
func singular(kind string) string {
	switch kind {
	case "pods":
		return "Pod"
	case "statefulsets":
		return "StatefulSet"
	case "daemonsets":
		return "DaemonSet"
	case "jobs":
		return "Job"
	}
	return "Deployment"
}

func newestFirst(a, b *corev1.Pod) int {
	if c := b.CreationTimestamp.Compare(a.CreationTimestamp.Time); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// appPods reads the app q names as the user: its pod selector and template.
func appPods(ctx context.Context, cs kubernetes.Interface, q shared.LogQuery) (labels.Selector, corev1.PodTemplateSpec, error) {
	var (
		sel  *metav1.LabelSelector
		tmpl corev1.PodTemplateSpec
		err  error
	)
	switch q.Kind {
	case "deployments":
		d, e := cs.AppsV1().Deployments(q.Namespace).Get(ctx, q.Name, metav1.GetOptions{})
		err = e
		if err == nil {
			sel, tmpl = d.Spec.Selector, d.Spec.Template
		}
	case "statefulsets":
		s, e := cs.AppsV1().StatefulSets(q.Namespace).Get(ctx, q.Name, metav1.GetOptions{})
		err = e
		if err == nil {
			sel, tmpl = s.Spec.Selector, s.Spec.Template
		}
	case "daemonsets":
		d, e := cs.AppsV1().DaemonSets(q.Namespace).Get(ctx, q.Name, metav1.GetOptions{})
		err = e
		if err == nil {
			sel, tmpl = d.Spec.Selector, d.Spec.Template
		}
	case "jobs":
		j, e := cs.BatchV1().Jobs(q.Namespace).Get(ctx, q.Name, metav1.GetOptions{})
		err = e
		if err == nil {
			sel, tmpl = j.Spec.Selector, j.Spec.Template
		}
	}
	if err != nil {
		return nil, tmpl, TranslateIn(err, q.Namespace)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || s.Empty() {
		// An empty selector would pick every pod of the namespace.
		return nil, tmpl, NewError(ErrInvalid, fmt.Sprintf("%s %s has no usable pod selector.", singular(q.Kind), q.Name), err)
	}
	return s, tmpl, nil
}

// podContainers lists a pod's containers, init and ephemeral ones too, with
// their restarts.
func podContainers(p *corev1.Pod) []shared.LogContainer {
	restarts := map[string]int{}
	for _, ss := range [][]corev1.ContainerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses, p.Status.EphemeralContainerStatuses} {
		for _, s := range ss {
			restarts[s.Name] = int(s.RestartCount)
		}
	}
	var out []shared.LogContainer
	for _, c := range p.Spec.Containers {
		out = append(out, shared.LogContainer{Name: c.Name, Restarts: restarts[c.Name]})
	}
	for _, c := range p.Spec.InitContainers {
		out = append(out, shared.LogContainer{Name: c.Name, Type: "init", Restarts: restarts[c.Name]})
	}
	for _, c := range p.Spec.EphemeralContainers {
		out = append(out, shared.LogContainer{Name: c.Name, Type: "ephemeral", Restarts: restarts[c.Name]})
	}
	return out
}

// templateContainers lists the containers of an app's pod template.
func templateContainers(t corev1.PodTemplateSpec) []shared.LogContainer {
	return podContainers(&corev1.Pod{Spec: t.Spec})
}

// defaultContainer is the container kubectl would pick: the annotated one,
// else the first.
func defaultContainer(annotations map[string]string, cs []corev1.Container) string {
	if name := annotations[DefaultContainerAnnotation]; name != "" {
		return name
	}
	if len(cs) == 0 {
		return ""
	}
	return cs[0].Name
}

// podLogOptions are the API's options for reading t's container.
func (t *logTarget) podLogOptions(follow bool) *corev1.PodLogOptions {
	tail := int64(t.query.Tail())
	limit := int64(shared.MaxLogReadBytes)
	opts := &corev1.PodLogOptions{
		Container:  t.container,
		Follow:     follow && !t.query.Previous,
		Previous:   t.query.Previous,
		Timestamps: true,
		TailLines:  &tail,
	}
	if !opts.Follow {
		opts.LimitBytes = &limit
	}
	if t.query.SinceSeconds > 0 {
		since := int64(t.query.SinceSeconds)
		opts.SinceSeconds = &since
	}
	return opts
}

// Read reads the logs q names, as u: the last lines of one pod's container,
// or of each of an app's pods merged in time order and cut to the same
// number of lines. For an app, a pod whose logs cannot be read is named in
// Failed; for a pod, that is the error.
func (l *Logs) Read(ctx context.Context, u User, q shared.LogQuery) (shared.LogChunk, error) {
	cs, t, out, err := l.resolve(ctx, u, q)
	if err != nil {
		return shared.LogChunk{}, err
	}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		sem = make(chan struct{}, logReadParallel)
	)
	var firstErr error
	for _, p := range t.pods {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			lines, truncated, err := readPodLog(ctx, cs, t, p.Name)
			mu.Lock()
			defer mu.Unlock()
			out.Lines = append(out.Lines, lines...)
			out.Truncated = out.Truncated || truncated
			if err != nil {
				if !t.app() {
					firstErr = err
					return
				}
				if out.Failed == nil {
					out.Failed = map[string]string{}
				}
				out.Failed[p.Name] = logMessage(err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return shared.LogChunk{}, firstErr
	}
	slices.SortStableFunc(out.Lines, func(a, b shared.LogLine) int { return a.Time.Compare(b.Time) })
	if n := t.query.Tail(); len(out.Lines) > n {
		out.Dropped = len(out.Lines) - n
		out.Lines = out.Lines[len(out.Lines)-n:]
	}
	if out.Lines == nil {
		out.Lines = []shared.LogLine{}
	}
	return out, nil
}

// resolve resolves q as u and returns u's clientset, the target and a
// chunk with what there is to choose from (containers, an app's pods).
func (l *Logs) resolve(ctx context.Context, u User, q shared.LogQuery) (kubernetes.Interface, *logTarget, shared.LogChunk, error) {
	cs, err := l.client.As(u)
	if err != nil {
		return nil, nil, shared.LogChunk{}, err
	}
	t, err := l.target(ctx, cs, q)
	if err != nil {
		return nil, nil, shared.LogChunk{}, err
	}
	out := shared.LogChunk{Containers: t.containers}
	if t.app() {
		out.Pods = podNames(t.pods)
	}
	return cs, t, out, nil
}

// readPodLog reads one pod's lines (not following), labelled with the pod
// for an app.
func readPodLog(ctx context.Context, cs kubernetes.Interface, t *logTarget, pod string) ([]shared.LogLine, bool, error) {
	stream, err := cs.CoreV1().Pods(t.query.Namespace).GetLogs(pod, t.podLogOptions(false)).Stream(ctx)
	if err != nil {
		return nil, false, logError(err, t.query.Namespace, pod, t.container)
	}
	defer stream.Close()
	lr := newLineReader(stream)
	var lines []shared.LogLine
	for {
		line, err := lr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return lines, false, Translate(err)
		}
		if t.app() {
			line.Pod = pod
		}
		lines = append(lines, line)
	}
	return lines, lr.read >= shared.MaxLogReadBytes, nil
}

// logError words a refused read of logs: the API server answers a container
// that is not running (yet, or any more) with 400 and its own sentence.
func logError(err error, namespace, pod, container string) error {
	terr := TranslateIn(err, namespace)
	if errors.Is(terr, ErrInvalid) {
		return NewError(ErrInvalid, fmt.Sprintf("The logs of container %s of pod %s cannot be read: %s", container, pod, clip(rootMessage(err))), err)
	}
	return terr
}

// rootMessage is the API server's message for err.
func rootMessage(err error) string {
	var st interface{ Status() metav1.Status }
	if errors.As(err, &st) {
		return st.Status().Message
	}
	return err.Error()
}

// publicMessage is what people may read of err.
func logMessage(err error) string {
	if p, ok := Public(err); ok {
		return p.Message
	}
	return "The logs could not be read."
}

func podNames(pods []*corev1.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Name
	}
	return out
}
