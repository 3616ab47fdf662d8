//go:build unix

package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The WebSocket benchmarks run the hub in a process of its own (this test
// binary started again, running benchServerMain), so that what they
// measure of the server (CPU, heap, goroutines) is the server's alone and
// the clients' goroutines do not share its scheduler. Events are injected
// at the hub's fan-out (hub.publish) with their send time in the row's
// resourceVersion; the clients, real WebSocket clients over loopback, take
// the latency on receipt. Both processes share the machine's cores.

// benchServer is the hub process, seen from the benchmark.
type benchServer struct {
	hubURL, ctlURL string
}

// startBenchServer starts the hub process, pinging every ping.
func startBenchServer(b *testing.B, ping time.Duration) *benchServer {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), benchServerEnv+"="+ping.String()) // see benchServerMain
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var stderr bytes.Buffer // shown when the process fails to start
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close() // the process ends when its stdin does
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if f := strings.Fields(lines.Text()); len(f) == 3 && f[0] == "BENCH-SERVER" {
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return &benchServer{hubURL: f[1], ctlURL: f[2]}
		}
	}
	_ = cmd.Wait()
	b.Fatalf("the hub process did not start: %v\n%s", lines.Err(), stderr.Bytes())
	return nil
}

// benchServerEnv carries the ping interval to the hub process.
const benchServerEnv = "KUBEDECK_WS_BENCH_SERVER"

// benchStats is what the hub process reports of itself.
type benchStats struct {
	HeapInuse  uint64
	RSS        uint64
	Goroutines int
	CPU        time.Duration // user and system time since the process started
	Conns      int
	Subs       int
}

func (bs *benchServer) get(b *testing.B, path string, out any) {
	b.Helper()
	resp, err := http.Get(bs.ctlURL + path)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %s", path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			b.Fatal(err)
		}
	}
}

// publish has the hub fan out count events, numbered from first.
func (bs *benchServer) publish(b *testing.B, first, count int) {
	bs.get(b, fmt.Sprintf("/publish?first=%d&count=%d", first, count), nil)
}

func (bs *benchServer) stats(b *testing.B) benchStats {
	var st benchStats
	bs.get(b, "/stats", &st)
	return st
}

// waitSubs waits until the hub holds n subscriptions.
func (bs *benchServer) waitSubs(b *testing.B, n int) benchStats {
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := bs.stats(b)
		if st.Subs >= n {
			return st
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d clients subscribed", st.Subs, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// benchClients are n WebSocket clients, each subscribed to pods in
// namespace "bench", recording each event's latency on receipt.
type benchClients struct {
	conns     []*websocket.Conn
	latencies [][]time.Duration // per client
	received  atomic.Int64      // events, all clients together
	resyncs   atomic.Int64
	wg        sync.WaitGroup
}

func dialBenchClients(b *testing.B, bs *benchServer, n int) *benchClients {
	b.Helper()
	bc := &benchClients{latencies: make([][]time.Duration, n)}
	b.Cleanup(bc.close)
	sub := []byte(`{"type":"subscribe:resources","id":"p","data":{"kind":"pods","namespace":"bench"}}`)
	for i := range n {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		h := http.Header{}
		h.Set(headerUser, fmt.Sprint("bench-", i))
		h.Set(headerProxySecret, testProxySecret)
		conn, _, err := websocket.Dial(ctx, bs.hubURL+"/api/v1/ws", &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			err = conn.Write(ctx, websocket.MessageText, sub)
		}
		cancel()
		if err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
		conn.SetReadLimit(1 << 20)
		bc.conns = append(bc.conns, conn)
		bc.wg.Add(1)
		go bc.read(i, conn)
	}
	bs.waitSubs(b, n)
	return bc
}

var (
	sentKey   = []byte(`"resourceVersion":"`)
	resyncKey = []byte(`"type":"resync"`)
)

func (bc *benchClients) read(i int, conn *websocket.Conn) {
	defer bc.wg.Done()
	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return
		}
		at := bytes.Index(data, sentKey)
		if at < 0 {
			if bytes.Contains(data, resyncKey) {
				bc.resyncs.Add(1)
			}
			continue
		}
		rest := data[at+len(sentKey):]
		end := bytes.IndexByte(rest, '"')
		sent, err := strconv.ParseInt(string(rest[:max(end, 0)]), 10, 64)
		if err != nil {
			continue
		}
		bc.latencies[i] = append(bc.latencies[i], time.Duration(time.Now().UnixNano()-sent))
		bc.received.Add(1)
	}
}

func (bc *benchClients) close() {
	for _, c := range bc.conns {
		_ = c.CloseNow()
	}
	bc.wg.Wait()
}

// waitReceived waits until the clients have received n events in all
// (counting a resync for the events it replaced).
func (bc *benchClients) waitReceived(b *testing.B, n int64) {
	deadline := time.Now().Add(60 * time.Second)
	for bc.received.Load() < n && bc.resyncs.Load() == 0 {
		if time.Now().After(deadline) {
			b.Fatalf("clients received %d events of %d", bc.received.Load(), n)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// report puts the latency percentiles in the benchmark's output.
func (bc *benchClients) report(b *testing.B) {
	var all []time.Duration
	for _, l := range bc.latencies {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(bc.resyncs.Load()), "resyncs")
}

// BenchmarkWSLatency measures the time from an event entering the hub's
// fan-out to its receipt by each client, one event at a time (the next is
// published once every client has the last): p50 and p99 over all
// receipts, and the hub process's CPU time per event.
func BenchmarkWSLatency(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			bs := startBenchServer(b, 30*time.Second)
			bc := dialBenchClients(b, bs, n)
			before := bs.stats(b)
			b.ResetTimer()
			for i := range b.N {
				bs.publish(b, i, 1)
				bc.waitReceived(b, int64(i+1)*int64(n))
			}
			b.StopTimer()
			after := bs.stats(b)
			bc.report(b)
			b.ReportMetric(float64((after.CPU-before.CPU).Microseconds())/float64(b.N), "server-cpu-µs/event")
		})
	}
}

// BenchmarkWSFanout measures throughput: events published in bursts of 64,
// the next burst once the clients have all but the last burst, and the
// latency under that load.
func BenchmarkWSFanout(b *testing.B) {
	const burst = 64
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			bs := startBenchServer(b, 30*time.Second)
			bc := dialBenchClients(b, bs, n)
			before := bs.stats(b)
			start := time.Now()
			b.ResetTimer()
			for sent := 0; sent < b.N; {
				k := min(burst, b.N-sent)
				bs.publish(b, sent, k)
				bc.waitReceived(b, int64(sent)*int64(n)) // all but this burst
				sent += k
			}
			bc.waitReceived(b, int64(b.N)*int64(n))
			b.StopTimer()
			secs := time.Since(start).Seconds()
			after := bs.stats(b)
			b.ReportMetric(float64(b.N)/secs, "events/s")
			b.ReportMetric(float64(bc.received.Load())/secs, "deliveries/s")
			b.ReportMetric(float64((after.CPU-before.CPU).Microseconds())/float64(bc.received.Load()), "server-cpu-µs/delivery")
			bc.report(b)
		})
	}
}

// BenchmarkWSIdleConnections measures the hub process with 1,000 idle
// subscribed connections: heap, RSS and goroutines per connection, and CPU
// time while idle, pinging every 5 s (six times the default rate, so the
// window sees three rounds of pings).
func BenchmarkWSIdleConnections(b *testing.B) {
	const (
		n    = 1000
		idle = 15 * time.Second
	)
	for range b.N {
		bs := startBenchServer(b, 5*time.Second)
		base := bs.stats(b)
		dialBenchClients(b, bs, n)
		loaded := bs.stats(b)
		time.Sleep(idle)
		rested := bs.stats(b)
		b.ReportMetric(float64(int64(loaded.HeapInuse)-int64(base.HeapInuse))/n/1024, "heap-KiB/conn")
		b.ReportMetric(float64(int64(loaded.RSS)-int64(base.RSS))/n/1024, "rss-KiB/conn")
		b.ReportMetric(float64(loaded.Goroutines-base.Goroutines)/n, "goroutines/conn")
		b.ReportMetric(float64(loaded.HeapInuse)/(1<<20), "heap-MiB")
		b.ReportMetric(float64((rested.CPU-loaded.CPU).Microseconds())/1000/idle.Seconds(), "idle-cpu-ms/s")
	}
}
