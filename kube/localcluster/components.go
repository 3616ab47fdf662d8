package localcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// errPortTaken marks a start that failed because a component could not bind
// its port.
var errPortTaken = errors.New("a port chosen for the cluster was taken")

// files are the generated files the components read.
type files struct {
	tokens     string // token-auth-file
	kubeconfig string // admin kubeconfig for the other components
	kwokConfig string // kwok's stages
}

// ports are the loopback ports of one cluster.
type ports struct {
	etcd, etcdPeer, apiserver, controllerManager, scheduler int
	kubelet                                                 int // kwok's kubelet server, for every node
}

// run prepares the cluster's files, starts the components in order and
// waits for each to be ready.
func (c *Cluster) run(ctx context.Context, opts Options) error {
	if err := os.MkdirAll(c.logDir, 0o700); err != nil {
		return err
	}
	free, err := freePorts(6)
	if err != nil {
		return err
	}
	pt := ports{free[0], free[1], free[2], free[3], free[4], free[5]}
	c.server = "https://127.0.0.1:" + strconv.Itoa(pt.apiserver)

	if c.pki, err = newPKI(c.dir); err != nil {
		return err
	}
	f := files{
		tokens:     filepath.Join(c.dir, "tokens.csv"),
		kubeconfig: filepath.Join(c.dir, "admin.kubeconfig"),
		kwokConfig: filepath.Join(c.dir, "kwok.yaml"),
	}
	if err := c.writeTokens(f.tokens, opts.Users); err != nil {
		return err
	}
	if err := writeKubeconfig(f.kubeconfig, c.server, c.pki.caPEM, AdminUser, c.tokens[AdminUser]); err != nil {
		return err
	}
	debug := newDebugFiles(c.dir)
	if err := debug.write(time.Now()); err != nil {
		return err
	}
	if err := writeStages(filepath.Join(opts.BinDir, "stages"), f.kwokConfig, debug); err != nil {
		return err
	}

	admin, err := c.adminClient()
	if err != nil {
		return err
	}
	bin := func(name string) string { return filepath.Join(opts.BinDir, name) }
	if err := c.launch("etcd", bin("etcd"), c.etcdArgs(pt)); err != nil {
		return err
	}
	if err := c.waitFor(ctx, "etcd", etcdHealthy(pt.etcd)); err != nil {
		return err
	}
	apiserverArgs, err := c.withAudit(opts, c.apiserverArgs(pt, f))
	if err != nil {
		return err
	}
	if err := c.launch("kube-apiserver", bin("kube-apiserver"), apiserverArgs); err != nil {
		return err
	}
	if err := c.waitFor(ctx, "kube-apiserver", apiserverReady(admin)); err != nil {
		return err
	}
	if err := installLogsCRD(ctx, c.AdminConfig(), opts.BinDir); err != nil {
		return err
	}
	launches := []struct {
		name string
		args []string
	}{
		{"kube-controller-manager", c.controllerManagerArgs(pt, f)},
		{"kube-scheduler", c.schedulerArgs(pt, f)},
		{"kwok", c.kwokArgs(pt, f)},
	}
	for _, l := range launches {
		if err := c.launch(l.name, bin(l.name), l.args); err != nil {
			return err
		}
	}
	if err := createNodes(ctx, admin, opts.Nodes, opts.GPUNodes); err != nil {
		return err
	}
	checks := []struct {
		component string
		check     check
	}{
		{"kwok", allNodesReady(admin, opts.Nodes)},
		{"kwok", serverHealthy(pt.kubelet)},
		{"kwok", logsCRDEstablished(c.AdminConfig())},
		{"kube-controller-manager", serverHealthy(pt.controllerManager)},
		{"kube-controller-manager", defaultServiceAccount(admin)},
		{"kube-scheduler", serverHealthy(pt.scheduler)},
	}
	for _, ch := range checks {
		if err := c.waitFor(ctx, ch.component, ch.check); err != nil {
			return err
		}
	}
	return nil
}

// launch starts one component and records it for Stop.
func (c *Cluster) launch(name, bin string, args []string) error {
	p, err := startProcess(name, bin, args, c.logDir)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.procs = append(c.procs, p)
	return nil
}

// writeTokens makes a token for the built-in and the extra users and writes
// the API server's token-auth-file (token,user,uid,"group1,group2").
func (c *Cluster) writeTokens(path string, extra []User) error {
	users := append([]User{
		{Name: AdminUser, Groups: []string{"system:masters"}},
		{Name: ServerUser, Groups: []string{ServerUser}},
	}, extra...)
	c.tokens = make(map[string]string, len(users))
	var b strings.Builder
	for _, u := range users {
		token, err := newToken()
		if err != nil {
			return err
		}
		c.tokens[u.Name] = token
		fmt.Fprintf(&b, "%s,%s,%s,%q\n", token, u.Name, u.Name, strings.Join(u.Groups, ","))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	return nil
}

func (c *Cluster) etcdArgs(pt ports) []string {
	client := "http://127.0.0.1:" + strconv.Itoa(pt.etcd)
	peer := "http://127.0.0.1:" + strconv.Itoa(pt.etcdPeer)
	return []string{
		"--name=default",
		"--data-dir=" + filepath.Join(c.dir, "etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=default=" + peer,
		"--unsafe-no-fsync", // throwaway data: durability buys nothing
		"--log-level=warn",
	}
}

func (c *Cluster) apiserverArgs(pt ports, f files) []string {
	return []string{
		"--etcd-servers=http://127.0.0.1:" + strconv.Itoa(pt.etcd),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(pt.apiserver),
		"--tls-cert-file=" + c.pki.certFile,
		"--tls-private-key-file=" + c.pki.keyFile,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + c.pki.saPubFile,
		"--service-account-signing-key-file=" + c.pki.saKeyFile,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=Node,RBAC",
		"--token-auth-file=" + f.tokens,
		"--allow-privileged=true",
		// kwok plays the kubelets, on loopback (see debugging.go).
		"--kubelet-preferred-address-types=" + kubeletAddressType,
		// The "kubernetes" Service's endpoint would be 127.0.0.1, which
		// Endpoints validation rejects; nothing here needs it.
		"--endpoint-reconciler-type=none",
		"--profiling=false",
	}
}

func (c *Cluster) controllerManagerArgs(pt ports, f files) []string {
	return []string{
		"--kubeconfig=" + f.kubeconfig,
		"--authentication-kubeconfig=" + f.kubeconfig,
		"--authorization-kubeconfig=" + f.kubeconfig,
		"--authentication-skip-lookup=true", // no client CA ConfigMap to find
		"--service-account-private-key-file=" + c.pki.saKeyFile,
		"--root-ca-file=" + c.pki.caFile,
		"--leader-elect=false",
		"--controllers=*",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(pt.controllerManager),
		"--cert-dir=" + filepath.Join(c.dir, "kube-controller-manager"),
		"--profiling=false",
	}
}

func (c *Cluster) schedulerArgs(pt ports, f files) []string {
	return []string{
		"--kubeconfig=" + f.kubeconfig,
		"--authentication-kubeconfig=" + f.kubeconfig,
		"--authorization-kubeconfig=" + f.kubeconfig,
		"--authentication-skip-lookup=true",
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(pt.scheduler),
		"--cert-dir=" + filepath.Join(c.dir, "kube-scheduler"),
		"--profiling=false",
	}
}

func (c *Cluster) kwokArgs(pt ports, f files) []string {
	return []string{
		// kwok's kubelet server: logs and exec, reached by the API server.
		"--server-address=127.0.0.1:" + strconv.Itoa(pt.kubelet),
		"--node-port=" + strconv.Itoa(pt.kubelet),
		"--enable-crds=Logs",
		"--kubeconfig=" + f.kubeconfig,
		"--manage-all-nodes=true",
		"--config=" + f.kwokConfig,
		"--cidr=10.244.0.0/16", // pod IPs, apart from the service range
		// Renewed leases are the nodes' heartbeat; without them the node
		// lifecycle controller marks the nodes unreachable after 40 s.
		"--node-lease-duration-seconds=40",
	}
}
