//go:build !wasm

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

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
	wi, err := server.InspectWeb(web.FS)
	if err != nil {
		return err
	}
	if wi.WasmSize == 0 {
		log.Warn("web/app.wasm is not built into this binary: the UI answers 503 until you run `make build`")
	}
	srv, err := server.New(server.Config{
		BasePath:        cfg.basePath,
		Version:         version,
		TrustedOrigins:  splitList(cfg.trustedOrigins),
		TrustedProxies:  proxies,
		ShutdownTimeout: cfg.shutdownTimeout,
	}, server.Deps{
		Log: log,
		UI:  newAppHandler(cfg.basePath, version, wi),
		Web: web.FS,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	log.Info("kubedeck listening", "url", "http://"+ln.Addr().String()+cfg.basePath+"/", "version", version)
	return srv.Serve(ctx, ln)
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
