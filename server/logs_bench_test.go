package server

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// BenchmarkLogFollow measures a followed log on the real cluster: a line
// appended to a pod's log file (as its container would write it) until it
// reaches followers over the WebSocket, through the API server and kwok's
// kubelet server. With n followers of the same pod (each its own stream on
// the API server), it reports the latency to every follower (p50, p99),
// and the memory (heap and stacks, the test's clients included: an upper
// bound) per open follow.
func BenchmarkLogFollow(b *testing.B) {
	for _, n := range []int{1, 100} {
		b.Run(fmt.Sprintf("followers=%d", n), func(b *testing.B) { benchLogFollow(b, n) })
	}
}

func benchLogFollow(b *testing.B, n int) {
	f := newLogFixture(b, Config{Logs: LogConfig{MaxStreamsPerUser: n}, WebSocket: WebSocketConfig{MaxConnsPerUser: n}})
	f.runPod(b, "bench", nil)
	file, _ := f.serveLogs(b, "bench", time.Now(), "start")
	q := shared.LogQuery{Kind: "pods", Namespace: f.ns, Name: "bench", TailLines: 1}

	before := memInUse()
	clients := make([]*wsClient, n)
	for i := range clients {
		c := dialWS(b, f.ts, "log-lena")
		m := followLogs(b, c, "l", q)
		for m.Logs == nil || !slices.ContainsFunc(m.Logs.Lines, func(l shared.LogLine) bool { return l.Text == "start" }) {
			if m.Type == shared.WSError {
				b.Fatalf("follow %d refused: %+v", i, m.Error)
			}
			var err error
			if m, err = c.read(10 * time.Second); err != nil {
				b.Fatalf("follow %d: %v", i, err)
			}
		}
		clients[i] = c
	}
	perFollow := float64(memInUse()-before) / float64(n)

	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		text := "line " + strconv.Itoa(i)
		written := time.Now()
		if err := localcluster.AppendPodLog(file, written, text); err != nil {
			b.Fatal(err)
		}
		for _, c := range clients {
			for got := false; !got; {
				m, err := c.read(10 * time.Second)
				if err != nil {
					b.Fatalf("waiting for %q: %v", text, err)
				}
				if m.Logs != nil && slices.ContainsFunc(m.Logs.Lines, func(l shared.LogLine) bool { return l.Text == text }) {
					got = true
					lat = append(lat, time.Since(written))
				}
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(perFollow/1024, "mem-KiB/follow")
}

// memInUse is the live heap and the goroutine stacks after a collection.
func memInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}
