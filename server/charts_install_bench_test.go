package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/shared"
)

// BenchmarkChartInstall: a Helm install through the API on the local
// cluster (kwok runs the Pods), from the POST to its operation's success
// pushed over the WebSocket, which comes once Helm saw every resource
// ready: p50 and p95 of "deployed". Each iteration then uninstalls the
// release, untimed. preview is POST /api/v1/charts/preview of the same
// install: a server-side dry run of every object.
func BenchmarkChartInstall(b *testing.B) {
	// Each iteration makes two changes: lift the per-user write budget,
	// which is not what is measured.
	cfg := Config{TrustedProxies: loopbackProxies, WritesPerMinute: 1 << 20, WriteBurst: 1 << 10}
	cfg.Auth.ProxySecret = testProxySecret
	f := newChartsServer(b, cfg, time.Hour, helm.Options{})
	ts := httptest.NewServer(f.s.Handler())
	defer ts.Close()
	ns := f.namespace(b, "bench-helm")
	f.bind(b, "helmbench", "edit", ns)
	ws := dialWS(b, ts, "helmbench")
	wait := func(id string) {
		ws.follow(id)
		for {
			m := ws.next()
			if m.Type != shared.WSOperationProgress || m.Operation == nil {
				b.Fatalf("got %s %+v, want operation progress", m.Type, m.Error)
			}
			switch m.Operation.Phase {
			case shared.OperationSucceeded:
				return
			case shared.OperationFailed:
				b.Fatalf("operation failed: %+v", m.Operation.Error)
			}
		}
	}
	install := func(name string) []byte {
		body, _ := json.Marshal(shared.ChartInstall{Name: name, Namespace: ns, Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"})
		return body
	}

	b.Run("deployed", func(b *testing.B) {
		var lat []time.Duration
		i := 0
		for b.Loop() {
			i++
			name := fmt.Sprintf("web-%d", i)
			start := time.Now()
			code, env := requestAs(b, ts, http.MethodPost, "/api/v1/charts", "helmbench", install(name))
			op, err := operationOf(code, env)
			if err != nil {
				b.Fatal(err)
			}
			wait(op.ID)
			lat = append(lat, time.Since(start))
			b.StopTimer()
			code, env = requestAs(b, ts, http.MethodDelete, "/api/v1/charts/"+name+"?namespace="+ns, "helmbench", nil)
			if op, err = operationOf(code, env); err != nil {
				b.Fatal(err)
			}
			wait(op.ID)
			b.StartTimer()
		}
		reportPercentiles(b, "deployed", lat)
	})
	b.Run("preview", func(b *testing.B) {
		var lat []time.Duration
		for b.Loop() {
			start := time.Now()
			body, _ := json.Marshal(shared.ChartPreview{ChartInstall: shared.ChartInstall{Name: "web-p", Namespace: ns,
				Chart: "test/web", Version: "1.0.0", Values: "greeting: hi\n"}})
			if code, env := requestAs(b, ts, http.MethodPost, "/api/v1/charts/preview", "helmbench", body); code != http.StatusOK {
				b.Fatalf("preview: %d %+v", code, env.Error)
			}
			lat = append(lat, time.Since(start))
		}
		reportPercentiles(b, "preview", lat)
	})
}
