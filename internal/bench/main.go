// Command bench is `make bench`: it starts the local cluster, fills it with
// kwok pods (10,000 in 100 namespaces, then 100,000 in 1,000) and at each
// size measures a real Kubedeck server process through its HTTP API (list
// latency per query shape, throughput, a one-user flood against the read
// budget, memory), a direct API server list for scale, and the first load
// of the pods page in Chromium. It prints one Markdown table per size and
// writes every figure as JSON.
//
//	go run ./internal/bench -sizes 10000,100000 -out bench/results.json
//
// Figures are wall-clock times on whatever else the machine is doing: run
// it on an idle machine, and compare runs of the same machine only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// options are the benchmark's flags.
type options struct {
	sizes       []int
	out         string
	kubedeck    string
	wasm        string
	chromium    string
	workers     int
	warmup      int
	requests    int
	seqUsers    int
	clients     int
	loadTotal   int
	loadUsers   int
	flood       int
	floodFor    time.Duration
	directRuns  int
	browserRuns int
	reloads     int
	browserMax  int
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizes := fs.String("sizes", "10000,100000", "comma-separated pod counts, growing; each a multiple of 100")
	smoke := fs.Bool("smoke", false, "a quick run that checks the benchmark works: 200 pods, few requests, one browser load")
	fs.StringVar(&o.out, "out", "bench/results.json", "where the JSON results go")
	fs.StringVar(&o.kubedeck, "kubedeck", "bin/kubedeck", "the server binary (make build)")
	fs.StringVar(&o.wasm, "wasm", "bin/app.wasm", "the built UI, whose size is reported (and web/app.wasm.br, .gz)")
	fs.StringVar(&o.chromium, "chromium", "chromium", "the Chromium to load the page in")
	fs.IntVar(&o.workers, "workers", 32, "create requests in flight while filling the cluster")
	fs.IntVar(&o.warmup, "warmup", 30, "untimed requests before each query shape")
	fs.IntVar(&o.requests, "requests", 300, "timed requests per query shape, one at a time")
	fs.IntVar(&o.seqUsers, "seq-users", 32, "users the one-at-a-time requests go round (each has the default read budget)")
	fs.IntVar(&o.clients, "clients", 16, "concurrent clients of the throughput run")
	fs.IntVar(&o.loadTotal, "load-requests", 8000, "requests of the throughput run")
	fs.IntVar(&o.loadUsers, "load-users", 64, "users the throughput run is spread over")
	fs.IntVar(&o.flood, "flood", 1000, "requests one user keeps in flight in the flood")
	fs.DurationVar(&o.floodFor, "flood-for", 3*time.Second, "how long the flood lasts")
	fs.IntVar(&o.directRuns, "direct-runs", 3, "direct lists of all pods from the API server")
	fs.IntVar(&o.browserRuns, "browser-runs", 3, "fresh Chromium profiles (cold loads); 0 skips the browser")
	fs.IntVar(&o.reloads, "reloads", 2, "warm reloads in each profile")
	fs.IntVar(&o.browserMax, "browser-max", 100000, "the largest size the browser loads run at")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *smoke {
		*sizes = "200"
		o.warmup, o.requests, o.loadTotal, o.flood, o.floodFor, o.directRuns, o.browserRuns, o.reloads =
			2, 10, 200, 50, time.Second, 1, 1, 1
	}
	prev := 0
	for f := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= prev || n%podsPerNamespace != 0 {
			return o, fmt.Errorf("-sizes: want growing multiples of %d, not %q", podsPerNamespace, *sizes)
		}
		o.sizes, prev = append(o.sizes, n), n
	}
	return o, nil
}

func main() {
	o, err := parseOptions(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

// run starts the cluster and the server, and measures at each size. It
// stops everything it started before it returns, on error or interrupt
// too.
func run(ctx context.Context, o options, out *os.File) (err error) {
	rep := report{Machine: describeMachine(), Sizes: artifactSizes(o.wasm, "web/app.wasm", o.kubedeck)}
	dir, err := os.MkdirTemp("", "kubedeck-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if err == nil {
			os.RemoveAll(dir)
		}
	}()
	step := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	step("starting the local cluster")
	cl, err := startCluster(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, cl.stop()) }()

	var srv *server
	var proxy *identityProxy
	defer func() {
		if proxy != nil {
			proxy.stop()
		}
		if srv != nil {
			err = errors.Join(err, srv.stop())
		}
	}()
	have := 0
	for _, size := range o.sizes {
		res := result{Pods: size, Namespaces: size / podsPerNamespace, CreatedPods: size - have}
		step("creating %s pods (%d in flight)", thousands(size-have), o.workers)
		created := time.Now()
		if err := cl.grow(ctx, have, size, o.workers); err != nil {
			return err
		}
		res.CreateSeconds = time.Since(created).Seconds()
		step("created in %.1f s", res.CreateSeconds)
		have = size
		counting := time.Now() // the server's cache counts from its start, or from the end of the creation
		if srv == nil {
			step("starting %s", o.kubedeck)
			// Access decisions are kept for 10 minutes, so that the
			// figures are of the cache, not of access reviews.
			if srv, err = startServer(ctx, o.kubedeck, cl.kubeconfig, dir, []string{"--access-ttl", "10m"}); err != nil {
				return err
			}
			if proxy, err = startIdentityProxy(srv, "bench-browser"); err != nil {
				return err
			}
		}
		wait := time.Duration(size/100+60) * time.Second
		if _, err := srv.waitForTotal(ctx, "bench-setup", "bench-", size, wait); err != nil {
			return fmt.Errorf("%w (server log: %s)", err, srv.log)
		}
		res.SyncSeconds = time.Since(counting).Seconds()
		step("the server counts them all after %.1f s; waiting until kwok has them Running", res.SyncSeconds)
		if _, err := srv.waitForTotal(ctx, "bench-setup", "bench- running", size, 10*wait); err != nil {
			return err
		}
		res.RunningSeconds = time.Since(created).Seconds()
		step("all Running %.1f s after the creation began", res.RunningSeconds)
		if err := measure(ctx, o, cl, srv, proxy, &res, step); err != nil {
			return err
		}
		if err := res.table(out, rep.Machine, rep.Sizes); err != nil {
			return err
		}
		rep.Results = append(rep.Results, res)
		if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
			return err
		}
		if err := rep.write(o.out); err != nil {
			return err
		}
		step("results written to %s", o.out)
	}
	return nil
}

// measure takes every figure at one size into res.
func measure(ctx context.Context, o options, cl *cluster, srv *server, proxy *identityProxy, res *result, step func(string, ...any)) error {
	var err error
	res.LoadAverage = loadAverage()
	step("direct lists of all pods from the API server")
	ds, err := cl.directList(ctx, o.directRuns, res.Pods)
	if err != nil {
		return err
	}
	res.DirectList = summarize(ds)
	keys, err := srv.podSortKeys(ctx, "bench-setup")
	if err != nil {
		return err
	}
	shapes := listShapes(res.Pods, keys, namespaceName(res.Namespaces/2), podName(res.Pods / 2)[:len("pod-")+4])
	step("timing %d query shapes, %d requests each", len(shapes), o.requests)
	if res.Lists, err = timeShapes(ctx, srv, shapes, o.warmup, o.requests, o.seqUsers); err != nil {
		return err
	}
	page1 := shapes[0].Path()
	step("throughput: %d clients", o.clients)
	if res.Throughput, err = load(ctx, srv, page1, o.clients, o.loadTotal, o.loadUsers); err != nil {
		return err
	}
	step("one user floods with %d requests in flight", o.flood)
	if _, _, err := srv.get(ctx, "bench-calm", page1); err != nil { // its access review, before the flood
		return err
	}
	if res.Flood, err = flood(ctx, srv, page1, o.flood, o.floodFor); err != nil {
		return err
	}
	if o.browserRuns > 0 && res.Pods <= o.browserMax {
		step("Chromium: %d cold loads, %d warm reloads each", o.browserRuns, o.reloads)
		if res.Cold, res.Warm, err = browserLoads(ctx, o.chromium, proxy.url, o.browserRuns, o.reloads); err != nil {
			return err
		}
	}
	if res.Memory, err = srv.memory(ctx); err != nil {
		return err
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("Kubedeck runs in proxy auth mode with its default read budget per user; the benchmark plays oauth2-proxy, spreading the one-at-a-time requests over %d users and the throughput run over %d, and keeps access decisions 10 minutes (--access-ttl 10m).", o.seqUsers, o.loadUsers),
		"The flood row keeps "+strconv.Itoa(o.flood)+" requests of one user in flight while a second user sends one at a time; the machine's two cores serve both.")
	return nil
}
