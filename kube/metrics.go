package kube

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// requestMetrics counts the requests Kubedeck sends to the API server. It
// sits in the shared transport, so it sees every attempt of every client,
// the server's own and the impersonating ones, retries included.
type requestMetrics struct {
	requests *prometheus.CounterVec
}

func newRequestMetrics(reg prometheus.Registerer) (*requestMetrics, error) {
	m := &requestMetrics{requests: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubedeck_apiserver_requests_total",
		Help: "Requests sent to the Kubernetes API server, by verb (get, list, watch, create, …), resource and HTTP status code (\"error\" when no answer came).",
	}, []string{"verb", "resource", "code"})}
	if err := reg.Register(m.requests); err != nil {
		return nil, err
	}
	return m, nil
}

// wrap is a transport wrapper (rest.Config.WrapTransport) that counts.
func (m *requestMetrics) wrap(rt http.RoundTripper) http.RoundTripper {
	return countingTransport{next: rt, m: m}
}

// count is the number of requests with this verb and resource, all codes.
func (m *requestMetrics) count(verb, resource string) float64 {
	ch := make(chan prometheus.Metric)
	go func() {
		m.requests.Collect(ch)
		close(ch)
	}()
	var total float64
	for metric := range ch {
		var d dto.Metric
		if err := metric.Write(&d); err != nil {
			continue
		}
		labels := map[string]string{}
		for _, l := range d.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["verb"] == verb && labels["resource"] == resource {
			total += d.GetCounter().GetValue()
		}
	}
	return total
}

type countingTransport struct {
	next http.RoundTripper
	m    *requestMetrics
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	verb, resource := classify(req)
	resp, err := t.next.RoundTrip(req)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.m.requests.WithLabelValues(verb, resource, code).Inc()
	return resp, err
}

// classify reads a request to the API server as a verb and a resource, the
// way the API server's own metrics name them: "list" and "pods", "get" and
// "deployments", "get" and "pods/log", "watch" and "events". Paths that are
// not resources (/version, /readyz, discovery) keep their first segment, so
// the label's values stay few.
func classify(req *http.Request) (verb, resource string) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	// Skip a prefix of the server URL (a proxy such as Rancher's), then
	// /api/v1/… or /apis/group/version/….
	for i, p := range parts {
		if p == "api" || p == "apis" {
			parts = parts[i:]
			break
		}
	}
	var rest []string
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		rest = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		rest = parts[3:]
	}
	if len(rest) == 0 {
		// Not a resource: discovery or an endpoint such as /readyz.
		return strings.ToLower(req.Method), "/" + parts[0]
	}
	watch := false
	if rest[0] == "watch" && len(rest) > 1 { // the old /api/v1/watch/… form
		watch, rest = true, rest[1:]
	}
	// namespaces/{ns}/{resource}…, but not namespaces/{name}/status or /finalize.
	if rest[0] == "namespaces" && len(rest) > 2 && rest[2] != "status" && rest[2] != "finalize" {
		rest = rest[2:]
	}
	resource = rest[0]
	named := len(rest) >= 2
	if len(rest) >= 3 {
		resource += "/" + rest[2]
	}
	if watch {
		return "watch", resource
	}
	return verbOf(req, named), resource
}

// verbOf is the API verb of an HTTP request, given whether it names an object.
func verbOf(req *http.Request, named bool) string {
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case req.URL.Query().Get("watch") == "true" || req.URL.Query().Get("watch") == "1":
			return "watch"
		case named:
			return "get"
		}
		return "list"
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		if named {
			return "delete"
		}
		return "deletecollection"
	}
	return strings.ToLower(req.Method)
}
