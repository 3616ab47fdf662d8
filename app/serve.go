//go:build !wasm

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"k8s.io/client-go/rest"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/cache"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/kube/slots"
	"github.com/kubedeck/kubedeck/server"
	"github.com/kubedeck/kubedeck/web"
)

// serve runs the server until SIGINT or SIGTERM.
func serve() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		os.Exit(healthcheck(os.Args[2:]))
	}
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubedeck:", err)
		os.Exit(2)
	}
	lvl, _ := cfg.level()
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("kubedeck stopped", "err", err)
		os.Exit(1)
	}
}

// run builds the server from cfg and serves until ctx is done.
func run(ctx context.Context, cfg config, log *slog.Logger) error {
	proxies, err := cfg.proxies()
	if err != nil {
		return err
	}
	scfg := server.Config{
		BasePath:        cfg.basePath,
		Version:         version,
		TrustedOrigins:  splitList(cfg.trustedOrigins),
		TrustedProxies:  proxies,
		ShutdownTimeout: cfg.shutdownTimeout,
		WritesPerMinute: cfg.writesPerMinute,
		WriteBurst:      cfg.writeBurst,
		ReadsPerMinute:  cfg.readsPerMinute,
		ReadBurst:       cfg.readBurst,
		Auth:            cfg.auth(),
		WebSocket:       cfg.webSocket(),
		Exec:            cfg.execConfig(),
		AllowedHosts:    cfg.hosts(),
		SeparateOps:     cfg.opsListen != "",
	}
	if cfg.proxySecretFile != "" {
		if scfg.Auth.ProxySecret, err = readProxySecretFile(cfg.proxySecretFile); err != nil {
			return err
		}
	}
	if err := scfg.Validate(cfg.listen); err != nil {
		return err
	}
	if scfg.Auth.Mode != server.AuthDev && len(splitList(cfg.allowedHosts)) == 0 {
		log.Warn("no --allowed-hosts: only requests sent to localhost, a loopback address or the listen address are answered; " +
			"name the host people reach Kubedeck at (e.g. kubedeck.example.com) unless the proxy sends a loopback Host")
	}
	wi, err := server.InspectWeb(web.FS)
	if err != nil {
		return err
	}
	if wi.WasmSize == 0 {
		log.Warn("web/app.wasm is not built into this binary: the UI answers 503 until you run `make build`")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	deps := server.Deps{Log: log, UI: newAppHandler(cfg.basePath, version, wi), Web: web.FS, Registry: reg,
		Operations: operations.NewMemory(operations.MemoryOptions{})}

	restCfg, stopCluster, local, err := clusterConfig(ctx, cfg, log)
	if err != nil {
		return err
	}
	if local {
		cfg = cfg.withLocalClusterDefaults()
	}
	defer stopCluster()
	if restCfg != nil {
		if err := connectCluster(ctx, cfg, log, restCfg, &deps); err != nil {
			return err
		}
	}
	// Deferred after the cluster's stop, so it runs first: once the server
	// has drained its operations, their last states are written.
	if c, ok := deps.Operations.(io.Closer); ok {
		defer c.Close()
	}
	if c, ok := deps.Slots.(io.Closer); ok {
		defer c.Close()
	}
	srv, err := server.New(scfg, deps)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	if cfg.opsListen == "" {
		log.Info("kubedeck listening", "url", "http://"+ln.Addr().String()+cfg.basePath+"/", "version", version,
			"auth_mode", scfg.Auth.Mode)
		return srv.Serve(ctx, ln)
	}
	opsLn, err := net.Listen("tcp", cfg.opsListen)
	if err != nil {
		ln.Close()
		return fmt.Errorf("--ops-listen: %w", err)
	}
	return serveBoth(ctx, log, srv, ln, opsLn, func() {
		log.Info("kubedeck listening", "url", "http://"+ln.Addr().String()+cfg.basePath+"/", "version", version,
			"auth_mode", scfg.Auth.Mode, "ops_url", "http://"+opsLn.Addr().String()+"/")
	})
}

// serveBoth serves the app on ln and the operations endpoints on opsLn
// until ctx is done or either fails, which stops the other too. started
// runs once both are about to serve.
func serveBoth(ctx context.Context, log *slog.Logger, srv *server.Server, ln, opsLn net.Listener, started func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opsDone := make(chan error, 1)
	go func() {
		opsDone <- srv.ServeOps(ctx, opsLn)
		cancel()
	}()
	started()
	err := srv.Serve(ctx, ln)
	cancel()
	if opsErr := <-opsDone; opsErr != nil && err == nil {
		log.Error("the operations listener stopped", "err", opsErr)
		err = fmt.Errorf("--ops-listen: %w", opsErr)
	}
	return err
}

// clusterConfig finds the cluster to run on: a kubeconfig or in-cluster
// config, else (with --local-cluster auto or always) a local cluster that
// runs until the returned stop is called (local says so). It returns nil
// when there is none.
func clusterConfig(ctx context.Context, cfg config, log *slog.Logger) (rc *rest.Config, stop func(), local bool, err error) {
	nothing := func() {}
	rc, source, err := kube.LoadConfig(cfg.kubeconfig)
	local = cfg.localCluster == "always" || (cfg.localCluster == "auto" && errors.Is(err, kube.ErrNoConfig))
	switch {
	case local:
		lc, err := startLocalCluster(ctx, log, cfg.auth().DevUser)
		if err != nil {
			return nil, nothing, false, err
		}
		return lc.serverConfig(), func() { lc.stop(log) }, true, nil
	case errors.Is(err, kube.ErrNoConfig):
		log.Warn("no kubeconfig is reachable and --local-cluster is never: running without a cluster (the API answers 503)")
		return nil, nothing, false, nil
	case err != nil:
		return nil, nothing, false, err
	}
	log.Info("using the cluster of " + source)
	return rc, nothing, false, nil
}

// connectCluster builds the Kubernetes client, the informer cache, the
// access reviews and the shared cache (Redis when configured), and adds them
// and their readiness checks to deps.
func connectCluster(ctx context.Context, cfg config, log *slog.Logger, rc *rest.Config, deps *server.Deps) error {
	kc, err := kube.NewClient(rc, kube.ClientOptions{GroupPrefix: cfg.groupPrefix, GroupAllowlist: splitList(cfg.groupAllowlist)}, deps.Registry)
	if err != nil {
		return err
	}
	objects, err := kube.NewObjects(kc.Base(), kube.ObjectsOptions{Namespaces: splitList(cfg.namespaces), Log: log})
	if err != nil {
		return err
	}
	objects.Start(ctx)
	metrics, err := cache.NewMetrics(deps.Registry)
	if err != nil {
		return err
	}
	store := cache.NewMemory(0)
	deps.Checks = append(deps.Checks,
		server.Check{Name: "kubernetes", Check: kc.Ping},
		server.Check{Name: "informers", Check: objects.Check})
	if cfg.redisURL != "" {
		// go-redis logs every failed dial to stderr; a down Redis is a
		// readiness state here, so its chatter goes to the debug log.
		redis.SetLogger(redisLog{log})
		ropts := cache.RedisOptions{URL: cfg.redisURL, Log: log}
		if ropts.Password, err = cfg.redisPassword(); err != nil {
			return err
		}
		rcache, err := cache.NewRedis(ropts)
		if err != nil {
			return err
		}
		store = rcache
		deps.Checks = append(deps.Checks, server.Check{Name: "redis", Degraded: true, Check: rcache.Check})
		log.Info("shared cache: redis")
	} else {
		log.Info("shared cache: in-process (no --redis-url)")
	}
	deps.Kube = kc
	deps.Objects = objects
	aopts := kube.AccessOptions{TTL: cfg.accessTTL, Cache: cache.Named(store, "access", metrics)}
	if cfg.accessKeyFile != "" {
		key, err := readSecretFile("--access-key-file", cfg.accessKeyFile, kube.MinAccessKeyLength)
		if err != nil {
			return err
		}
		aopts.Key = []byte(key)
	}
	if cfg.redisURL != "" {
		if deps.Operations, err = sharedOperations(cfg, log, aopts.Key); err != nil {
			return err
		}
		if deps.Slots, err = sharedSlots(cfg, log); err != nil {
			return err
		}
	}
	deps.Access = kube.NewAccess(kc, aopts)
	hopts, err := cfg.helmOptions()
	if err != nil {
		return err
	}
	hopts.Log = log
	// Release lists are signed like the access decisions: whoever can write
	// to Redis cannot make Kubedeck show a release that does not exist.
	hopts.Lists = cache.NewSigned(cache.Named(store, "charts", metrics), aopts.Key)
	hopts.Catalogs = cache.NewSigned(cache.Named(store, "catalog", metrics), aopts.Key)
	if deps.Helm, err = helm.New(kc, hopts); err != nil {
		return err
	}
	return watchDeploySettings(ctx, cfg, log, kc, deps)
}

// sharedOperations is the operations registry replicas share through
// Redis; its records are signed with the access key, so replicas need the
// same --access-key-file to follow each other's operations.
func sharedOperations(cfg config, log *slog.Logger, key []byte) (*operations.Redis, error) {
	password, err := cfg.redisPassword()
	if err != nil {
		return nil, err
	}
	opts := operations.RedisOptions{URL: cfg.redisURL, Password: password, Key: key, Log: log}
	if len(key) == 0 {
		log.Warn("operations: no --access-key-file, so this replica signs its operations with a key of its own; " +
			"other replicas cannot follow them (give every replica the same key)")
	}
	return operations.NewRedis(opts)
}

// sharedSlots bounds each user's shells, follows of logs and live
// connections over every replica, through Redis.
func sharedSlots(cfg config, log *slog.Logger) (*slots.Redis, error) {
	password, err := cfg.redisPassword()
	if err != nil {
		return nil, err
	}
	return slots.NewRedis(slots.RedisOptions{URL: cfg.redisURL, Password: password, Log: log})
}

// redisPassword is --redis-password-file's password ("" without one).
func (c config) redisPassword() (string, error) {
	if c.redisPasswordFile == "" {
		return "", nil
	}
	return readSecretFile("--redis-password-file", c.redisPasswordFile, 1)
}

// watchDeploySettings sets up the deployment wizard's settings: the flags,
// and --cluster-config's ConfigMap over them, watched.
func watchDeploySettings(ctx context.Context, cfg config, log *slog.Logger, kc *kube.Client, deps *server.Deps) error {
	base, err := cfg.deployConfig()
	if err != nil {
		return err
	}
	deps.Deploy = kube.NewDeploySettings(base, log)
	ns, name, err := cfg.clusterConfigMap()
	if err != nil || name == "" {
		return err
	}
	if err := deps.Deploy.Watch(ctx, kc.Base(), ns, name, 30*time.Second); err != nil {
		// The flags apply meanwhile; the watch goes on and applies the
		// ConfigMap once it can read it.
		log.Error("cluster config: not read yet", "configmap", cfg.clusterConfig, "err", err)
	}
	return nil
}

// readSecretFile reads a password or key from path, without the line end
// an editor leaves, and refuses one shorter than minLen bytes.
func readSecretFile(flagName, path string, minLen int) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flagName, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if len(s) < minLen {
		return "", fmt.Errorf("%s: %s holds %d bytes; at least %d are needed", flagName, path, len(s), minLen)
	}
	return s, nil
}

// readProxySecretFile reads the proxy secret as oauth2-proxy will send it:
// its secretSource sends the file's bytes as they are, so a byte that a
// header would carry differently (a line end, which breaks every request
// with a 502, blanks that HTTP trims, other control characters) is refused
// here with the reason, instead of failing each request later.
func readProxySecretFile(path string) (string, error) {
	const flagName = "--proxy-secret-file"
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flagName, err)
	}
	if err := server.CheckProxySecret(b); err != nil {
		return "", fmt.Errorf("%s: %s %w; write it with printf '%%s' \"$(openssl rand -base64 32)\" > FILE", flagName, path, err)
	}
	return string(b), nil
}

// healthcheck asks a running server's /healthz (for the container's
// HEALTHCHECK, where no curl is at hand) and returns the exit status.
func healthcheck(args []string) int {
	cfg, err := parseConfig(args, os.Getenv, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubedeck healthcheck:", err)
		return 2
	}
	host, port, err := net.SplitHostPort(cfg.listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubedeck healthcheck:", err)
		return 2
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + cfg.basePath + "/healthz")
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubedeck healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "kubedeck healthcheck: status", resp.StatusCode)
		return 1
	}
	return 0
}

// redisLog sends go-redis's own log lines to the debug level.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
