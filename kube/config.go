package kube

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ErrNoConfig means no cluster is reachable by configuration: no kubeconfig
// file exists where one is looked for, and the process is not running in a
// cluster. Callers may then start a local cluster instead.
var ErrNoConfig = errors.New("no kubeconfig found and not running in a cluster")

// The client settings Kubedeck applies to every configuration it loads.
const (
	// DefaultQPS and DefaultBurst bound the requests per second Kubedeck sends
	// to the API server (client-go's own defaults, 5 and 10, are too low for a
	// dashboard that starts a dozen informers).
	DefaultQPS   = 50
	DefaultBurst = 100
	// DefaultTimeout bounds one request made for a user.
	DefaultTimeout = 30 * time.Second
	userAgent      = "kubedeck"
)

// LoadConfig finds the cluster to talk to. It tries, in order: explicitPath
// (when not empty), the files named by $KUBECONFIG, ~/.kube/config, then the
// in-cluster service account. The second result says where the config came
// from, for the log. When nothing is found the error wraps ErrNoConfig; an
// explicitPath that does not exist is an error that does not wrap it, since
// the operator asked for that file.
func LoadConfig(explicitPath string) (*rest.Config, string, error) {
	home, _ := os.UserHomeDir()
	return loadConfig(explicitPath, os.Getenv, home, rest.InClusterConfig)
}

// loadConfig is LoadConfig with its surroundings passed in, for tests.
func loadConfig(explicitPath string, getenv func(string) string, home string,
	inCluster func() (*rest.Config, error)) (*rest.Config, string, error) {
	var files []string
	switch {
	case explicitPath != "":
		if _, err := os.Stat(explicitPath); err != nil {
			return nil, "", fmt.Errorf("kubeconfig %s: %w", explicitPath, err)
		}
		files = []string{explicitPath}
	case getenv(clientcmd.RecommendedConfigPathEnvVar) != "":
		files = existing(filepath.SplitList(getenv(clientcmd.RecommendedConfigPathEnvVar)))
	case home != "":
		files = existing([]string{filepath.Join(home, clientcmd.RecommendedHomeDir, clientcmd.RecommendedFileName)})
	}
	if len(files) > 0 {
		cfg, source, err := fromFiles(explicitPath, files)
		if err != nil {
			return nil, "", err
		}
		return withDefaults(cfg), source, nil
	}
	cfg, err := inCluster()
	if errors.Is(err, rest.ErrNotInCluster) {
		return nil, "", fmt.Errorf("%w (looked at $KUBECONFIG, ~/.kube/config and the in-cluster service account)", ErrNoConfig)
	}
	if err != nil {
		return nil, "", fmt.Errorf("in-cluster config: %w", err)
	}
	return withDefaults(cfg), "in-cluster service account", nil
}

// fromFiles loads the merged kubeconfig of files at its current context.
func fromFiles(explicitPath string, files []string) (*rest.Config, string, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: explicitPath}
	if explicitPath == "" {
		rules.Precedence = files
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig %s: %w", joinPaths(files), err)
	}
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("kubeconfig %s: %w", joinPaths(files), err)
	}
	return cfg, fmt.Sprintf("kubeconfig %s (context %q)", joinPaths(files), raw.CurrentContext), nil
}

// withDefaults applies Kubedeck's client settings to a freshly loaded config.
func withDefaults(cfg *rest.Config) *rest.Config {
	cfg.QPS = DefaultQPS
	cfg.Burst = DefaultBurst
	cfg.Timeout = DefaultTimeout
	cfg.UserAgent = userAgent
	return cfg
}

// existing keeps the paths that name a file that exists.
func existing(paths []string) []string {
	var out []string
	for _, p := range paths {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			out = append(out, p)
		}
	}
	return out
}

// joinPaths writes paths the way $KUBECONFIG lists them.
func joinPaths(paths []string) string {
	return strings.Join(paths, string(filepath.ListSeparator))
}
