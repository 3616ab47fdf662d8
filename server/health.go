package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/kubedeck/kubedeck/kube"
)

// healthz says the process is alive; it checks nothing else.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// checkResult is one dependency's line in /readyz: its state and no more.
// Why a check fails (addresses, messages) goes to the log, not to whoever
// can reach /readyz.
type checkResult struct {
	Name  string `json:"name"`
	State string `json:"state"` // ready, degraded, failing
}

// Readiness is the body of /readyz.
type Readiness struct {
	Status string        `json:"status"` // ready, degraded, not ready
	Checks []checkResult `json:"checks"`
}

// readyz runs every check at once (each bounded by a short timeout) and
// answers 200 when all required ones pass (status "degraded" when only
// optional ones fail), else 503.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	rd := s.readiness(r.Context())
	status := http.StatusOK
	if rd.Status == "not ready" {
		status = http.StatusServiceUnavailable
	}
	writeJSONPlain(w, status, rd)
}

func (s *Server) readiness(ctx context.Context) Readiness {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	results := make([]checkResult, len(s.deps.Checks))
	stalled := make([][]string, len(s.deps.Checks))
	var wg sync.WaitGroup
	for i, c := range s.deps.Checks {
		wg.Go(func() {
			res := checkResult{Name: c.Name, State: "ready"}
			if err := c.Check(ctx); err != nil {
				s.log.Warn("readiness check failed", "check", c.Name, "degraded_only", c.Degraded, "err", err)
				res.State = "failing"
				if e, ok := errors.AsType[*kube.StalledError](err); ok {
					stalled[i] = e.Kinds
				}
				if c.Degraded {
					res.State = "degraded"
				}
			}
			results[i] = res
		})
	}
	wg.Wait()
	// A check whose informers stalled gets a line per stalled kind, as
	// "informers/pods": kind names are fixed, safe to show.
	for i, kinds := range stalled {
		for _, k := range kinds {
			results = append(results, checkResult{Name: results[i].Name + "/" + k, State: results[i].State})
		}
	}
	rd := Readiness{Status: "ready", Checks: results}
	for _, res := range results {
		switch {
		case res.State == "failing":
			rd.Status = "not ready"
		case res.State == "degraded" && rd.Status == "ready":
			rd.Status = "degraded"
		}
	}
	return rd
}
