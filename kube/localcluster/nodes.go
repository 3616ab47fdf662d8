package localcluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// GPUResource is the extended resource that GPU nodes advertise.
const GPUResource corev1.ResourceName = "nvidia.com/gpu"

// GPULabel is set to "true" on the nodes that advertise GPUs.
const GPULabel = "nvidia.com/gpu.present"

// gpusPerNode is how many GPUs each GPU node advertises.
const gpusPerNode = 4

// nodeNames returns the names of the cluster's nodes: first the GPU nodes,
// then the plain ones.
func nodeNames(nodes, gpuNodes int) (gpu, plain []string) {
	for i := range gpuNodes {
		gpu = append(gpu, fmt.Sprintf("kwok-gpu-node-%d", i))
	}
	for i := range nodes - gpuNodes {
		plain = append(plain, fmt.Sprintf("kwok-node-%d", i))
	}
	return gpu, plain
}

// newNode returns a fake node with room for ordinary workloads, and with
// GPUs when gpu is set. kwok, managing all nodes, keeps it Ready and fills
// in the rest of its status.
func newNode(name, ip string, gpu bool) *corev1.Node {
	labels := map[string]string{
		"kubernetes.io/hostname": name,
		"kubernetes.io/os":       "linux",
		"kubernetes.io/arch":     "amd64",
		"type":                   "kwok",
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("16"),
		corev1.ResourceMemory: resource.MustParse("64Gi"),
		corev1.ResourcePods:   resource.MustParse("110"),
	}
	if gpu {
		labels[GPULabel] = "true"
		capacity[GPUResource] = *resource.NewQuantity(gpusPerNode, resource.DecimalSI)
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Labels:      labels,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
		},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity.DeepCopy(),
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: ip},
				{Type: corev1.NodeHostName, Address: name},
				// Where the API server reaches kwok's kubelet server.
				{Type: kubeletAddressType, Address: "127.0.0.1"},
			},
		},
	}
}

// nodeIP returns the InternalIP of the i-th node, in a range apart from the
// service and pod ranges.
func nodeIP(i int) string {
	return fmt.Sprintf("10.1.%d.%d", i/250, i%250+1)
}

// createNodes creates the cluster's Node objects, keeping any that exist.
func createNodes(ctx context.Context, cs kubernetes.Interface, nodes, gpuNodes int) error {
	gpu, plain := nodeNames(nodes, gpuNodes)
	all := make([]*corev1.Node, 0, nodes)
	for _, name := range gpu {
		all = append(all, newNode(name, nodeIP(len(all)), true))
	}
	for _, name := range plain {
		all = append(all, newNode(name, nodeIP(len(all)), false))
	}
	for _, n := range all {
		_, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create node %s: %w", n.Name, err)
		}
	}
	return nil
}

// nodesReady reports whether all want nodes exist and are Ready.
func nodesReady(ctx context.Context, cs kubernetes.Interface, want int) (bool, error) {
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err
	}
	ready := 0
	for _, n := range list.Items {
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	return ready >= want, nil
}
