package localcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// kwok plays each node's kubelet server too: the API server reaches it at
// the node's ExternalIP (127.0.0.1) and its kubeletEndpoint port, so a pod's
// logs (pods/log) and exec (pods/exec) go through the API server's real
// streams, authorized as the caller.
//
// Logs come from files in CRI format ("<RFC3339Nano> stdout F <line>"):
// every pod gets the demo files of the cluster's ClusterLogs, unless a
// per-pod Logs object (ServePodLogs) names its own. Exec runs the command on
// this machine, as the cluster's user, in a sandbox directory: the fake
// containers have no file system of their own.

// kubeletAddressType is the node address the API server dials kwok at.
const kubeletAddressType = "ExternalIP"

// kwokLogsCRDFile is the Logs CRD's manifest, which tools/build.sh copies
// from kwok's module into BinDir/crds.
const kwokLogsCRDFile = "kwok.x-k8s.io_logs.yaml"

// crdResource is where CRDs are created.
var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installLogsCRD creates kwok's Logs CRD, which kwok watches but does not
// install itself.
func installLogsCRD(ctx context.Context, cfg *rest.Config, binDir string) error {
	data, err := os.ReadFile(filepath.Join(binDir, "crds", kwokLogsCRDFile))
	if err != nil {
		return fmt.Errorf("read kwok's Logs CRD: %w", err)
	}
	var crd map[string]any
	if err := yaml.Unmarshal(data, &crd); err != nil {
		return fmt.Errorf("kwok's Logs CRD: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	_, err = dyn.Resource(crdResource).Create(ctx, &unstructured.Unstructured{Object: crd}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("install kwok's Logs CRD: %w", err)
	}
	return nil
}

// kwokLogsResource is kwok's per-pod Logs, enabled as a CRD so that tests
// can point one pod's logs at their own files while the cluster runs.
var kwokLogsResource = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "logs"}

// debugFiles are the files of kwok's cluster-wide logs and exec.
type debugFiles struct {
	logs, previousLogs, execDir string
}

func newDebugFiles(dir string) debugFiles {
	return debugFiles{
		logs:         filepath.Join(dir, "pod-logs", "current.log"),
		previousLogs: filepath.Join(dir, "pod-logs", "previous.log"),
		execDir:      filepath.Join(dir, "exec"),
	}
}

// write makes the demo log files and the exec sandbox.
func (f debugFiles) write(now time.Time) error {
	for _, d := range []string{filepath.Dir(f.logs), f.execDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	current := []string{
		"Starting the app (a container of the local cluster: kwok serves these lines).",
		"Listening on :8080",
		"GET /healthz 200",
	}
	previous := []string{
		"Starting the app (the previous container).",
		"panic: the previous container crashed (kwok serves these lines as its previous logs)",
	}
	if err := AppendPodLog(f.previousLogs, now.Add(-time.Minute), previous...); err != nil {
		return err
	}
	return AppendPodLog(f.logs, now, current...)
}

// config returns kwok's ClusterLogs and ClusterExec documents.
func (f debugFiles) config() ([][]byte, error) {
	follow := true
	docs := []map[string]any{
		{
			"apiVersion": "kwok.x-k8s.io/v1alpha1",
			"kind":       "ClusterLogs",
			"metadata":   map[string]any{"name": "kubedeck-demo-logs"},
			"spec": map[string]any{
				"logs": []any{map[string]any{"logsFile": f.logs, "previousLogsFile": f.previousLogs, "follow": follow}},
			},
		},
		{
			"apiVersion": "kwok.x-k8s.io/v1alpha1",
			"kind":       "ClusterExec",
			"metadata":   map[string]any{"name": "kubedeck-local-exec"},
			"spec": map[string]any{
				"execs": []any{map[string]any{"local": map[string]any{
					"workDir": f.execDir,
					"envs": []any{
						map[string]any{"name": "HOME", "value": f.execDir},
						map[string]any{"name": "TERM", "value": "xterm-256color"},
						map[string]any{"name": "PS1", "value": `\$ `},
					},
				}}},
			},
		},
	}
	out := make([][]byte, 0, len(docs))
	for _, d := range docs {
		b, err := yaml.Marshal(d)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// AppendPodLog appends lines to a log file in the CRI format kwok serves,
// stamped at (one nanosecond apart, so their order survives a merge).
func AppendPodLog(path string, at time.Time, lines ...string) error {
	var b strings.Builder
	for i, l := range lines {
		fmt.Fprintf(&b, "%s stdout F %s\n", at.Add(time.Duration(i)).UTC().Format(time.RFC3339Nano), l)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// PodLogFiles are the files one pod's containers log to.
type PodLogFiles struct {
	// Containers are the containers these files serve (none: all).
	Containers []string
	// File holds the current container's lines; Previous those of the
	// container before its last restart (optional).
	File, Previous string
}

// ServePodLogs makes kwok serve the pod's logs from files of the caller's
// (a Logs object named after the pod). kwok picks it up within moments;
// the caller polls the log until it answers from the files.
func (c *Cluster) ServePodLogs(ctx context.Context, namespace, pod string, files ...PodLogFiles) error {
	dyn, err := dynamic.NewForConfig(c.AdminConfig())
	if err != nil {
		return err
	}
	logs := make([]any, 0, len(files))
	for _, f := range files {
		l := map[string]any{"logsFile": f.File, "follow": true}
		if len(f.Containers) > 0 {
			cs := make([]any, len(f.Containers))
			for i, c := range f.Containers {
				cs[i] = c
			}
			l["containers"] = cs
		}
		if f.Previous != "" {
			l["previousLogsFile"] = f.Previous
		}
		logs = append(logs, l)
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "Logs",
		"metadata":   map[string]any{"name": pod, "namespace": namespace},
		"spec":       map[string]any{"logs": logs},
	}}
	_, err = dyn.Resource(kwokLogsResource).Namespace(namespace).Create(ctx, obj, metav1.CreateOptions{})
	return err
}
