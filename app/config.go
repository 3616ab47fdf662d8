//go:build !wasm

package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/server"
	"github.com/kubedeck/kubedeck/shared"
)

// config is every setting of the server, from flags or KUBEDECK_* variables
// (a flag given on the command line wins over its variable).
type config struct {
	listen          string
	basePath        string
	authMode        string
	devUser         string
	devGroups       string
	trustedProxies  string
	trustedOrigins  string
	redisURL        string
	logLevel        string
	kubeconfig      string
	localCluster    string
	shutdownTimeout time.Duration

	groupPrefix     string
	namespaces      string
	oidcIssuer      string
	oidcClientID    string
	oidcUserClaim   string
	oidcGroupsClaim string
	// proxySecretFile holds the secret oauth2-proxy injects to prove a
	// request came through it; oidcAnyPeer accepts ID tokens from any peer;
	// oidcUserPrefix goes before user names read from ID tokens.
	proxySecretFile string
	oidcAnyPeer     bool
	oidcUserPrefix  string
	groupAllowlist  string
	allowedHosts    string
	opsListen       string
	signInURL       string
	signOutURL      string
	writesPerMinute int
	writeBurst      int
	readsPerMinute  int
	readBurst       int
	accessTTL       time.Duration
	wsMaxLifetime   time.Duration

	// redisPasswordFile holds the Redis password, so it need not sit in the
	// URL or the environment; accessKeyFile the key that signs the access
	// decisions kept in Redis (replicas given the same key share them).
	redisPasswordFile string
	accessKeyFile     string

	// The deployment wizard's cluster settings: the flags, and a ConfigMap
	// (namespace/name) whose keys override them, watched.
	clusterConfig      string
	ingressDomain      string
	ingressClass       string
	ingressTLSSecret   string
	hostTemplate       string
	privateAnnotations string
	gpuResource        string
	maxGPU             int
	maxReplicas        int
	sharedPVC          string
	ssoTokenSecret     string

	// Helm: the chart repositories (name=url, repeatable), the files of
	// their credentials (name=path, holding user:password), the time an
	// install may take and the largest repository index read.
	helmRepos       listFlag
	helmCredentials listFlag
	helmTimeout     time.Duration
	helmMaxIndex    int64

	// exec bounds shells in containers (config_exec.go).
	exec execFlags
}

// parseConfig reads args (without the program name) and the environment.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("kubedeck", flag.ContinueOnError)
	fs.SetOutput(out)
	str := func(p *string, name, def, usage string) {
		fs.StringVar(p, name, def, usage+" ("+envName(name)+")")
	}
	str(&c.listen, "listen", "127.0.0.1:8080", "address to listen on")
	str(&c.basePath, "base-path", "", "path prefix the app is served under, e.g. /v2")
	str(&c.authMode, "auth-mode", "proxy", "how users are identified: proxy (oauth2-proxy headers) or dev (a fixed user; loopback only)")
	str(&c.devUser, "dev-user", "developer", "the user in dev auth mode")
	str(&c.devGroups, "dev-groups", "developers", "comma-separated groups of the dev user")
	str(&c.trustedProxies, "trusted-proxies", "127.0.0.1/32,::1/128", "comma-separated CIDRs whose identity headers are trusted")
	str(&c.trustedOrigins, "trusted-origins", "", "comma-separated extra origins allowed to send state-changing requests")
	str(&c.redisURL, "redis-url", "", "Redis URL for the shared cache, redis:// or rediss:// for TLS (empty: in-process cache)")
	str(&c.redisPasswordFile, "redis-password-file", "", "file holding the Redis password (overrides one in --redis-url)")
	str(&c.accessKeyFile, "access-key-file", "", "file holding at least 32 bytes that sign the access decisions kept in Redis; replicas with the same key share them (empty: a random key per process)")
	str(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	str(&c.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster)")
	str(&c.localCluster, "local-cluster", "never", "start a local cluster: never, auto (when no kubeconfig is reachable) or always")
	str(&c.groupPrefix, "group-prefix", "", "prefix added to the user's groups when impersonating (system: groups are always dropped)")
	str(&c.namespaces, "namespaces", "", "comma-separated namespaces to watch (empty: all)")
	str(&c.oidcIssuer, "oidc-issuer", "", "OIDC issuer whose ID tokens (Authorization: Bearer, from oauth2-proxy) are accepted in proxy mode")
	str(&c.oidcClientID, "oidc-client-id", "", "audience the OIDC ID tokens must carry")
	str(&c.oidcUserClaim, "oidc-username-claim", "", "claim naming the user (default: preferred_username, then email, then sub)")
	str(&c.oidcGroupsClaim, "oidc-groups-claim", "groups", "claim listing the user's groups")
	str(&c.oidcUserPrefix, "oidc-username-prefix", "", "prefix put before user names read from ID tokens, e.g. oidc:")
	fs.BoolVar(&c.oidcAnyPeer, "oidc-any-peer", false, "accept ID tokens from any peer, not only the trusted proxies ("+envName("oidc-any-peer")+")")
	str(&c.proxySecretFile, "proxy-secret-file", "", "file holding the secret (at least 16 bytes) oauth2-proxy injects as X-Kubedeck-Proxy-Secret; proxy mode needs it or --oidc-issuer")
	str(&c.groupAllowlist, "group-allowlist", "", "comma-separated groups passed on to Kubernetes, before the prefix (empty: all but system: groups)")
	str(&c.allowedHosts, "allowed-hosts", "", "comma-separated host names (optional :port) requests may be sent to; localhost, the loopback addresses and the listen address always are")
	str(&c.opsListen, "ops-listen", "", "address for /metrics, /healthz and /readyz on a listener of their own; /metrics then leaves --listen")
	str(&c.signInURL, "sign-in-url", "", "where the sign-in page sends people (default: <base-path>/oauth2/start)")
	str(&c.signOutURL, "sign-out-url", "", "the logout link (default: <base-path>/oauth2/sign_out)")
	fs.IntVar(&c.writesPerMinute, "writes-per-minute", 60, "each user's budget of changes per minute ("+envName("writes-per-minute")+")")
	fs.IntVar(&c.writeBurst, "write-burst", 20, "how many changes a user may make at once ("+envName("write-burst")+")")
	fs.IntVar(&c.readsPerMinute, "reads-per-minute", 600, "each user's budget of API reads per minute ("+envName("reads-per-minute")+")")
	fs.IntVar(&c.readBurst, "read-burst", 300, "how many API reads a user may make at once ("+envName("read-burst")+")")
	fs.DurationVar(&c.accessTTL, "access-ttl", 5*time.Second, "how long access-review decisions are kept ("+envName("access-ttl")+")")
	fs.DurationVar(&c.wsMaxLifetime, "ws-max-lifetime", 30*time.Minute, "how long a live-update connection lives before the browser reconnects ("+envName("ws-max-lifetime")+")")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long to drain requests on shutdown ("+envName("shutdown-timeout")+")")
	str(&c.clusterConfig, "cluster-config", "", "ConfigMap (namespace/name) with the deployment wizard's settings; its keys override the flags below and changes apply live")
	str(&c.ingressDomain, "ingress-domain", "", "domain of the hosts of apps exposed outside the cluster (empty: no external exposure)")
	str(&c.ingressClass, "ingress-class", "", "Ingress class of exposed apps (empty: the cluster's default)")
	str(&c.ingressTLSSecret, "ingress-tls-secret", "", "TLS Secret of exposed apps' Ingresses (empty: plain HTTP)")
	str(&c.hostTemplate, "host-template", shared.DefaultHostTemplate, "host of an exposed app, from {name}, {namespace} and {domain}")
	str(&c.privateAnnotations, "private-annotations", "", "comma-separated key=value annotations that put a private app's Ingress behind sign-in (empty: no private exposure)")
	str(&c.gpuResource, "gpu-resource", "nvidia.com/gpu", "extended resource name of a GPU")
	fs.IntVar(&c.maxGPU, "max-gpu", 0, "GPUs one app may ask for (0: none offered) ("+envName("max-gpu")+")")
	fs.IntVar(&c.maxReplicas, "max-replicas", 50, "replicas one app may run ("+envName("max-replicas")+")")
	str(&c.sharedPVC, "shared-pvc", "", "the shared PersistentVolumeClaim apps may mount (empty: none)")
	str(&c.ssoTokenSecret, "sso-token-secret", "", "the Secret holding a user's sign-in token, which apps may mount (empty: none)")
	fs.Var(&c.helmRepos, "helm-repo", "a Helm chart repository as name=url; repeat for more ("+envName("helm-repo")+", comma-separated)")
	fs.Var(&c.helmCredentials, "helm-repo-credentials", "name=path of a file holding user:password for repository name; repeatable ("+envName("helm-repo-credentials")+")")
	fs.DurationVar(&c.helmTimeout, "helm-timeout", 5*time.Minute, "how long a Helm install, upgrade, rollback or uninstall may take ("+envName("helm-timeout")+")")
	c.exec.register(fs)
	fs.Int64Var(&c.helmMaxIndex, "helm-max-index-bytes", 20<<20, "the largest repository index.yaml read ("+envName("helm-max-index-bytes")+")")
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: kubedeck [flags]\n\nKubedeck %s, a Kubernetes dashboard. Every flag can also be set with the\nenvironment variable named beside it.\n\n", version)
		fs.PrintDefaults()
	}
	// Variables first, so flags given on the command line override them.
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(envName(f.Name)); v != "" && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s: %w", envName(f.Name), err)
			}
		}
	})
	if envErr != nil {
		return c, envErr
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c.basePath = strings.TrimRight(c.basePath, "/")
	if c.basePath != "" && !strings.HasPrefix(c.basePath, "/") {
		return c, fmt.Errorf("--base-path must start with /, got %q", c.basePath)
	}
	switch c.localCluster {
	case "never", "auto", "always":
	default:
		return c, fmt.Errorf("--local-cluster must be never, auto or always, got %q", c.localCluster)
	}
	if _, err := c.level(); err != nil {
		return c, err
	}
	if _, err := c.proxies(); err != nil {
		return c, err
	}
	if c.opsListen != "" && c.opsListen == c.listen && !strings.HasSuffix(c.listen, ":0") {
		return c, fmt.Errorf("--ops-listen must differ from --listen (%s)", c.listen)
	}
	return c, nil
}

// hosts is --allowed-hosts with the listen address's host, when it names
// one (not every interface).
func (c config) hosts() []string {
	out := splitList(c.allowedHosts)
	if host, _, err := net.SplitHostPort(c.listen); err == nil && host != "" && host != "0.0.0.0" && host != "::" {
		out = append(out, host)
	}
	return out
}

func envName(flagName string) string {
	return "KUBEDECK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (c config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.logLevel)); err != nil {
		return l, fmt.Errorf("--log-level: %w", err)
	}
	return l, nil
}

// proxies parses --trusted-proxies, refusing a prefix that trusts everyone.
func (c config) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range splitList(c.trustedProxies) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %w", err)
		}
		out = append(out, p.Masked())
	}
	if err := server.ValidateTrustedProxies(out); err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	return out, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// webSocket is the WebSocket hub's configuration: subscriptions are
// authorized again as often as access decisions expire.
func (c config) webSocket() server.WebSocketConfig {
	return server.WebSocketConfig{ReauthInterval: c.accessTTL, MaxLifetime: c.wsMaxLifetime}
}

// auth is the identity configuration the server gets.
func (c config) auth() server.AuthConfig {
	return server.AuthConfig{
		Mode:           c.authMode,
		DevUser:        kube.User{Name: c.devUser, Groups: splitList(c.devGroups)},
		OIDCIssuer:     c.oidcIssuer,
		OIDCClientID:   c.oidcClientID,
		UsernameClaim:  c.oidcUserClaim,
		OIDCAnyPeer:    c.oidcAnyPeer,
		UsernamePrefix: c.oidcUserPrefix,
		GroupsClaim:    c.oidcGroupsClaim,
		SignInURL:      c.signInURL,
		SignOutURL:     c.signOutURL,
	}
}
