//go:build unix

package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

func init() { helperMain = benchServerMain }

// benchServerMain runs this test binary as the hub process of the
// WebSocket benchmarks when they start it (benchServerEnv set), instead of
// the tests.
func benchServerMain() (code int, ran bool) {
	env, ok := os.LookupEnv(benchServerEnv)
	if !ok {
		return 0, false
	}
	ping, err := time.ParseDuration(env)
	if err == nil {
		err = runBenchServer(ping)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "websocket benchmark hub:", err)
		return 1, true
	}
	return 0, true
}

// runBenchServer serves a hub with synthetic events, and a control server
// where the benchmark has events published (/publish) and reads the
// process's figures (/stats). It prints both addresses and serves until
// its stdin closes.
func runBenchServer(ping time.Duration) error {
	s, err := newSyntheticHub(Config{TrustedProxies: loopbackProxies, ShutdownTimeout: 5 * time.Second,
		WebSocket: WebSocketConfig{PingInterval: ping, MaxConnsPerUser: 1, QueueLimit: 4096}}, syntheticAuthorizer)
	if err != nil {
		return err
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctl := http.NewServeMux()
	ctl.HandleFunc("GET /publish", func(w http.ResponseWriter, r *http.Request) {
		first, _ := strconv.Atoi(r.URL.Query().Get("first"))
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		for i := first; i < first+count; i++ {
			s.hub.publish(benchEvent(i))
		}
	})
	ctl.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		hs := s.hub.stats()
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		_ = json.NewEncoder(w).Encode(benchStats{HeapInuse: ms.HeapInuse, RSS: residentBytes(),
			Goroutines: runtime.NumGoroutine(), CPU: cpu, Conns: hs.conns, Subs: hs.subs})
	})
	cs := httptest.NewServer(ctl)
	defer cs.Close()
	fmt.Printf("BENCH-SERVER %s %s\n", "ws"+strings.TrimPrefix(ts.URL, "http"), cs.URL)
	in := bufio.NewReader(os.Stdin)
	for {
		if _, err := in.ReadByte(); err != nil {
			return nil
		}
	}
}

// residentBytes is the process's resident set size (0 where /proc is not).
func residentBytes() uint64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// benchEvent is an update of pod i whose row carries its send time.
func benchEvent(i int) kube.Event {
	return kube.Event{Type: kube.Updated, Kind: "pods", Row: shared.Row{
		UID: "uid-" + strconv.Itoa(i), Kind: "Pod", Namespace: "bench", Name: "pod-" + strconv.Itoa(i),
		Status: "Running", Level: shared.LevelOK, Created: 1700000000,
		Labels: map[string]string{"app": "bench", "pod-template-hash": "6d9f7c"},
		Cells:  map[string]string{"ready": "1/1", "restarts": "0", "node": "kwok-node-1", "ip": "10.0.0.12"},
		// The send time, read back by the clients.
		Version: strconv.FormatInt(time.Now().UnixNano(), 10),
	}}
}
