package localcluster

import (
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// AdminConfig returns a new client configuration for the cluster admin (a
// member of system:masters). Each call returns a fresh copy that the caller
// may change.
func (c *Cluster) AdminConfig() *rest.Config {
	return c.UserConfig(AdminUser)
}

// UserConfig returns a new client configuration that authenticates as the
// named user with its static token, or nil when the cluster has no such user.
func (c *Cluster) UserConfig(name string) *rest.Config {
	token := c.Token(name)
	if token == "" {
		return nil
	}
	return &rest.Config{
		Host:            c.server,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: append([]byte(nil), c.pki.caPEM...)},
		QPS:             50,
		Burst:           100,
	}
}

// Token returns the static bearer token of the named user, or "" when the
// cluster has no such user.
func (c *Cluster) Token(name string) string {
	return c.tokens[name]
}

// Server returns the API server's URL.
func (c *Cluster) Server() string { return c.server }

// WriteKubeconfig writes a kubeconfig file at path that reaches the cluster
// as the named user, with the cluster's CA embedded.
func (c *Cluster) WriteKubeconfig(path, user string) error {
	token := c.Token(user)
	if token == "" {
		return fmt.Errorf("write kubeconfig: the local cluster has no user %q", user)
	}
	return writeKubeconfig(path, c.server, c.pki.caPEM, user, token)
}

// writeKubeconfig writes a single-context kubeconfig file (mode 0600).
func writeKubeconfig(path, server string, caPEM []byte, user, token string) error {
	const name = "kubedeck-local"
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: user, Namespace: "default"}
	cfg.CurrentContext = name
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}
