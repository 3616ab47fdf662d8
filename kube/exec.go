package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// ExecTarget is where a command runs: a container of a pod.
type ExecTarget struct {
	Namespace, Pod, Container string
	Command                   []string
}

// ExecStreams are an exec session's terminal: Stdin the keystrokes, Stdout
// what the TTY prints, Sizes the terminal's size as it changes (Next returns
// nil once the session ends).
type ExecStreams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Sizes  *SizeQueue
}

// ExecContainer reads the pod as u and says which of its containers an
// exec session runs in: container when it is one of the pod's, else the
// pod's default (the kubectl.kubernetes.io/default-container annotation, or
// the first container) when container is empty. An unknown pod is
// ErrNotFound; a container the pod does not have is ErrInvalid naming the
// pod's containers (details "containers").
func (c *Client) ExecContainer(ctx context.Context, u User, namespace, pod, container string) (string, error) {
	cs, err := c.As(u)
	if err != nil {
		return "", err
	}
	p, err := cs.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return "", TranslateIn(err, namespace)
	}
	names := make([]string, 0, len(p.Spec.Containers))
	for _, ct := range p.Spec.Containers {
		names = append(names, ct.Name)
	}
	if container == "" {
		container = defaultContainer(p.Annotations, p.Spec.Containers)
		if !slices.Contains(names, container) && len(names) > 0 {
			container = names[0]
		}
	}
	if !slices.Contains(names, container) {
		return "", Invalid(fmt.Sprintf("Pod %s/%s has no container %q; its containers: %s.",
			namespace, pod, container, strings.Join(names, ", ")), map[string]any{"containers": names})
	}
	if p.Status.Phase != corev1.PodRunning {
		return "", NewError(ErrConflict, fmt.Sprintf("Pod %s/%s is %s, not running: there is no container to open a shell in.",
			namespace, pod, strings.ToLower(string(p.Status.Phase))), nil)
	}
	return container, nil
}

// Exec runs t's command in its container as u, through the API server's
// exec stream (WebSocket, TTY on), until the command exits or ctx ends. It
// returns the command's exit code; a stream that failed, or was cut by
// ctx, is an error.
func (c *Client) Exec(ctx context.Context, u User, t ExecTarget, s ExecStreams) (int, error) {
	cfg, err := c.ConfigAs(u)
	if err != nil {
		return 0, err
	}
	cs, err := c.As(u)
	if err != nil {
		return 0, err
	}
	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(t.Namespace).Name(t.Pod).
		SubResource("exec").VersionedParams(&corev1.PodExecOptions{
		Container: t.Container,
		Command:   t.Command,
		Stdin:     s.Stdin != nil,
		Stdout:    true,
		TTY:       true,
	}, scheme.ParameterCodec)
	ex, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
	if err != nil {
		return 0, fmt.Errorf("exec executor: %w", err)
	}
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{
		Stdin: s.Stdin, Stdout: s.Stdout, Tty: true, TerminalSizeQueue: s.Sizes,
	})
	var exit utilexec.CodeExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit):
		return exit.Code, nil
	}
	if code, ok := exitStatusIn(err); ok {
		return code, nil
	}
	return 0, TranslateIn(err, t.Namespace)
}

// exitStatusIn reads the exit code of a command from a stream error that
// only says it in words ("… exit status 3"): kwok's kubelet server, which
// the local cluster runs, reports a command's non-zero exit so, where a
// kubelet sends a NonZeroExitCode status.
func exitStatusIn(err error) (int, bool) {
	const marker = "exit status "
	msg := err.Error()
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return 0, false
	}
	code, convErr := strconv.Atoi(msg[i+len(marker):])
	return code, convErr == nil && code > 0 && code < 256
}
