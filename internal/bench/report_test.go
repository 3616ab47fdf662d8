package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestThousands(t *testing.T) {
	tests := map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -4200: "-4,200"}
	for n, want := range tests {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func sampleResult() result {
	return result{
		Pods: 100_000, Namespaces: 1000, LoadAverage: "1.50 1.20 0.90", CreatedPods: 90_000, CreateSeconds: 300, RunningSeconds: 420, SyncSeconds: 2.5,
		DirectList: latency{N: 2, P50: 9000, P99: 9500, Max: 9500},
		Lists: []shapeResult{
			{Shape: "all, page 1, by age", latency: latency{N: 300, P50: 3, P99: 9}},
			{Shape: "one namespace, by name", latency: latency{N: 300, P50: 0.5, P99: 1.25}},
		},
		Throughput: throughput{Clients: 16, Users: 64, Requests: 8000, Seconds: 4, PerSecond: 2000, latency: latency{P50: 7, P99: 30}},
		Flood:      floodResult{Concurrent: 1000, Seconds: 3, Requests: 20000, Limited: 19000, Share429: 0.95, Calm: latency{N: 40, P50: 20, P99: 80}},
		Memory:     memory{RSS: 700, Heap: 400},
		Cold:       []pageLoad{{FirstRow: 900, WasmTransfer: 300, WasmInstantiate: 500, WasmAfterTransfer: 200}},
		Warm:       []pageLoad{{FirstRow: 300, WasmInstantiate: 150, FromWorker: true}, {FirstRow: 350, WasmInstantiate: 160, FromWorker: true}},
	}
}

func TestTable(t *testing.T) {
	var b strings.Builder
	m := machine{CPUs: 2, Model: "AMD EPYC", MemoryGi: 23.4, Commit: "abc1234", When: "2026-12-08"}
	if err := sampleResult().table(&b, m, sizes{Wasm: 25_344_030, Brotli: 3_492_860, Gzip: 5_088_958, Binary: 90_000_000}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"### 100,000 pods in 1,000 namespaces\n",
		"2 × AMD EPYC, 23 GiB, commit abc1234, 2026-12-08; load average 1.50 1.20 0.90 as",
		"| create 90,000 pods (then all Running) | 300.0 s (420.0 s) |  |",
		"| list: all, page 1, by age | p50 3.00 ms, p99 9.00 ms (300 req) | p99 < 20 ms |",
		"| list: one namespace, by name | p50 0.50 ms, p99 1.25 ms (300 req) | p99 < 5 ms |",
		"| throughput, 16 clients, page 1 by age | 2000 req/s, p50 7.00 ms, p99 30.00 ms (8,000 req over 64 users) |",
		"95.0% of 20,000 answered 429; another user: p50 20.00 ms, p99 80.00 ms (40 req)",
		"RSS 700 MiB, Go heap in use 400 MiB | < 1 GB RSS |",
		"| Chromium warm load (service worker) to first row | median 300 ms (300–350, 2 loads);",
		"2 of 2 from the service worker",
		"| app.wasm raw / brotli / gzip | 25.34 MB / 3.49 MB / 5.09 MB |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q; it is:\n%s", want, got)
		}
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	want := report{Machine: machine{CPUs: 2, Model: "AMD EPYC"}, Sizes: sizes{Wasm: 1}, Results: []result{sampleResult()}}
	path := filepath.Join(t.TempDir(), "results.json")
	if err := want.write(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got report
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	// The latency embedded in the results is an unexported field to cmp.
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(shapeResult{}, throughput{})); diff != "" {
		t.Errorf("report after a JSON round trip (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(b), `"p99_ms": 9`) {
		t.Errorf("the JSON names latencies in milliseconds: %s", b)
	}
}
