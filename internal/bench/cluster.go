package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubedeck/kubedeck/deploy/rbac"
	"github.com/kubedeck/kubedeck/kube/localcluster"
)

// podsPerNamespace is how many pods each benchmark namespace holds:
// 10,000 pods make 100 namespaces, 100,000 make 1,000.
const podsPerNamespace = 100

// benchGroup is the group every benchmark user is in; it may read
// everything (the built-in view role, cluster-wide).
const benchGroup = "kubedeck-bench"

// cluster is the local cluster with the clients the benchmark uses.
type cluster struct {
	c *localcluster.Cluster
	// fast creates pods: protobuf, and a client rate limit far above what
	// the API server takes.
	fast kubernetes.Interface
	// kubectl lists as `kubectl get pods -A -o json` does: JSON.
	kubectl kubernetes.Interface
	nodes   []string
	// kubeconfig is where Kubedeck's server reads its own identity.
	kubeconfig string
}

// startCluster starts the local cluster, gives Kubedeck's server identity
// the chart's RBAC and the benchmark group the view role.
func startCluster(ctx context.Context) (*cluster, error) {
	lc, err := localcluster.Start(ctx, localcluster.Options{})
	if err != nil {
		return nil, err
	}
	cl := &cluster{c: lc}
	if err := cl.prepare(ctx); err != nil {
		return nil, errors.Join(err, lc.Stop())
	}
	return cl, nil
}

func (cl *cluster) prepare(ctx context.Context) error {
	fastCfg := cl.c.AdminConfig()
	fastCfg.QPS, fastCfg.Burst = 20000, 20000
	fastCfg.ContentType = "application/vnd.kubernetes.protobuf"
	var err error
	if cl.fast, err = kubernetes.NewForConfig(fastCfg); err != nil {
		return err
	}
	if cl.kubectl, err = kubernetes.NewForConfig(cl.c.AdminConfig()); err != nil {
		return err
	}
	nodes, err := cl.fast.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, n := range nodes.Items {
		cl.nodes = append(cl.nodes, n.Name)
	}
	server := rbacv1.Subject{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: localcluster.ServerUser}
	if err := rbac.Grant(ctx, cl.fast, server); err != nil {
		return fmt.Errorf("grant Kubedeck's RBAC: %w", err)
	}
	view := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: benchGroup + "-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: benchGroup}},
	}
	if _, err := cl.fast.RbacV1().ClusterRoleBindings().Create(ctx, view, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	cl.kubeconfig = filepath.Join(cl.c.Dir(), "kubedeck.kubeconfig")
	return cl.c.WriteKubeconfig(cl.kubeconfig, localcluster.ServerUser)
}

func (cl *cluster) stop() error { return cl.c.Stop() }

// namespaceName and podName name the benchmark's objects: pod i lives in
// namespace i/podsPerNamespace.
func namespaceName(n int) string { return fmt.Sprintf("bench-%04d", n) }
func podName(i int) string       { return fmt.Sprintf("pod-%06d", i) }

// grow creates pods from (counted from 0) up to to, and their namespaces,
// with workers requests in flight. The pods are bound to the nodes already
// (kwok then marks them Running), so the scheduler has nothing to do.
func (cl *cluster) grow(ctx context.Context, from, to, workers int) error {
	firstNS := (from + podsPerNamespace - 1) / podsPerNamespace
	lastNS := (to + podsPerNamespace - 1) / podsPerNamespace
	err := parallel(ctx, workers, firstNS, lastNS, func(ctx context.Context, n int) error {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(n), Labels: map[string]string{"kubedeck-bench": "true"}}}
		_, err := cl.fast.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create namespaces: %w", err)
	}
	err = parallel(ctx, workers, from, to, func(ctx context.Context, i int) error {
		p := benchPod(i, cl.nodes[i%len(cl.nodes)])
		_, err := cl.fast.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create pods: %w", err)
	}
	return nil
}

// benchPod is the i-th benchmark pod, bound to node.
func benchPod(i int, node string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:      podName(i),
			Namespace: namespaceName(i / podsPerNamespace),
			Labels: map[string]string{
				"app":  fmt.Sprintf("app-%d", i%50),
				"tier": []string{"web", "api", "worker"}[i%3],
			},
		},
		Spec: corev1.PodSpec{
			NodeName:   node,
			Containers: []corev1.Container{{Name: "main", Image: "nginx:1.27"}},
		},
	}
}

// parallel calls do for every i in [from, to) from workers goroutines and
// returns the first error, after which it stops handing out work.
func parallel(ctx context.Context, workers, from, to int, do func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				if err := do(ctx, i); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// directList times lists of every pod straight from the API server, as
// `kubectl get pods -A -o json` makes it (JSON, decoded), and checks that
// each holds at least want pods.
func (cl *cluster) directList(ctx context.Context, runs, want int) ([]time.Duration, error) {
	var ds []time.Duration
	for range runs {
		start := time.Now()
		list, err := cl.kubectl.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		ds = append(ds, time.Since(start))
		if len(list.Items) < want {
			return nil, fmt.Errorf("direct list: %d pods, want at least %d", len(list.Items), want)
		}
	}
	return ds, nil
}
