package shared

import (
	"errors"
	"fmt"
	"strings"
)

// DeploymentSpec is the deployment wizard's form, and the JSON body of
// POST /api/v1/deployments and POST /api/v1/deployments/validate (scripts
// send it too). Kubedeck turns a valid spec into a Deployment, a Service
// when it is exposed and an Ingress when it is exposed outside the cluster.
// Validate checks it the same way in the browser, on every keystroke, and
// on the server.
type DeploymentSpec struct {
	// Name names the Deployment, its Service and its Ingress.
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Image is a container image reference: "nginx", "reg:5000/a/b:1.2",
	// "b@sha256:…".
	Image string `json:"image"`
	// PullSecret names a Secret of type kubernetes.io/dockerconfigjson in
	// the namespace, for a private registry.
	PullSecret string `json:"pullSecret,omitempty"`
	// Port is the port the container listens on; 0 means none, which only
	// an app that is not exposed may have.
	Port     int      `json:"port,omitempty"`
	Replicas int      `json:"replicas"`
	Exposure Exposure `json:"exposure"`
	// The resources, as Kubernetes quantities ("250m", "1", "512Mi"); empty
	// means unset.
	CPURequest    string `json:"cpuRequest,omitempty"`
	CPULimit      string `json:"cpuLimit,omitempty"`
	MemoryRequest string `json:"memoryRequest,omitempty"`
	MemoryLimit   string `json:"memoryLimit,omitempty"`
	// GPU is the number of GPUs; 0 means none.
	GPU     int      `json:"gpu,omitempty"`
	Command []string `json:"command,omitempty"`
	Args    []string `json:"args,omitempty"`
	Env     []EnvVar `json:"env,omitempty"`
	Volumes []Volume `json:"volumes,omitempty"`
}

// Exposure is who can reach a deployed app.
type Exposure string

// The exposures, from the most closed.
const (
	// ExposeNone: no Service; only the Pods exist.
	ExposeNone Exposure = "none"
	// ExposeInternal: a Service, reachable inside the cluster.
	ExposeInternal Exposure = "internal"
	// ExposePrivate: a Service and an Ingress that requires sign-in through
	// the platform's proxy.
	ExposePrivate Exposure = "private"
	// ExposePublic: a Service and an Ingress anyone can reach.
	ExposePublic Exposure = "public"
)

// Exposures lists the exposures, in the order the wizard offers them.
var Exposures = []Exposure{ExposeNone, ExposeInternal, ExposePrivate, ExposePublic}

// External says whether the exposure has an Ingress.
func (e Exposure) External() bool { return e == ExposePrivate || e == ExposePublic }

// Exposed says whether the exposure has a Service.
func (e Exposure) Exposed() bool { return e == ExposeInternal || e.External() }

// EnvVar is one environment variable: a plain Value, or the value of a key
// of a Secret or a ConfigMap in the namespace (exactly one of the three).
type EnvVar struct {
	Name            string  `json:"name"`
	Value           string  `json:"value,omitempty"`
	SecretKeyRef    *KeyRef `json:"secretKeyRef,omitempty"`
	ConfigMapKeyRef *KeyRef `json:"configMapKeyRef,omitempty"`
}

// KeyRef names one key of a Secret or a ConfigMap.
type KeyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// VolumeType is what a volume mounts.
type VolumeType string

// The volume types.
const (
	// VolumePVC mounts one of the user's PersistentVolumeClaims (Claim).
	VolumePVC VolumeType = "pvc"
	// VolumeSharedPVC mounts the platform's shared claim (its name comes
	// from the cluster's configuration, DeploymentConfig.SharedPVC).
	VolumeSharedPVC VolumeType = "sharedPvc"
	// VolumeSSOToken mounts the user's sign-in token Secret, read-only (its
	// name comes from DeploymentConfig.SSOTokenSecret).
	VolumeSSOToken VolumeType = "ssoToken"
)

// VolumeTypes lists the volume types.
var VolumeTypes = []VolumeType{VolumePVC, VolumeSharedPVC, VolumeSSOToken}

// Volume is one volume mounted into the container at MountPath.
type Volume struct {
	Type VolumeType `json:"type"`
	// Claim names the PersistentVolumeClaim of a VolumePVC.
	Claim     string `json:"claim,omitempty"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly,omitempty"`
}

// DeploymentConfig is the part of the cluster's deployment defaults the
// wizard needs (GET /api/v1/deployments/config): the limits Validate checks,
// how hosts are made, and the presets. The server's side of the same
// configuration (the Ingress class, TLS, sign-in annotations) stays on the
// server.
type DeploymentConfig struct {
	// Domain is the Ingress domain; without one no app can be exposed
	// outside the cluster.
	Domain string `json:"domain,omitempty"`
	// HostTemplate makes an app's host from "{name}", "{namespace}" and
	// "{domain}".
	HostTemplate string `json:"hostTemplate"`
	// Private says whether private exposure (an Ingress behind sign-in) is
	// configured.
	Private     bool `json:"private"`
	MaxReplicas int  `json:"maxReplicas"`
	// GPUResource is the extended resource a GPU is ("nvidia.com/gpu");
	// MaxGPU is how many one app may ask for (0: GPUs are not offered).
	GPUResource string           `json:"gpuResource"`
	MaxGPU      int              `json:"maxGpu"`
	Presets     []ResourcePreset `json:"presets,omitempty"`
	// SharedPVC names the platform's shared claim, SSOTokenSecret the
	// user's sign-in token Secret; empty when the cluster has none.
	SharedPVC      string `json:"sharedPvc,omitempty"`
	SSOTokenSecret string `json:"ssoTokenSecret,omitempty"`
}

// ResourcePreset is a named set of requests and limits ("small").
type ResourcePreset struct {
	Name          string `json:"name"`
	CPURequest    string `json:"cpuRequest,omitempty"`
	CPULimit      string `json:"cpuLimit,omitempty"`
	MemoryRequest string `json:"memoryRequest,omitempty"`
	MemoryLimit   string `json:"memoryLimit,omitempty"`
}

// DefaultHostTemplate is the host of an exposed app when the cluster says
// nothing else. The app's name and its namespace are labels of their own:
// a template that joins them in one label ("{name}-{namespace}") gives
// "shop" in "team-web" and "shop-team" in "web" one host.
const DefaultHostTemplate = "{name}.{namespace}.{domain}"

// CheckHostTemplate says why a host template cannot keep apps' hosts
// apart, or nil when it can: it must hold "{name}" and "{namespace}" once
// each, in different labels (the parts between dots), because a name or
// namespace holds no dot but may hold "-", so only a dot between them
// makes every pair's host its own.
func CheckHostTemplate(t string) error {
	if strings.Count(t, "{name}") != 1 || strings.Count(t, "{namespace}") != 1 {
		return errors.New("a host template must hold {name} and {namespace} once each, or two apps could be given one host")
	}
	for _, label := range strings.Split(t, ".") {
		if strings.Contains(label, "{name}") && strings.Contains(label, "{namespace}") {
			return fmt.Errorf("the host template %q puts {name} and {namespace} in one label (%q), so \"shop\" in \"team-web\" and \"shop-team\" in \"web\" would get one host: separate them with a dot, as in {name}.{namespace}.{domain}", t, label)
		}
	}
	return nil
}

// DefaultDeploymentConfig is the configuration of a cluster that configured
// nothing: no domain (so no external exposure), at most 50 replicas, no
// GPUs, three presets.
func DefaultDeploymentConfig() DeploymentConfig {
	return DeploymentConfig{
		HostTemplate: DefaultHostTemplate,
		MaxReplicas:  50,
		GPUResource:  "nvidia.com/gpu",
		Presets: []ResourcePreset{
			{Name: "small", CPURequest: "250m", CPULimit: "500m", MemoryRequest: "256Mi", MemoryLimit: "512Mi"},
			{Name: "medium", CPURequest: "500m", CPULimit: "1", MemoryRequest: "1Gi", MemoryLimit: "2Gi"},
			{Name: "large", CPURequest: "2", CPULimit: "4", MemoryRequest: "4Gi", MemoryLimit: "8Gi"},
		},
	}
}

// Host is the host of app name in namespace: the template with its
// placeholders filled.
func (c DeploymentConfig) Host(name, namespace string) string {
	return replacePlaceholders(c.HostTemplate, map[string]string{
		"{name}": name, "{namespace}": namespace, "{domain}": c.Domain,
	})
}

// replacePlaceholders replaces each key of vars in s, left to right, never
// inside a value already put in.
func replacePlaceholders(s string, vars map[string]string) string {
	var out []byte
	for i := 0; i < len(s); {
		done := false
		if s[i] == '{' {
			for k, v := range vars {
				if len(s)-i >= len(k) && s[i:i+len(k)] == k {
					out = append(out, v...)
					i += len(k)
					done = true
					break
				}
			}
		}
		if !done {
			out = append(out, s[i])
			i++
		}
	}
	return string(out)
}

// DeploymentDetails is the data of GET /api/v1/deployments/{name}: the
// spec as submitted, the objects made from it, its Pods and recent events.
type DeploymentDetails struct {
	App     DeployedApp     `json:"app"`
	Spec    *DeploymentSpec `json:"spec,omitempty"`
	Objects []Row           `json:"objects"`
	Pods    []Row           `json:"pods"`
	Events  []ObjectEvent   `json:"events"`
}

// DeployedApp is one of the user's Kubedeck-managed apps, as
// GET /api/v1/deployments lists them.
type DeployedApp struct {
	Name      string             `json:"name"`
	Namespace string             `json:"namespace"`
	Image     string             `json:"image"`
	Exposure  Exposure           `json:"exposure"`
	URL       string             `json:"url,omitempty"`
	Owner     string             `json:"owner"`
	Created   string             `json:"created,omitempty"`
	Progress  DeploymentProgress `json:"progress"`
}
