package kube

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// helmReleaseType is the type of the Secrets in which Helm keeps releases.
const helmReleaseType corev1.SecretType = "helm.sh/release.v1"

// serviceRow is a Service's row: type, cluster IP, ports and the external
// address. A LoadBalancer still waiting for its address is a warning.
func serviceRow(s *corev1.Service) shared.Row {
	r := baseRow("Service", &s.ObjectMeta)
	ports := make([]string, 0, len(s.Spec.Ports))
	for _, p := range s.Spec.Ports {
		port := strconv.Itoa(int(p.Port))
		if p.NodePort != 0 {
			port += ":" + strconv.Itoa(int(p.NodePort))
		}
		ports = append(ports, port+"/"+string(p.Protocol))
	}
	var external []string
	switch s.Spec.Type {
	case corev1.ServiceTypeExternalName:
		external = append(external, s.Spec.ExternalName)
	case corev1.ServiceTypeLoadBalancer:
		for _, in := range s.Status.LoadBalancer.Ingress {
			external = append(external, joinNonEmpty("", in.IP, in.Hostname))
		}
	}
	external = append(external, s.Spec.ExternalIPs...)
	r.Cells = map[string]string{
		"type":      string(s.Spec.Type),
		"clusterIP": s.Spec.ClusterIP,
		"ports":     strings.Join(ports, ","),
		"external":  strings.Join(external, ","),
	}
	if s.Spec.Type == corev1.ServiceTypeLoadBalancer && len(s.Status.LoadBalancer.Ingress) == 0 {
		status(&r, "Pending address", shared.LevelWarning)
		return r
	}
	status(&r, "Active", shared.LevelOK)
	return r
}

// configMapRow is a ConfigMap's row: how many keys it holds.
func configMapRow(c *corev1.ConfigMap) shared.Row {
	r := baseRow("ConfigMap", &c.ObjectMeta)
	r.Cells = map[string]string{"keys": strconv.Itoa(len(c.Data) + len(c.BinaryData))}
	status(&r, "Active", shared.LevelOK)
	return r
}

// secretRow is a Secret's row: its type and key count, never a value. Helm's
// release Secrets show as "Helm release" with the release's status.
func secretRow(s *corev1.Secret) shared.Row {
	r := baseRow("Secret", &s.ObjectMeta)
	typ := string(s.Type)
	if s.Type == helmReleaseType {
		typ = "Helm release"
	}
	r.Cells = map[string]string{"type": typ, "keys": strconv.Itoa(len(s.Data))}
	if s.Type == helmReleaseType {
		status(&r, joinNonEmpty(" ", "Helm release", s.Labels["name"], versionLabel(s.Labels["version"]), s.Labels["status"]), shared.LevelOK)
		return r
	}
	status(&r, "Active", shared.LevelOK)
	return r
}

func versionLabel(v string) string {
	if v == "" {
		return ""
	}
	return "v" + v
}
