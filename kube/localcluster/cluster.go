// Package localcluster runs a real, small Kubernetes cluster on the local
// machine for tests and `make run`: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler and kwok (which plays the kubelets
// of fake nodes), from binaries that tools/build.sh builds into a cache
// directory.
//
// Test packages start one cluster in TestMain with RunTests and skip their
// cluster tests with Need when the binaries are missing.
package localcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The users every cluster has.
const (
	// AdminUser is a member of system:masters.
	AdminUser = "admin"
	// ServerUser is the identity Kubedeck's server uses; it is in the group
	// of the same name and has no permissions until RBAC grants some.
	ServerUser = "kubedeck"
)

// startBudget bounds how long Start waits for the cluster to become ready.
const startBudget = 90 * time.Second

// Options configure a cluster. The zero value gives the defaults.
type Options struct {
	// Nodes is how many fake nodes the cluster has, GPU nodes included
	// (default 2).
	Nodes int
	// GPUNodes is how many of the nodes advertise nvidia.com/gpu: 4 and carry
	// the label nvidia.com/gpu.present=true (default 1; negative for none).
	GPUNodes int
	// Users are extra users, each given a static token.
	Users []User
	// BinDir holds the binaries (default DefaultBinDir()).
	BinDir string
	// KeepLogs keeps the cluster's directory, logs included, after Stop.
	KeepLogs bool
	// AuditLog makes the API server write its audit log (every change, at
	// the Metadata level) to AuditLogPath; read it with AuditEvents.
	AuditLog bool
}

// User is a user that authenticates to the cluster with a static token.
type User struct {
	Name   string
	Groups []string
}

// Cluster is a running local cluster. Its methods are safe for concurrent
// use.
type Cluster struct {
	dir    string
	logDir string
	server string
	pki    *pki
	tokens map[string]string // user name → token

	mu      sync.Mutex
	procs   []*process // in start order
	stopped bool
	keep    bool // keep the directory on Stop: asked for, or something failed
}

// Dir returns the cluster's temporary directory (certificates, kubeconfigs,
// etcd data, logs).
func (c *Cluster) Dir() string { return c.dir }

// LogDir returns the directory holding one log file per component.
func (c *Cluster) LogDir() string { return c.logDir }

// withDefaults fills in the defaults and checks the options.
func (o Options) withDefaults() (Options, error) {
	if o.Nodes == 0 {
		o.Nodes = 2
	}
	switch {
	case o.GPUNodes == 0:
		o.GPUNodes = 1
	case o.GPUNodes < 0:
		o.GPUNodes = 0
	}
	if o.Nodes < 1 || o.GPUNodes > o.Nodes {
		return o, fmt.Errorf("local cluster: want at least one node and no more GPU nodes than nodes (nodes %d, GPU nodes %d)", o.Nodes, o.GPUNodes)
	}
	if o.BinDir == "" {
		o.BinDir = DefaultBinDir()
	}
	seen := map[string]bool{AdminUser: true, ServerUser: true}
	for _, u := range o.Users {
		if u.Name == "" || seen[u.Name] || strings.ContainsAny(u.Name, ",\"\n") {
			return o, fmt.Errorf("local cluster: user name %q is empty, reserved, repeated or contains , or \"", u.Name)
		}
		seen[u.Name] = true
	}
	return o, nil
}

// Start starts a cluster and returns once it is ready: the API server
// answers /readyz, every node is Ready, the controller manager has made the
// default ServiceAccount and the scheduler is healthy. It gives up after 90
// seconds or when ctx ends; the error then names the component at fault and
// its log, which is kept.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := CheckBinaries(opts.BinDir); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, startBudget)
	defer cancel()
	// A port found free may be taken by another program before a component
	// binds it; then start again with new ports.
	for attempt := 1; ; attempt++ {
		c, err := start(ctx, opts)
		if err == nil || !errors.Is(err, errPortTaken) || attempt == 3 {
			return c, err
		}
	}
}

// start makes one attempt at starting a cluster.
func start(ctx context.Context, opts Options) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "kubedeck-cluster-")
	if err != nil {
		return nil, fmt.Errorf("local cluster: %w", err)
	}
	c := &Cluster{dir: dir, logDir: filepath.Join(dir, "logs"), keep: opts.KeepLogs}
	if err := c.run(ctx, opts); err != nil {
		if !errors.Is(err, errPortTaken) {
			c.keep = true
		}
		if stopErr := c.Stop(); stopErr != nil {
			err = errors.Join(err, stopErr)
		}
		if c.keep {
			return nil, fmt.Errorf("local cluster: %w (logs kept in %s)", err, c.logDir)
		}
		return nil, fmt.Errorf("local cluster: %w", err)
	}
	return c, nil
}

// Stop stops every process of the cluster (SIGTERM, then SIGKILL after a
// few seconds) and waits for them to exit, then removes the cluster's
// directory unless Options.KeepLogs was set or something failed. Calling it
// again does nothing.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true

	// Clients first, all at once, then the API server, then etcd.
	var errs []error
	var clients, servers []*process
	for _, p := range c.procs {
		if p.name == "etcd" || p.name == "kube-apiserver" {
			servers = append([]*process{p}, servers...)
			continue
		}
		clients = append(clients, p)
	}
	errCh := make(chan error, len(clients))
	for _, p := range clients {
		go func() { errCh <- p.stop() }()
	}
	for range clients {
		errs = append(errs, <-errCh)
	}
	for _, p := range servers {
		errs = append(errs, p.stop())
	}
	if err := errors.Join(errs...); err != nil {
		c.keep = true
		return fmt.Errorf("stop local cluster (directory kept: %s): %w", c.dir, err)
	}
	if !c.keep {
		if err := os.RemoveAll(c.dir); err != nil {
			return fmt.Errorf("stop local cluster: %w", err)
		}
	}
	return nil
}

// keepLogs makes Stop keep the cluster's directory.
func (c *Cluster) keepLogs() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keep = true
}

// pids returns the process ids of the running components, by name.
func (c *Cluster) pids() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.procs))
	for _, p := range c.procs {
		m[p.name] = p.pid()
	}
	return m
}
