package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// The wizard's benchmarks run on the local cluster, over real HTTP and
// WebSocket connections on loopback, as the browser would: the validation
// with its dry runs, and an app's creation until the first progress event
// and until it is Available (3 replicas; kwok runs the pods).

// reportPercentiles puts the p50 and p95 of ds, in milliseconds, in the
// benchmark's output, named after what.
func reportPercentiles(b *testing.B, what string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	pct := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), what+"-p50-ms")
	b.ReportMetric(pct(0.95), what+"-p95-ms")
}

// requestAs sends body as JSON to ts as user, through the trusted proxy.
func requestAs(b *testing.B, ts *httptest.Server, method, path, user string, body []byte) (int, shared.Envelope) {
	req, err := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerUser, user)
	req.Header.Set(headerProxySecret, testProxySecret)
	resp, err := ts.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var env shared.Envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		b.Fatal(err)
	}
	return resp.StatusCode, env
}

// BenchmarkDeployValidate: POST /api/v1/deployments/validate of a public
// app (a Deployment, Service, Ingress and the Pod: four dry runs as the
// user).
func BenchmarkDeployValidate(b *testing.B) {
	// A validation is a POST, so it spends the per-user write budget,
	// which is not what is measured.
	f := newDeployFixture(b, Config{TrustedProxies: loopbackProxies, WritesPerMinute: 1 << 20, WriteBurst: 1 << 10})
	ts := httptest.NewServer(f.s.Handler())
	defer ts.Close()
	ns := f.namespace(b, "bench-validate")
	f.bind(b, "bench", "edit", ns)
	body, _ := json.Marshal(webSpec(ns))
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		code, env := requestAs(b, ts, http.MethodPost, "/api/v1/deployments/validate", "bench", body)
		lat = append(lat, time.Since(start))
		var v shared.DeploymentValidation
		if code != http.StatusOK || json.Unmarshal(env.Data, &v) != nil || !v.Allowed() {
			b.Fatalf("validate: %d %s %+v", code, env.Data, env.Error)
		}
	}
	reportPercentiles(b, "validate", lat)
}

// BenchmarkDeployCreate: POST /api/v1/deployments of an app of 3 replicas,
// then its operation followed over the WebSocket: the time to the first
// operation:progress and to the app being Available; each app is deleted
// after.
func BenchmarkDeployCreate(b *testing.B) {
	// Each iteration makes two changes (create, delete): lift the per-user
	// write budget, which is not what is measured.
	f := newDeployFixture(b, Config{TrustedProxies: loopbackProxies, WritesPerMinute: 1 << 20, WriteBurst: 1 << 10})
	ts := httptest.NewServer(f.s.Handler())
	defer ts.Close()
	ns := f.namespace(b, "bench-create")
	f.bind(b, "bench", "edit", ns)
	ws := dialWS(b, ts, "bench")
	var first, available []time.Duration
	i := 0
	for b.Loop() {
		i++
		spec := webSpec(ns)
		spec.Name, spec.Exposure = fmt.Sprintf("app-%d", i), shared.ExposeInternal
		body, _ := json.Marshal(spec)
		start := time.Now()
		code, env := requestAs(b, ts, http.MethodPost, "/api/v1/deployments", "bench", body)
		var rep shared.OperationReply
		if code != http.StatusAccepted || json.Unmarshal(env.Data, &rep) != nil {
			b.Fatalf("create: %d %+v", code, env.Error)
		}
		ws.follow(rep.Operation.ID)
		for n := 0; ; n++ {
			m := ws.next()
			if m.Type != shared.WSOperationProgress || m.Operation == nil {
				b.Fatalf("got %s %+v, want operation progress", m.Type, m.Error)
			}
			if n == 0 {
				first = append(first, time.Since(start))
			}
			if m.Operation.Phase == shared.OperationSucceeded {
				available = append(available, time.Since(start))
				break
			}
			if m.Operation.Phase == shared.OperationFailed {
				b.Fatalf("operation failed: %+v", m.Operation.Error)
			}
		}
		b.StopTimer()
		if code, env := requestAs(b, ts, http.MethodDelete, "/api/v1/deployments/"+spec.Name+"?namespace="+ns, "bench", nil); code != http.StatusOK {
			b.Fatalf("delete: %d %+v", code, env.Error)
		}
		b.StartTimer()
	}
	reportPercentiles(b, "first-progress", first)
	reportPercentiles(b, "available", available)
}
