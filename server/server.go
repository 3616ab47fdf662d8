package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/apps"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/kube/slots"
)

// Config is what an operator sets (flags and KUBEDECK_* variables).
type Config struct {
	// BasePath is the prefix the app is served under ("" or "/v2", no trailing slash).
	BasePath string
	// Version identifies the build; the UI shows it and offers an update when it changes.
	Version string
	// BodyLimit caps request bodies, in bytes (default 1 MiB).
	BodyLimit int64
	// TrustedOrigins are origins besides the request's own that may send
	// state-changing requests (a proxy that rewrites Host).
	TrustedOrigins []string
	// TrustedProxies are the peers whose identity headers are believed (with
	// the proxy secret, see AuthConfig.ProxySecret) and, unless
	// AuthConfig.OIDCAnyPeer, whose ID tokens are.
	TrustedProxies []netip.Prefix
	// AllowedHosts are the host names (a port is optional; without one any
	// port matches) a request's Host may name; any other Host is refused
	// with 400 before anything else runs, so a page on a DNS-rebinding
	// domain cannot drive the server. localhost and the loopback addresses
	// are always allowed. The health probes answer whatever the Host.
	AllowedHosts []string
	// SeparateOps moves /metrics from Handler to OpsHandler, which the
	// caller serves on a listener of its own (--ops-listen).
	SeparateOps bool
	// ReadHeaderTimeout, ReadTimeout and IdleTimeout bound a connection
	// (defaults 10 s, 1 min, 2 min). There is no write timeout: it would
	// cut WebSockets and slow downloads; a hijacked WebSocket connection
	// has no read deadline either.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout bounds the drain of in-flight requests on shutdown.
	ShutdownTimeout time.Duration
	// ClientErrorsPerMinute caps the client error reports accepted per user.
	ClientErrorsPerMinute int
	// Auth says how users are identified (see AuthConfig and Validate).
	Auth AuthConfig
	// WritesPerMinute and WriteBurst are each user's budget of requests that
	// change something (default 60 a minute, bursts of 20).
	WritesPerMinute int
	WriteBurst      int
	// ReadsPerMinute and ReadBurst are each user's budget of API requests
	// that change nothing (default 600 a minute, bursts of 300).
	ReadsPerMinute int
	ReadBurst      int
	// PermissionsTTL is how long /me keeps a user's permissions (default 5 s).
	PermissionsTTL time.Duration
	// WebSocket bounds the WebSocket hub (zero fields: defaults).
	WebSocket WebSocketConfig
	// Logs bounds the follows of logs over the WebSocket.
	Logs LogConfig
	// Exec bounds shells in containers (zero fields: defaults).
	Exec ExecConfig
}

// Check is a dependency /readyz reports on. Check returns nil when ready;
// a Degraded check that fails makes the server degraded, not unready.
type Check struct {
	Name     string
	Degraded bool
	Check    func(context.Context) error
}

// Deps are the parts a Server is built on.
type Deps struct {
	Log *slog.Logger
	// UI serves the go-app pages (prerendered HTML, manifest, service worker).
	UI http.Handler
	// Web holds the static assets; app.wasm as app.wasm.br and app.wasm.gz
	// when built (the raw file too, if present).
	Web fs.FS
	// Registry collects the server's metrics; New registers its own in it.
	Registry *prometheus.Registry
	// Checks are the dependencies /readyz waits for.
	Checks []Check
	// Kube reaches the cluster; nil when the server runs without one.
	Kube *kube.Client
	// Objects is the informer cache and Access authorizes reads of it; the
	// WebSocket hub needs both (without them /api/v1/ws answers 503).
	Objects *kube.Objects
	Access  *kube.Access
	// Operations keeps the state of long operations (202 answers); the
	// WebSocket follows them. Nil: the server runs none.
	Operations operations.Registry
	// Slots bound what one user holds at once (shells, follows of logs,
	// live connections) over every replica; nil: counted in this process.
	Slots slots.Slots
	// Deploy is the cluster's configuration for the deployment wizard; nil:
	// the defaults (no domain, so no external exposure).
	Deploy *kube.DeploySettings
	// Helm reads and changes Helm releases as the user, and serves the
	// catalog of the configured repositories; nil: no Helm endpoints.
	Helm *helm.Client
}

// Server is Kubedeck's HTTP server.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	mux     *http.ServeMux // the UI, static files, health and metrics
	apiMux  *http.ServeMux // /api/
	handler http.Handler
	ops     http.Handler // /metrics, /healthz and /readyz for --ops-listen
	metrics *httpMetrics
	static  *staticFiles

	// shutdownHooks run when the server starts draining (closing WebSockets).
	mu            sync.Mutex
	shutdownHooks []func()

	clientErrors *userLimiter

	auth         *authenticator
	allowedHosts []hostName
	writes       *userLimiter
	reads        *userLimiter
	selfAccess   *kube.SelfAccess // nil without Deps.Kube
	logs         *kube.Logs       // nil without Deps.Kube
	hub          *hub             // nil without Deps.Objects and Deps.Access
	execs        *execSessions    // the shells open
	slots        slots.Slots      // each user's shells, follows and connections

	// stopping ends when the server starts shutting down; the work of
	// operations, which outlives requests, stops with it.
	stopping context.Context
	stop     context.CancelFunc
	// runner runs every operation; apps and helmOps start them.
	runner   *operations.Runner
	apps     *apps.Service
	helmOps  *helm.Operator // nil without Deps.Helm
	previews previewGate    // the Helm dry runs running
}

// New builds a Server. It registers the routes and assembles the middleware.
func New(cfg Config, deps Deps) (*Server, error) {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 15 * time.Second
	}
	if cfg.ClientErrorsPerMinute <= 0 {
		cfg.ClientErrorsPerMinute = 10
	}
	if cfg.BasePath == "/" {
		cfg.BasePath = ""
	}
	if err := cfg.validateAuth(); err != nil {
		return nil, err
	}
	if cfg.WritesPerMinute <= 0 {
		cfg.WritesPerMinute = defaultWritesPerMinute
	}
	if cfg.WriteBurst <= 0 {
		cfg.WriteBurst = defaultWriteBurst
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = time.Minute
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 2 * time.Minute
	}
	hosts, err := parseAllowedHosts(cfg.AllowedHosts)
	if err != nil {
		return nil, err
	}
	if cfg.ReadsPerMinute <= 0 {
		cfg.ReadsPerMinute = defaultReadsPerMinute
	}
	if cfg.ReadBurst <= 0 {
		cfg.ReadBurst = defaultReadBurst
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
		deps.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s := &Server{
		cfg:          cfg,
		deps:         deps,
		log:          deps.Log,
		mux:          http.NewServeMux(),
		apiMux:       http.NewServeMux(),
		clientErrors: newUserLimiter(float64(cfg.ClientErrorsPerMinute)/60, cfg.ClientErrorsPerMinute),
		auth:         newAuthenticator(cfg),
		allowedHosts: hosts,
		writes:       newUserLimiter(float64(cfg.WritesPerMinute)/60, cfg.WriteBurst),
		reads:        newUserLimiter(float64(cfg.ReadsPerMinute)/60, cfg.ReadBurst),
	}
	s.stopping, s.stop = context.WithCancel(context.Background())
	s.setupOperations()
	s.shutdownHooks = append(s.shutdownHooks, s.stop, func() {
		// Operations get the drain time to finish, then are cancelled and
		// given a little more to say so (and to roll back what they made).
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout+operationGrace)
		defer cancel()
		s.runner.Shutdown(ctx)
	})
	// The authenticator keeps only a digest of the proxy secret.
	s.cfg.Auth.ProxySecret = ""
	if deps.Kube != nil {
		s.selfAccess = kube.NewSelfAccess(deps.Kube, cfg.PermissionsTTL)
		s.logs = kube.NewLogs(deps.Kube)
	}
	m, err := newHTTPMetrics(deps.Registry)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	s.metrics = m
	s.static, err = newStaticFiles(deps.Web)
	if err != nil {
		return nil, err
	}
	s.slots = deps.Slots
	if s.slots == nil {
		s.slots = slots.NewMemory()
	}
	s.setupWebSocket(deps.Objects, deps.Access)
	s.cfg.Exec = cfg.Exec.withDefaults()
	s.execs = newExecSessions(s.slots, s.cfg.Exec.MaxPerUser)
	s.OnShutdown(s.execs.shutdown)
	s.watchReleaseSecrets()
	s.routes()
	h, err := s.middleware(http.HandlerFunc(s.dispatch))
	if err != nil {
		return nil, err
	}
	s.handler = h
	if cfg.BasePath != "" {
		s.handler = http.StripPrefix(cfg.BasePath, s.handler)
	}
	s.ops = s.opsHandler()
	return s, nil
}

// Handler is the whole server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// OpsHandler serves the operations endpoints, /metrics, /healthz and
// /readyz, at the root (without the base path) and without the Host check,
// for a listener only Prometheus and kubelet reach (--ops-listen). With
// Config.SeparateOps it is the only handler with /metrics.
func (s *Server) OpsHandler() http.Handler { return s.ops }

func (s *Server) opsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	return withRequestID(s.recoverPanics(securityHeaders(mux)))
}

// OnShutdown registers f to run when the server starts shutting down.
func (s *Server) OnShutdown(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shutdownHooks = append(s.shutdownHooks, f)
}

// Serve answers on ln until ctx is done, then drains in-flight requests for up
// to the configured timeout and closes WebSockets with "going away".
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, s.handler, true)
}

// ServeOps answers the operations endpoints (OpsHandler) on ln until ctx is
// done.
func (s *Server) ServeOps(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, s.ops, false)
}

// serve answers on ln with h until ctx is done, then drains; hooks says
// whether the shutdown hooks run.
func (s *Server) serve(ctx context.Context, ln net.Listener, h http.Handler, hooks bool) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if hooks {
		srv.RegisterOnShutdown(func() {
			hooks := func() []func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				return append([]func(){}, s.shutdownHooks...)
			}()
			for _, f := range hooks {
				f()
			}
		})
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if hooks {
		s.log.Info("shutting down", "drain_timeout", s.cfg.ShutdownTimeout.String())
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if hooks {
		// The hooks run in goroutines of their own: the operations, which
		// outlive requests, are waited for here, so that the process does
		// not end before they (and a create's rollback) have finished and
		// said so.
		octx, ocancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout+operationGrace)
		defer ocancel()
		s.runner.Shutdown(octx)
		// Shells are hijacked connections, which srv.Shutdown does not wait for.
		if !s.execs.wait(octx) {
			s.log.Warn("shells still open after shutdown")
		}
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	return err
}
