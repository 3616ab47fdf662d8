package localcluster

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// DemoLabel and DemoValue mark every object Seed creates.
const (
	DemoLabel = "app.kubernetes.io/part-of"
	DemoValue = "kubedeck-demo"
)

// DemoNamespaces are the namespaces Seed creates.
func DemoNamespaces() []string { return []string{"team-ml", "team-web", "demo"} }

// creator is the Create method every typed client has.
type creator[T metav1.Object] interface {
	Create(ctx context.Context, obj T, opts metav1.CreateOptions) (T, error)
}

// ensure creates obj unless an object of that name exists.
func ensure[T metav1.Object](ctx context.Context, c creator[T], obj T) error {
	_, err := c.Create(ctx, obj, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("seed %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	return nil
}

// Seed fills a cluster with a small, realistic demo for `make run`: three
// namespaces with healthy and failing Deployments, a StatefulSet, a
// DaemonSet, Services of each type, ConfigMaps, Secrets, PersistentVolumes
// with claims bound to them and one claim left unbound, and a GPU workload.
// Objects that exist are left as they are, so Seed can run again.
func Seed(ctx context.Context, cs kubernetes.Interface) error {
	core, apps := cs.CoreV1(), cs.AppsV1()
	for _, ns := range DemoNamespaces() {
		if err := ensure(ctx, core.Namespaces(), &corev1.Namespace{ObjectMeta: demoMeta("", ns)}); err != nil {
			return err
		}
	}
	for _, d := range demoDeployments() {
		if err := ensure(ctx, apps.Deployments(d.Namespace), d); err != nil {
			return err
		}
	}
	if err := ensure(ctx, apps.StatefulSets("demo"), demoStatefulSet()); err != nil {
		return err
	}
	if err := ensure(ctx, apps.DaemonSets("demo"), demoDaemonSet()); err != nil {
		return err
	}
	for _, s := range demoServices() {
		if err := ensure(ctx, core.Services(s.Namespace), s); err != nil {
			return err
		}
	}
	for _, cm := range demoConfigMaps() {
		if err := ensure(ctx, core.ConfigMaps(cm.Namespace), cm); err != nil {
			return err
		}
	}
	for _, s := range demoSecrets() {
		if err := ensure(ctx, core.Secrets(s.Namespace), s); err != nil {
			return err
		}
	}
	pvs, pvcs := demoVolumes()
	for _, pv := range pvs {
		if err := ensure(ctx, core.PersistentVolumes(), pv); err != nil {
			return err
		}
	}
	for _, pvc := range pvcs {
		if err := ensure(ctx, core.PersistentVolumeClaims(pvc.Namespace), pvc); err != nil {
			return err
		}
	}
	return nil
}

func demoMeta(namespace, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: map[string]string{DemoLabel: DemoValue}}
}

// podTemplate is a one-container pod running image with small requests
// (and limits, which extended resources such as GPUs need).
func podTemplate(app, image string, limits corev1.ResourceList) corev1.PodTemplateSpec {
	requests := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("100m"),
		corev1.ResourceMemory: resource.MustParse("128Mi"),
	}
	for k, v := range limits {
		requests[k] = v
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app, DemoLabel: DemoValue}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name:      app,
			Image:     image,
			Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits},
		}}},
	}
}

func demoDeployments() []*appsv1.Deployment {
	gpu := corev1.ResourceList{GPUResource: resource.MustParse("1")}
	specs := []struct {
		namespace, name, image string
		replicas               int32
		limits                 corev1.ResourceList
	}{
		{"team-web", "web-frontend", "nginx:1.27", 3, nil},
		{"team-web", "api", "registry.example.com/kubedeck-demo/api:1.4.2", 2, nil},
		{"demo", "broken-image", "registry.example.com/kubedeck-demo/fail-pull:missing", 1, nil},
		{"demo", "crashy-worker", "registry.example.com/kubedeck-demo/crashloop-worker:2.0", 1, nil},
		{"team-ml", "trainer", "registry.example.com/kubedeck-demo/trainer:cuda12", 1, gpu},
	}
	out := make([]*appsv1.Deployment, 0, len(specs))
	for _, s := range specs {
		out = append(out, &appsv1.Deployment{
			ObjectMeta: demoMeta(s.namespace, s.name),
			Spec: appsv1.DeploymentSpec{
				Replicas: &s.replicas,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": s.name}},
				Template: podTemplate(s.name, s.image, s.limits),
			},
		})
	}
	return out
}

func demoStatefulSet() *appsv1.StatefulSet {
	replicas := int32(2)
	return &appsv1.StatefulSet{
		ObjectMeta: demoMeta("demo", "postgres"),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    &replicas,
			ServiceName: "postgres",
			Selector:    &metav1.LabelSelector{MatchLabels: map[string]string{"app": "postgres"}},
			Template:    podTemplate("postgres", "postgres:16", nil),
		},
	}
}

func demoDaemonSet() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: demoMeta("demo", "node-exporter"),
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "node-exporter"}},
			Template: podTemplate("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2", nil),
		},
	}
}

func demoServices() []*corev1.Service {
	svc := func(namespace, name string, typ corev1.ServiceType, port int32) *corev1.Service {
		return &corev1.Service{
			ObjectMeta: demoMeta(namespace, name),
			Spec: corev1.ServiceSpec{
				Type:     typ,
				Selector: map[string]string{"app": name},
				Ports:    []corev1.ServicePort{{Name: "main", Port: port, TargetPort: intstr.FromInt32(port)}},
			},
		}
	}
	headless := svc("demo", "postgres", corev1.ServiceTypeClusterIP, 5432)
	headless.Spec.ClusterIP = corev1.ClusterIPNone
	return []*corev1.Service{
		svc("team-web", "web-frontend", corev1.ServiceTypeLoadBalancer, 80),
		svc("team-web", "api", corev1.ServiceTypeNodePort, 8080),
		svc("team-ml", "trainer", corev1.ServiceTypeClusterIP, 6006),
		headless,
	}
}

func demoConfigMaps() []*corev1.ConfigMap {
	web := &corev1.ConfigMap{ObjectMeta: demoMeta("team-web", "web-frontend-config"), Data: map[string]string{
		"nginx.conf": "server {\n  listen 80;\n  location / { root /usr/share/nginx/html; }\n}\n",
		"FEATURES":   "dark-mode,new-checkout",
	}}
	ml := &corev1.ConfigMap{ObjectMeta: demoMeta("team-ml", "trainer-config"), Data: map[string]string{
		"EPOCHS":        "40",
		"BATCH_SIZE":    "256",
		"LEARNING_RATE": "0.0003",
	}}
	return []*corev1.ConfigMap{web, ml}
}

func demoSecrets() []*corev1.Secret {
	api := &corev1.Secret{ObjectMeta: demoMeta("team-web", "api-credentials"), Type: corev1.SecretTypeOpaque,
		StringData: map[string]string{
			"DATABASE_URL": "postgres://demo:not-a-real-password@postgres.demo:5432/shop",
			"API_KEY":      "fake-demo-api-key-0000",
		}}
	ml := &corev1.Secret{ObjectMeta: demoMeta("team-ml", "registry-token"), Type: corev1.SecretTypeOpaque,
		StringData: map[string]string{
			"username": "demo-robot",
			"token":    "fake-demo-token-1111",
		}}
	return []*corev1.Secret{api, ml}
}

// demoVolumes returns hostPath volumes of the "manual" storage class, each
// reserved for a claim, the claims naming them, and one claim no volume
// fits, which stays Pending.
func demoVolumes() ([]*corev1.PersistentVolume, []*corev1.PersistentVolumeClaim) {
	const class = "manual"
	claim := func(namespace, name, size, volume string) *corev1.PersistentVolumeClaim {
		c := class
		return &corev1.PersistentVolumeClaim{
			ObjectMeta: demoMeta(namespace, name),
			Spec: corev1.PersistentVolumeClaimSpec{
				StorageClassName: &c,
				VolumeName:       volume,
				AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				Resources: corev1.VolumeResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
				},
			},
		}
	}
	volume := func(name, size string, pvc *corev1.PersistentVolumeClaim) *corev1.PersistentVolume {
		return &corev1.PersistentVolume{
			ObjectMeta: demoMeta("", name),
			Spec: corev1.PersistentVolumeSpec{
				StorageClassName:              class,
				Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
				AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
				PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
				PersistentVolumeSource: corev1.PersistentVolumeSource{
					HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/kubedeck-demo/" + name},
				},
				ClaimRef: &corev1.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1",
					Namespace: pvc.Namespace, Name: pvc.Name},
			},
		}
	}
	data := claim("team-ml", "training-data", "10Gi", "demo-pv-training-data")
	uploads := claim("team-web", "uploads", "2Gi", "demo-pv-uploads")
	unbound := claim("demo", "scratch", "50Gi", "")
	pvs := []*corev1.PersistentVolume{
		volume("demo-pv-training-data", "10Gi", data),
		volume("demo-pv-uploads", "2Gi", uploads),
	}
	return pvs, []*corev1.PersistentVolumeClaim{data, uploads, unbound}
}
