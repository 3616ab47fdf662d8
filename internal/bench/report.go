package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// machine describes where the benchmark ran.
type machine struct {
	CPUs     int     `json:"cpus"`
	Model    string  `json:"cpu_model"`
	MemoryGi float64 `json:"memory_gib"`
	Commit   string  `json:"commit"`
	When     string  `json:"when"`
}

// sizes are the sizes of the built artifacts, in bytes.
type sizes struct {
	Wasm   int64 `json:"app_wasm"`
	Brotli int64 `json:"app_wasm_br"`
	Gzip   int64 `json:"app_wasm_gz"`
	Binary int64 `json:"kubedeck_binary"`
}

// result is everything measured at one size.
type result struct {
	Pods       int `json:"pods"`
	Namespaces int `json:"namespaces"`
	// CreateSeconds is how long creating this size's new pods took, and
	// RunningSeconds how long until the server counted all of them Running.
	CreateSeconds  float64 `json:"create_seconds"`
	CreatedPods    int     `json:"created_pods"`
	RunningSeconds float64 `json:"running_seconds"`
	// SyncSeconds is how long the server took to count every pod, from its
	// start or from the end of the creation.
	SyncSeconds float64       `json:"sync_seconds"`
	DirectList  latency       `json:"direct_list"`
	Lists       []shapeResult `json:"lists"`
	Throughput  throughput    `json:"throughput"`
	Flood       floodResult   `json:"flood"`
	Memory      memory        `json:"server_memory"`
	Cold        []pageLoad    `json:"browser_cold,omitempty"`
	Warm        []pageLoad    `json:"browser_warm,omitempty"`
	// LoadAverage is /proc/loadavg's 1, 5 and 15 minute figures as the
	// measurements began: other work on the machine shows there.
	LoadAverage string   `json:"load_average"`
	Notes       []string `json:"notes,omitempty"`
}

// report is the JSON file the benchmark writes.
type report struct {
	Machine machine  `json:"machine"`
	Sizes   sizes    `json:"sizes"`
	Results []result `json:"results"`
}

func (r report) write(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// table writes the result at one size as a Markdown table: what, the
// figure, and the design's target where it has one.
func (r result) table(w io.Writer, m machine, sz sizes) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s pods in %s namespaces\n\n", thousands(r.Pods), thousands(r.Namespaces))
	fmt.Fprintf(&b, "%d × %s, %.0f GiB, commit %s, %s; load average %s as the measurements began\n\n",
		m.CPUs, m.Model, m.MemoryGi, m.Commit, m.When, r.LoadAverage)
	b.WriteString("| what | measured | target |\n|---|---|---|\n")
	row := func(what, measured, target string) { fmt.Fprintf(&b, "| %s | %s | %s |\n", what, measured, target) }
	listTarget := "p99 < 15 ms"
	if r.Pods > 10_000 {
		listTarget = "p99 < 20 ms"
	}
	row("create "+thousands(r.CreatedPods)+" pods (then all Running)", fmt.Sprintf("%.1f s (%.1f s)", r.CreateSeconds, r.RunningSeconds), "")
	row("server cache counts them all (from its start, or from the end of the creation)", fmt.Sprintf("%.1f s", r.SyncSeconds), "")
	row("direct list of all pods (kubectl get pods -A -o json)", fmt.Sprintf("%s runs: p50 %.0f ms, max %.0f ms", thousands(r.DirectList.N), r.DirectList.P50, r.DirectList.Max), "")
	for _, l := range r.Lists {
		target := listTarget
		if strings.HasPrefix(l.Shape, "one namespace") && r.Pods > 10_000 {
			target = "p99 < 5 ms"
		}
		row("list: "+l.Shape, fmt.Sprintf("p50 %.2f ms, p99 %.2f ms (%d req)", l.P50, l.P99, l.N), target)
	}
	t := r.Throughput
	row(fmt.Sprintf("throughput, %d clients, page 1 by age", t.Clients),
		fmt.Sprintf("%.0f req/s, p50 %.2f ms, p99 %.2f ms (%s req over %d users)", t.PerSecond, t.P50, t.P99, thousands(t.Requests), t.Users),
		"≥ 2,000 req/s at p99 < 50 ms")
	f := r.Flood
	row(fmt.Sprintf("one user floods (%s in flight, %.0f s)", thousands(f.Concurrent), f.Seconds),
		fmt.Sprintf("%.1f%% of %s answered 429; another user: p50 %.2f ms, p99 %.2f ms (%d req)", 100*f.Share429, thousands(f.Requests), f.Calm.P50, f.Calm.P99, f.Calm.N),
		"flood meets the read budget")
	memTarget := "< 250 MB RSS"
	if r.Pods > 10_000 {
		memTarget = "< 1 GB RSS"
	}
	heap := "not exposed"
	if r.Memory.Heap > 0 {
		heap = fmt.Sprintf("%.0f MiB", r.Memory.Heap)
	}
	row("server memory after the runs", fmt.Sprintf("RSS %.0f MiB, Go heap in use %s", r.Memory.RSS, heap), memTarget)
	if len(r.Cold) > 0 {
		row("Chromium cold load to first row", loads(r.Cold), "< 1 s")
		row("Chromium warm load (service worker) to first row", loads(r.Warm), "< 400 ms")
	}
	row("app.wasm raw / brotli / gzip", fmt.Sprintf("%s / %s / %s", mb(sz.Wasm), mb(sz.Brotli), mb(sz.Gzip)), "br ≤ 2.5 MB, gz ≤ 3.5 MB")
	row("bin/kubedeck", mb(sz.Binary), "")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n%s", n)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// loads describes page loads: the median first row, the range, and the
// medians of the WebAssembly parts.
func loads(ls []pageLoad) string {
	if len(ls) == 0 {
		return "none"
	}
	pick := func(f func(pageLoad) float64) (median, lo, hi float64) {
		vs := make([]float64, len(ls))
		for i, l := range ls {
			vs[i] = f(l)
		}
		slices.Sort(vs)
		return vs[(len(vs)-1)/2], vs[0], vs[len(vs)-1]
	}
	row, lo, hi := pick(func(l pageLoad) float64 { return l.FirstRow })
	transfer, _, _ := pick(func(l pageLoad) float64 { return l.WasmTransfer })
	inst, _, _ := pick(func(l pageLoad) float64 { return l.WasmInstantiate })
	after, _, _ := pick(func(l pageLoad) float64 { return l.WasmAfterTransfer })
	worker := 0
	for _, l := range ls {
		if l.FromWorker {
			worker++
		}
	}
	return fmt.Sprintf("median %.0f ms (%.0f–%.0f, %d loads); app.wasm transfer %.0f ms, instantiate %.0f ms (%.0f ms after the last byte); %d of %d from the service worker",
		row, lo, hi, len(ls), transfer, inst, after, worker, len(ls))
}

// thousands writes n with commas: 100000 → "100,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// mb writes a byte count in megabytes (10^6), as the targets are.
func mb(n int64) string {
	if n <= 0 {
		return "missing"
	}
	return fmt.Sprintf("%.2f MB", float64(n)/1e6)
}
