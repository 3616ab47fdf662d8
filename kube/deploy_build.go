package kube

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/shared"
)

// DeployConfig is the cluster's configuration for deployed apps: the part
// the UI sees, and the server's own part.
type DeployConfig struct {
	shared.DeploymentConfig
	// IngressClass is the class of the apps' Ingresses; "" leaves it to the
	// cluster's default class.
	IngressClass string
	// TLSSecret names the Secret holding the certificate of the apps'
	// hosts; "" means the Ingresses have no TLS block and the apps are
	// served over plain HTTP.
	TLSSecret string
	// PrivateAnnotations are the sign-in annotations the Ingress of a
	// private app gets (for ingress-nginx, auth-url and auth-signin).
	PrivateAnnotations map[string]string
}

// The labels and annotations Kubedeck puts on what it creates.
const (
	LabelName         = "app.kubernetes.io/name"
	LabelManagedBy    = "app.kubernetes.io/managed-by"
	ManagedByKubedeck = "kubedeck"
	// LabelOwner holds the owner's name made a valid label value by
	// OwnerLabelValue, for selecting a user's apps.
	LabelOwner = "kubedeck.io/owner"
	// AnnotationOwner holds the owner's name as it is.
	AnnotationOwner = "kubedeck.io/owner"
	// AnnotationSpec holds the spec as submitted, as compact JSON; only the
	// Deployment has it.
	AnnotationSpec = "kubedeck.io/spec"
	// AnnotationExposure holds the app's exposure; only the Deployment has
	// it.
	AnnotationExposure = "kubedeck.io/exposure"
)

// DeploymentObjects are the objects made from one spec, in the order they
// are created.
type DeploymentObjects struct {
	Deployment *Object
	// Service is nil unless the app is exposed.
	Service *Object
	// Ingress is nil unless the app is exposed outside the cluster.
	Ingress *Object
	// Pod is a Pod of the Deployment's template, named by generateName
	// "<name>-dryrun-", for a dry run only: a ResourceQuota is charged to
	// Pods, so only a Pod's dry run shows the app would exceed it. It is
	// never created.
	Pod *Object
	// Host is the Ingress's host, "" when the app is not external.
	Host string
	// URL is where the app is reached, "https://<host>/" (http without a
	// TLS secret), "" when the app is not external.
	URL string
}

// Created lists the objects that are created, in order: the Deployment,
// then the Service and the Ingress when there are.
func (d DeploymentObjects) Created() []*Object {
	var out []*Object
	for _, o := range []*Object{d.Deployment, d.Service, d.Ingress} {
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}

// YAML is the created objects as one YAML stream, separated by "---"
// lines: exactly what will be created.
func (d DeploymentObjects) YAML() (string, error) {
	var docs []string
	for _, o := range d.Created() {
		y, err := o.YAML()
		if err != nil {
			return "", err
		}
		docs = append(docs, y)
	}
	return strings.Join(docs, "---\n"), nil
}

// BuildDeployment makes the objects of spec, deployed by owner (the user's
// name) on a cluster configured by cfg. spec must be valid (see
// shared.DeploymentSpec.Validate); what Validate cannot know, such as a
// quantity Kubernetes does not read or a missing ingress domain, fails
// with an error wrapping ErrInvalid.
func BuildDeployment(spec shared.DeploymentSpec, owner string, cfg DeployConfig) (DeploymentObjects, error) {
	var out DeploymentObjects
	if spec.Exposure.Exposed() && spec.Port <= 0 {
		return out, newError(ErrInvalid, "An exposed app needs the port it listens on.", nil)
	}
	if spec.Port < 0 || spec.Port > 65535 {
		return out, newError(ErrInvalid, fmt.Sprintf("The port %d is not between 1 and 65535.", spec.Port), nil)
	}
	if spec.Replicas < 0 || int64(spec.Replicas) > 1<<31-1 {
		return out, newError(ErrInvalid, fmt.Sprintf("%d replicas cannot be run.", spec.Replicas), nil)
	}
	if spec.Exposure.External() && cfg.Domain == "" {
		return out, newError(ErrInvalid, "No ingress domain is configured, so no app can be exposed outside the cluster.", nil)
	}

	selector := map[string]string{LabelName: spec.Name, LabelManagedBy: ManagedByKubedeck}
	labels := maps.Clone(selector)
	labels[LabelOwner] = OwnerLabelValue(owner)
	meta := func() metav1.ObjectMeta {
		return metav1.ObjectMeta{
			Name:        spec.Name,
			Namespace:   spec.Namespace,
			Labels:      maps.Clone(labels),
			Annotations: map[string]string{AnnotationOwner: owner},
		}
	}

	podSpec, err := buildPodSpec(spec, cfg)
	if err != nil {
		return out, err
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return out, fmt.Errorf("encode the spec of %q: %w", spec.Name, err)
	}
	dep := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta(),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(spec.Replicas)),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: maps.Clone(labels)},
				Spec:       podSpec,
			},
		},
	}
	dep.Annotations[AnnotationSpec] = string(specJSON)
	dep.Annotations[AnnotationExposure] = string(spec.Exposure)
	if out.Deployment, err = builtObject(dep); err != nil {
		return out, err
	}

	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: meta(),
		Spec:       *podSpec.DeepCopy(),
	}
	pod.Name, pod.GenerateName = "", spec.Name+"-dryrun-"
	if out.Pod, err = builtObject(pod); err != nil {
		return out, err
	}

	if !spec.Exposure.Exposed() {
		return out, nil
	}
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta(),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selector,
			Ports: []corev1.ServicePort{{
				Name:       "http",
				Protocol:   corev1.ProtocolTCP,
				Port:       80,
				TargetPort: intstr.FromString("http"),
			}},
		},
	}
	if out.Service, err = builtObject(svc); err != nil {
		return out, err
	}

	if !spec.Exposure.External() {
		return out, nil
	}
	ing, err := buildIngress(spec, meta(), cfg)
	if err != nil {
		return out, err
	}
	if out.Ingress, err = builtObject(ing); err != nil {
		return out, err
	}
	out.Host = ing.Spec.Rules[0].Host
	scheme := "http"
	if cfg.TLSSecret != "" {
		scheme = "https"
	}
	out.URL = scheme + "://" + out.Host + "/"
	return out, nil
}

// buildPodSpec is the spec of the app's Pods.
func buildPodSpec(spec shared.DeploymentSpec, cfg DeployConfig) (corev1.PodSpec, error) {
	c := corev1.Container{
		Name:    spec.Name,
		Image:   spec.Image,
		Command: spec.Command,
		Args:    spec.Args,
		// Not runAsNonRoot: many images run as root, and would not start.
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
	if spec.Port > 0 {
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: int32(spec.Port), Protocol: corev1.ProtocolTCP}}
		c.ReadinessProbe = &corev1.Probe{
			ProbeHandler:        corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}},
			InitialDelaySeconds: 2,
			PeriodSeconds:       5,
		}
	}
	for _, e := range spec.Env {
		v := corev1.EnvVar{Name: e.Name, Value: e.Value}
		switch {
		case e.SecretKeyRef != nil:
			v.Value = ""
			v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: e.SecretKeyRef.Name},
				Key:                  e.SecretKeyRef.Key,
			}}
		case e.ConfigMapKeyRef != nil:
			v.Value = ""
			v.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: e.ConfigMapKeyRef.Name},
				Key:                  e.ConfigMapKeyRef.Key,
			}}
		}
		c.Env = append(c.Env, v)
	}
	var err error
	if c.Resources, err = buildResources(spec, cfg); err != nil {
		return corev1.PodSpec{}, err
	}

	var ps corev1.PodSpec
	for i, v := range spec.Volumes {
		vol := corev1.Volume{Name: fmt.Sprintf("vol-%d", i)}
		mount := corev1.VolumeMount{Name: vol.Name, MountPath: v.MountPath, ReadOnly: v.ReadOnly}
		switch v.Type {
		case shared.VolumePVC:
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v.Claim, ReadOnly: v.ReadOnly}
		case shared.VolumeSharedPVC:
			if cfg.SharedPVC == "" {
				return corev1.PodSpec{}, newError(ErrInvalid, "No shared volume is configured on this cluster.", nil)
			}
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: cfg.SharedPVC, ReadOnly: v.ReadOnly}
		case shared.VolumeSSOToken:
			if cfg.SSOTokenSecret == "" {
				return corev1.PodSpec{}, newError(ErrInvalid, "No sign-in token Secret is configured on this cluster.", nil)
			}
			vol.Secret = &corev1.SecretVolumeSource{SecretName: cfg.SSOTokenSecret}
			mount.ReadOnly = true
		default:
			return corev1.PodSpec{}, newError(ErrInvalid, fmt.Sprintf("Volume %d has an unknown type %q.", i+1, v.Type), nil)
		}
		ps.Volumes = append(ps.Volumes, vol)
		c.VolumeMounts = append(c.VolumeMounts, mount)
	}
	ps.Containers = []corev1.Container{c}
	if spec.PullSecret != "" {
		ps.ImagePullSecrets = []corev1.LocalObjectReference{{Name: spec.PullSecret}}
	}
	return ps, nil
}

// buildResources is the container's requests and limits. A GPU is only a
// limit: Kubernetes requires an extended resource's request to equal its
// limit, and sets the request from the limit.
func buildResources(spec shared.DeploymentSpec, cfg DeployConfig) (corev1.ResourceRequirements, error) {
	var r corev1.ResourceRequirements
	for _, q := range []struct {
		list  *corev1.ResourceList
		name  corev1.ResourceName
		value string
		what  string
	}{
		{&r.Requests, corev1.ResourceCPU, spec.CPURequest, "CPU request"},
		{&r.Requests, corev1.ResourceMemory, spec.MemoryRequest, "memory request"},
		{&r.Limits, corev1.ResourceCPU, spec.CPULimit, "CPU limit"},
		{&r.Limits, corev1.ResourceMemory, spec.MemoryLimit, "memory limit"},
	} {
		if q.value == "" {
			continue
		}
		v, err := resource.ParseQuantity(q.value)
		if err != nil {
			return r, newError(ErrInvalid, fmt.Sprintf("The %s %q is not a Kubernetes quantity such as 500m or 1Gi.", q.what, q.value), err)
		}
		if *q.list == nil {
			*q.list = corev1.ResourceList{}
		}
		(*q.list)[q.name] = v
	}
	if spec.GPU > 0 {
		if cfg.GPUResource == "" {
			return r, newError(ErrInvalid, "GPUs are not offered on this cluster.", nil)
		}
		if r.Limits == nil {
			r.Limits = corev1.ResourceList{}
		}
		r.Limits[corev1.ResourceName(cfg.GPUResource)] = *resource.NewQuantity(int64(spec.GPU), resource.DecimalSI)
	}
	return r, nil
}

// buildIngress is the Ingress of an external app, whose metadata starts as
// meta.
func buildIngress(spec shared.DeploymentSpec, meta metav1.ObjectMeta, cfg DeployConfig) (*networkingv1.Ingress, error) {
	host := cfg.Host(spec.Name, spec.Namespace)
	if errs := validation.IsDNS1123Subdomain(host); len(errs) > 0 {
		return nil, newError(ErrInvalid, fmt.Sprintf("The app's host %q is not a valid DNS name; the cluster's ingress domain or host template is wrong.", host), nil)
	}
	if spec.Exposure == shared.ExposePrivate {
		own := meta.Annotations
		meta.Annotations = maps.Clone(cfg.PrivateAnnotations)
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		maps.Copy(meta.Annotations, own)
	}
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: meta,
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host: host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
					Paths: []networkingv1.HTTPIngressPath{{
						Path:     "/",
						PathType: ptr.To(networkingv1.PathTypePrefix),
						Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
							Name: spec.Name,
							Port: networkingv1.ServiceBackendPort{Number: 80},
						}},
					}},
				}},
			}},
		},
	}
	if cfg.IngressClass != "" {
		ing.Spec.IngressClassName = ptr.To(cfg.IngressClass)
	}
	if cfg.TLSSecret != "" {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{host}, SecretName: cfg.TLSSecret}}
	}
	return ing, nil
}

// builtObject converts a typed object the builder made into an Object,
// without the status the conversion leaves ("status: {}", or a Service's
// empty load balancer), which the builder never sets.
func builtObject(obj runtime.Object) (*Object, error) {
	o, err := objectOf(obj)
	if err != nil {
		return nil, err
	}
	delete(o.u.Object, "status")
	return o, nil
}

// ownerHashLen is the length of the hash OwnerLabelValue appends: 16
// base32 characters, 80 bits.
const ownerHashLen = 16

// ownerHash encodes the first 80 bits of a SHA-256 in lower-case base32,
// whose characters (a–z, 2–7) are all alphanumeric.
var ownerHash = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// OwnerLabelValue makes a user's name into a valid label value (at most 63
// characters of A–Z, a–z, 0–9, '.', '_' and '-', starting and ending with
// a letter or digit, or empty), one no other user's name gets:
//
//   - A name that is already a valid label value comes back unchanged,
//     unless it ends with what the rule below appends ('-' and 16
//     characters of a–z and 2–7); then it goes through that rule too.
//   - Any other name has each character outside A–Z, a–z, 0–9, '.', '_'
//     and '-' replaced by '-', is cut to its first 46 characters, loses
//     the characters that are not letters or digits at both ends, and gets
//     '-' and a hash of the whole name appended: the first 80 bits of its
//     SHA-256 in lower-case base32 (16 characters). When nothing is left
//     before the hash, "user" stands in.
//
// So "alice" stays "alice", and "alice@example.com" becomes
// "alice-example.com-" followed by the hash. Unchanged names never end the
// way changed ones do, so two names share a value only if their hashes
// collide.
func OwnerLabelValue(user string) string {
	if len(validation.IsValidLabelValue(user)) == 0 && !hasOwnerHash(user) {
		return user
	}
	var b strings.Builder
	for _, r := range user {
		if labelChar(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	prefix := b.String()
	const maxPrefix = validation.LabelValueMaxLength - 1 - ownerHashLen
	if len(prefix) > maxPrefix {
		prefix = prefix[:maxPrefix]
	}
	prefix = strings.TrimFunc(prefix, func(r rune) bool { return !alphanumeric(r) })
	if prefix == "" {
		prefix = "user"
	}
	sum := sha256.Sum256([]byte(user))
	return prefix + "-" + ownerHash.EncodeToString(sum[:10])
}

// hasOwnerHash says whether s ends the way OwnerLabelValue's changed
// values do.
func hasOwnerHash(s string) bool {
	if len(s) < ownerHashLen+1 || s[len(s)-ownerHashLen-1] != '-' {
		return false
	}
	for _, r := range s[len(s)-ownerHashLen:] {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// labelChar says whether r may appear in a label value.
func labelChar(r rune) bool { return alphanumeric(r) || r == '.' || r == '_' || r == '-' }

// alphanumeric says whether r is an ASCII letter or digit.
func alphanumeric(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
