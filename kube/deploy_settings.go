package kube

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/shared"
)

// DeploySettings is the cluster's configuration for apps the wizard
// deploys: the flags' values as a base, and over them the keys of a
// ConfigMap (--cluster-config namespace/name), watched, so a change applies
// without a restart. Safe for concurrent use.
type DeploySettings struct {
	base DeployConfig
	log  *slog.Logger

	mu  sync.RWMutex
	cur DeployConfig
}

// NewDeploySettings starts from base, the flags' configuration.
func NewDeploySettings(base DeployConfig, log *slog.Logger) *DeploySettings {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base.Private = len(base.PrivateAnnotations) > 0
	return &DeploySettings{base: base, log: log, cur: base}
}

// Current is the configuration in force.
func (s *DeploySettings) Current() DeployConfig {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cur
}

// apply sets the configuration from a ConfigMap's data (nil: the ConfigMap
// is gone, so the base applies) and logs the keys it refused.
func (s *DeploySettings) apply(data map[string]string) {
	cfg, problems := ParseDeployConfigMap(s.base, data)
	for _, p := range problems {
		s.log.Warn("cluster config: key ignored", "err", p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = cfg
}

// Watch follows ConfigMap namespace/name with client (Kubedeck's own
// credentials: the configuration is the platform's, not a user's) until
// ctx ends. It returns once the first state is known, or with an error
// after wait (the watch goes on, and applies the ConfigMap when it can).
func (s *DeploySettings) Watch(ctx context.Context, client kubernetes.Interface, namespace, name string, wait time.Duration) error {
	f := informers.NewSharedInformerFactoryWithOptions(client, 10*time.Minute,
		informers.WithNamespace(namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
		}))
	inf := f.Core().V1().ConfigMaps().Informer()
	update := func(obj any) {
		if cm, ok := obj.(*corev1.ConfigMap); ok && cm.Name == name {
			s.apply(cm.Data)
		}
	}
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    update,
		UpdateFunc: func(_, obj any) { update(obj) },
		DeleteFunc: func(any) { s.apply(nil) },
	}); err != nil {
		return fmt.Errorf("watch cluster config: %w", err)
	}
	f.Start(ctx.Done())
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if !toolscache.WaitForCacheSync(wctx.Done(), inf.HasSynced) {
		return fmt.Errorf("ConfigMap %s/%s not read within %s (may Kubedeck's ServiceAccount list and watch it?)", namespace, name, wait)
	}
	return nil
}

// The ConfigMap's keys. Each is optional; a key that is missing, or whose
// value is refused, leaves the flag's value in force.
const (
	cfgDomain             = "domain"
	cfgIngressClass       = "ingressClass"
	cfgTLSSecret          = "tlsSecret"
	cfgHostTemplate       = "hostTemplate"
	cfgPrivateAnnotations = "privateAnnotations" // a YAML map
	cfgGPUResource        = "gpuResource"
	cfgMaxGPU             = "maxGpu"
	cfgMaxReplicas        = "maxReplicas"
	cfgPresets            = "presets" // a YAML list of {name, cpuRequest, cpuLimit, memoryRequest, memoryLimit}
	cfgSharedPVC          = "sharedPvc"
	cfgSSOTokenSecret     = "ssoTokenSecret"
)

// ParseDeployConfigMap lays a ConfigMap's data over base: each known key
// replaces base's value when it is valid, and each refused key (or unknown
// one) is named in the problems, with why.
func ParseDeployConfigMap(base DeployConfig, data map[string]string) (DeployConfig, []error) {
	cfg := base
	cfg.PrivateAnnotations = maps.Clone(base.PrivateAnnotations)
	cfg.Presets = slices.Clone(base.Presets)
	var problems []error
	refuse := func(key, why string) { problems = append(problems, fmt.Errorf("%s: %s", key, why)) }
	for _, key := range slices.Sorted(maps.Keys(data)) {
		v := strings.TrimSpace(data[key])
		switch key {
		case cfgDomain:
			if err := CheckResourceName("configmaps", v); v != "" && err != nil {
				refuse(key, err.Error())
				continue
			}
			cfg.Domain = v
		case cfgIngressClass, cfgTLSSecret, cfgSharedPVC, cfgSSOTokenSecret:
			if err := CheckResourceName("configmaps", v); v != "" && err != nil {
				refuse(key, err.Error())
				continue
			}
			*map[string]*string{cfgIngressClass: &cfg.IngressClass, cfgTLSSecret: &cfg.TLSSecret,
				cfgSharedPVC: &cfg.SharedPVC, cfgSSOTokenSecret: &cfg.SSOTokenSecret}[key] = v
		case cfgHostTemplate:
			if err := shared.CheckHostTemplate(v); err != nil || len(v) > 253 {
				msg := "must be at most 253 characters"
				if err != nil {
					msg = err.Error()
				}
				refuse(key, msg)
				continue
			}
			cfg.HostTemplate = v
		case cfgGPUResource:
			if errs := validation.IsQualifiedName(v); len(errs) > 0 || !strings.Contains(v, "/") {
				refuse(key, "must be an extended resource name such as nvidia.com/gpu")
				continue
			}
			cfg.GPUResource = v
		case cfgMaxGPU, cfgMaxReplicas:
			lo, hi := 0, 64
			p := &cfg.MaxGPU
			if key == cfgMaxReplicas {
				lo, hi, p = 1, 1000, &cfg.MaxReplicas
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				refuse(key, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
				continue
			}
			*p = n
		case cfgPrivateAnnotations:
			var ann map[string]string
			if err := yaml.UnmarshalStrict([]byte(v), &ann); err != nil {
				refuse(key, "must be a YAML map of strings: "+clip(err.Error()))
				continue
			}
			cfg.PrivateAnnotations = ann
		case cfgPresets:
			presets, err := parsePresets(v)
			if err != nil {
				refuse(key, err.Error())
				continue
			}
			cfg.Presets = presets
		default:
			refuse(key, "unknown key")
		}
	}
	cfg.Private = len(cfg.PrivateAnnotations) > 0
	return cfg, problems
}

// parsePresets reads the presets: a YAML list, each with a name and valid
// quantities, limits not below requests.
func parsePresets(v string) ([]shared.ResourcePreset, error) {
	var presets []shared.ResourcePreset
	if err := yaml.UnmarshalStrict([]byte(v), &presets); err != nil {
		return nil, fmt.Errorf("must be a YAML list of presets: %s", clip(err.Error()))
	}
	if len(presets) > 10 {
		return nil, fmt.Errorf("at most 10 presets")
	}
	for _, p := range presets {
		if p.Name == "" || len(p.Name) > 40 {
			return nil, fmt.Errorf("each preset needs a name of at most 40 characters")
		}
		spec := shared.DeploymentSpec{CPURequest: p.CPURequest, CPULimit: p.CPULimit, MemoryRequest: p.MemoryRequest, MemoryLimit: p.MemoryLimit}
		err := spec.Validate()
		for _, field := range []string{"cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit"} {
			if msg := shared.FieldError(err, field); msg != "" {
				return nil, fmt.Errorf("preset %q, %s: %s", p.Name, field, msg)
			}
		}
	}
	return presets, nil
}
