package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// describeMachine says what the benchmark runs on and at which commit.
func describeMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), Model: procField("/proc/cpuinfo", "model name"), When: time.Now().UTC().Format("2006-01-02")}
	if kb, err := strconv.ParseFloat(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 64); err == nil {
		m.MemoryGi = kb / (1 << 20)
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		m.Commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
			m.Commit += "-dirty"
		}
	}
	return m
}

// procField returns the value of the first "name: value" line of a /proc
// file, or "unknown".
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// artifactSizes stats the built UI, its precompressed copies and the
// server binary; a missing file counts 0.
// The raw WASM is bin/app.wasm; the server embeds only web/app.wasm.br and
// .gz (make wasm).
func artifactSizes(raw, web, binary string) sizes {
	size := func(path string) int64 {
		fi, err := os.Stat(path)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	return sizes{Wasm: size(raw), Brotli: size(web + ".br"), Gzip: size(web + ".gz"), Binary: size(binary)}
}

// loadAverage returns the 1, 5 and 15 minute load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
