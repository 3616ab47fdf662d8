package localcluster

import (
	"bufio"
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
)

// runningPod creates a pod on the first plain node and waits until kwok
// runs it.
func runningPod(t *testing.T, cs kubernetes.Interface, ns string) string {
	t.Helper()
	_, plain := nodeNames(2, 1)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "talker", Namespace: ns},
		Spec: corev1.PodSpec{
			NodeName:   plain[0],
			Containers: []corev1.Container{{Name: "main", Image: "example.com/talker:1"}},
		},
	}
	if _, err := cs.CoreV1().Pods(ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, waitTimeout, true, func(ctx context.Context) (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning, nil
	})
	if err != nil {
		t.Fatalf("pod never ran: %v", err)
	}
	return pod.Name
}

func readLog(ctx context.Context, cs kubernetes.Interface, ns, pod string, opts corev1.PodLogOptions) (string, error) {
	b, err := cs.CoreV1().Pods(ns).GetLogs(pod, &opts).DoRaw(ctx)
	return string(b), err
}

// TestPodLogsGoThroughTheAPIServer reads a pod's logs the way any client
// does (pods/log on the API server, which asks kwok's kubelet server): the
// demo lines, a test's own file, a line appended while following, and the
// previous container's lines.
func TestPodLogsGoThroughTheAPIServer(t *testing.T) {
	cs := adminClientset(t)
	ns := newNamespace(t, cs)
	pod := runningPod(t, cs, ns)
	ctx := t.Context()

	got, err := readLog(ctx, cs, ns, pod, corev1.PodLogOptions{})
	if err != nil {
		t.Fatalf("read the demo logs: %v", err)
	}
	if !strings.Contains(got, "Listening on :8080") {
		t.Errorf("demo logs = %q, want the demo lines", got)
	}

	dir := t.TempDir()
	file, previous := filepath.Join(dir, "current.log"), filepath.Join(dir, "previous.log")
	start := time.Now()
	if err := AppendPodLog(file, start, "first line", "second line"); err != nil {
		t.Fatal(err)
	}
	if err := AppendPodLog(previous, start.Add(-time.Hour), "why it crashed"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.ServePodLogs(ctx, ns, pod, PodLogFiles{File: file, Previous: previous}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err = readLog(ctx, cs, ns, pod, corev1.PodLogOptions{})
		return err == nil && got == "first line\nsecond line\n", nil
	})
	if err != nil {
		t.Fatalf("logs never came from the test's file: last %q", got)
	}
	got, err = readLog(ctx, cs, ns, pod, corev1.PodLogOptions{Previous: true})
	if err != nil || got != "why it crashed\n" {
		t.Errorf("previous logs = %q, %v; want the previous file's line", got, err)
	}

	follow, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	stream, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Follow: true, Timestamps: true}).Stream(follow)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	lines := bufio.NewScanner(stream)
	for range 2 {
		if !lines.Scan() {
			t.Fatalf("follow ended early: %v", lines.Err())
		}
	}
	written := time.Now()
	if err := AppendPodLog(file, written, "appended while following"); err != nil {
		t.Fatal(err)
	}
	if !lines.Scan() {
		t.Fatalf("follow ended before the appended line: %v", lines.Err())
	}
	if !strings.HasSuffix(lines.Text(), " appended while following") {
		t.Errorf("followed line = %q", lines.Text())
	}
	t.Logf("appended line reached the follower in %v", time.Since(written))
}

// TestExecGoesThroughTheAPIServer runs a command in a pod over the API
// server's exec stream, with client-go's WebSocket executor.
func TestExecGoesThroughTheAPIServer(t *testing.T) {
	cs := adminClientset(t)
	ns := newNamespace(t, cs)
	pod := runningPod(t, cs, ns)

	req := cs.CoreV1().RESTClient().Post().Resource("pods").Namespace(ns).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: "main",
			Command:   []string{"sh", "-c", "echo hello-$((1+2)); echo oops >&2"},
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)
	exec, err := remotecommand.NewWebSocketExecutor(cluster.AdminConfig(), "GET", req.URL().String())
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr}); err != nil {
		t.Fatalf("exec: %v (stderr %q)", err, stderr.String())
	}
	if stdout.String() != "hello-3\n" || stderr.String() != "oops\n" {
		t.Errorf("exec stdout %q stderr %q; want hello-3 and oops", stdout.String(), stderr.String())
	}
}
