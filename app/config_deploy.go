//go:build !wasm

package main

import (
	"fmt"
	"strings"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// deployConfig is the deployment wizard's configuration from the flags;
// --cluster-config's ConfigMap goes over it at run time.
func (c config) deployConfig() (kube.DeployConfig, error) {
	d := kube.DeployConfig{DeploymentConfig: shared.DefaultDeploymentConfig()}
	d.Domain, d.IngressClass, d.TLSSecret = c.ingressDomain, c.ingressClass, c.ingressTLSSecret
	d.SharedPVC, d.SSOTokenSecret = c.sharedPVC, c.ssoTokenSecret
	d.HostTemplate, d.GPUResource, d.MaxGPU, d.MaxReplicas = c.hostTemplate, c.gpuResource, c.maxGPU, c.maxReplicas
	data := map[string]string{}
	if c.privateAnnotations != "" {
		var yaml strings.Builder
		for _, kv := range splitList(c.privateAnnotations) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return d, fmt.Errorf("--private-annotations: %q is not key=value", kv)
			}
			fmt.Fprintf(&yaml, "%q: %q\n", k, v)
		}
		data["privateAnnotations"] = yaml.String()
	}
	// The flags pass the ConfigMap's checks, so both refuse the same values.
	for key, v := range map[string]string{"domain": d.Domain, "ingressClass": d.IngressClass, "tlsSecret": d.TLSSecret,
		"sharedPvc": d.SharedPVC, "ssoTokenSecret": d.SSOTokenSecret, "hostTemplate": d.HostTemplate,
		"gpuResource": d.GPUResource, "maxGpu": fmt.Sprint(d.MaxGPU), "maxReplicas": fmt.Sprint(d.MaxReplicas)} {
		if v != "" {
			data[key] = v
		}
	}
	out, problems := kube.ParseDeployConfigMap(d, data)
	if len(problems) > 0 {
		return d, fmt.Errorf("deployment settings: %w", problems[0])
	}
	return out, nil
}

// clusterConfigMap splits --cluster-config into its namespace and name.
func (c config) clusterConfigMap() (namespace, name string, err error) {
	if c.clusterConfig == "" {
		return "", "", nil
	}
	namespace, name, ok := strings.Cut(c.clusterConfig, "/")
	if !ok || kube.CheckNamespace(namespace) != nil || kube.CheckResourceName("configmaps", name) != nil {
		return "", "", fmt.Errorf("--cluster-config must be namespace/name of a ConfigMap, got %q", c.clusterConfig)
	}
	return namespace, name, nil
}

// withLocalClusterDefaults fills the wizard's settings the local cluster
// can honour and the flags left unset: a domain, so apps can be exposed
// (the local cluster has no Ingress controller, so the hosts answer
// nothing, but the objects are made and shown), and its GPU nodes' 4 GPUs.
func (c config) withLocalClusterDefaults() config {
	if c.ingressDomain == "" {
		c.ingressDomain = "apps.localhost"
	}
	if c.maxGPU == 0 {
		c.maxGPU = 4
	}
	return c
}
