package helm

import (
	"io"

	"helm.sh/helm/v3/pkg/action"
	helmkube "helm.sh/helm/v3/pkg/kube"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubedeck/kubedeck/kube"
)

// configuration builds the Helm action configuration of one call: made
// for u alone, bound to namespace, and never shared or kept. Everything it
// reaches the cluster with comes from Kubedeck's impersonating config for
// u; nothing comes from a kubeconfig, a Helm home or the environment.
// Releases are kept in Secrets of namespace. With caps, the cluster's
// capabilities are filled in from the user's cached discovery (installs,
// upgrades and rollbacks render templates with them).
func (c *Client) configuration(u kube.User, namespace string, logf func(string, ...any), caps bool) (*action.Configuration, error) {
	rc, err := c.kc.ConfigAs(u)
	if err != nil {
		return nil, err
	}
	disc, err := c.discovery.forConfig(rc)
	if err != nil {
		return nil, err
	}
	cs, err := c.kc.As(u)
	if err != nil {
		return nil, err
	}
	getter := &restGetter{config: rc, namespace: namespace, disc: disc}
	kc := helmkube.New(getter)
	// Without it, Helm takes the namespace from the kubeconfig loader and
	// objects without one land in "default" (helm/helm#7845, #9171).
	kc.Namespace = namespace
	kc.Log = logf
	secrets := driver.NewSecrets(cs.CoreV1().Secrets(namespace))
	secrets.Log = logf
	cfg := &action.Configuration{
		RESTClientGetter: getter,
		KubeClient:       kc,
		Releases:         storage.Init(secrets),
		Log:              logf,
	}
	cfg.Releases.Log = logf
	cfg.SetHookOutputFunc(func(_, _, _ string) io.Writer { return io.Discard })
	if caps {
		if cfg.Capabilities, err = disc.capabilities(); err != nil {
			return nil, kube.TranslateIn(err, namespace)
		}
	}
	return cfg, nil
}

// restGetter is what Helm builds its Kubernetes clients from: a user's
// impersonating config, bound to the release's namespace, with the user's
// cached discovery.
type restGetter struct {
	config    *rest.Config
	namespace string
	disc      *userDiscovery
}

var _ genericclioptions.RESTClientGetter = (*restGetter)(nil)

// ToRESTConfig gives a copy each time: kubectl's factory changes the
// configs it is given.
func (g *restGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.config), nil }

// ToDiscoveryClient gives the user's cached discovery client.
func (g *restGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return g.disc.client, nil
}

// ToRESTMapper gives the user's REST mapper.
func (g *restGetter) ToRESTMapper() (meta.RESTMapper, error) { return g.disc.mapper, nil }

// ToRawKubeConfigLoader gives a loader that loads nothing: it knows the
// namespace and the config, and no kubeconfig file.
func (g *restGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig { return boundConfig{g} }

// boundConfig is a clientcmd.ClientConfig over a restGetter.
type boundConfig struct{ g *restGetter }

var _ clientcmd.ClientConfig = boundConfig{}

// RawConfig is empty: there is no kubeconfig.
func (boundConfig) RawConfig() (clientcmdapi.Config, error) { return clientcmdapi.Config{}, nil }

// ClientConfig is a copy of the user's config.
func (b boundConfig) ClientConfig() (*rest.Config, error) { return b.g.ToRESTConfig() }

// Namespace is the release's namespace, always given explicitly.
func (b boundConfig) Namespace() (string, bool, error) { return b.g.namespace, true, nil }

// ConfigAccess reads and writes no file.
func (boundConfig) ConfigAccess() clientcmd.ConfigAccess { return noConfigFiles{} }

// noConfigFiles is a clientcmd.ConfigAccess without files: it names none
// and loads an empty config.
type noConfigFiles struct{}

func (noConfigFiles) GetLoadingPrecedence() []string { return nil }
func (noConfigFiles) GetStartingConfig() (*clientcmdapi.Config, error) {
	return clientcmdapi.NewConfig(), nil
}
func (noConfigFiles) GetDefaultFilename() string { return "" }
func (noConfigFiles) IsExplicitFile() bool       { return false }
func (noConfigFiles) GetExplicitFile() string    { return "" }
