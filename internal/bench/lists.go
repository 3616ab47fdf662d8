package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// shapeResult is the latency of one query shape.
type shapeResult struct {
	Shape string `json:"shape"`
	Path  string `json:"path"`
	latency
}

// timeShapes sends, for each shape, warmup requests and then n timed ones,
// one at a time. The requests go round a pool of users, each of whom
// stays within the default read budget.
func timeShapes(ctx context.Context, s *server, shapes []shape, warmup, n, users int) ([]shapeResult, error) {
	var out []shapeResult
	k := 0
	for _, sh := range shapes {
		ds := make([]time.Duration, 0, n)
		for i := range warmup + n {
			user := fmt.Sprintf("bench-seq-%d", k%users)
			k++
			start := time.Now()
			status, _, err := s.get(ctx, user, sh.Path())
			d := time.Since(start)
			if err != nil {
				return nil, err
			}
			if status != http.StatusOK {
				return nil, fmt.Errorf("%s: GET %s answered %d", sh.Name, sh.Path(), status)
			}
			if i >= warmup {
				ds = append(ds, d)
			}
		}
		out = append(out, shapeResult{Shape: sh.Name, Path: sh.Path(), latency: summarize(ds)})
	}
	return out, nil
}

// throughput is a load run: many clients, each sending its next request
// as soon as the last is answered.
type throughput struct {
	Clients   int     `json:"clients"`
	Users     int     `json:"users"`
	Requests  int     `json:"requests"`
	Failed    int     `json:"failed"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"req_per_s"`
	latency
}

// load sends total requests of path from clients goroutines, spread over a
// pool of users so that no user's read budget is reached, and measures the
// rate and the latency.
func load(ctx context.Context, s *server, path string, clients, total, users int) (throughput, error) {
	durs := make([][]time.Duration, clients)
	var next, failed atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(total) || ctx.Err() != nil {
					return
				}
				t := time.Now()
				status, _, err := s.get(ctx, fmt.Sprintf("bench-load-%d", i%int64(users)), path)
				durs[c] = append(durs[c], time.Since(t))
				if err != nil || status != http.StatusOK {
					failed.Add(1)
					once.Do(func() { firstErr = fmt.Errorf("GET %s: status %d, %v", path, status, err) })
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		return throughput{}, ctx.Err()
	}
	var all []time.Duration
	for _, d := range durs {
		all = append(all, d...)
	}
	t := throughput{Clients: clients, Users: users, Requests: len(all), Failed: int(failed.Load()),
		Seconds: elapsed.Seconds(), PerSecond: float64(len(all)) / elapsed.Seconds(), latency: summarize(all)}
	if t.Failed > 0 {
		return t, fmt.Errorf("%d of %d requests failed; first: %w", t.Failed, t.Requests, firstErr)
	}
	return t, nil
}

// floodResult is what one user flooding the server does to another.
type floodResult struct {
	// Concurrent requests the flooding user kept in flight; Seconds is
	// until the last of them was answered.
	Concurrent int     `json:"concurrent"`
	Seconds    float64 `json:"seconds"`
	Requests   int     `json:"requests"`
	Limited    int     `json:"limited_429"`
	Share429   float64 `json:"share_429"`
	Other      int     `json:"other_statuses"`
	// Calm is the latency of another user's requests, one at a time,
	// during the flood.
	Calm latency `json:"calm_user"`
}

// flood keeps concurrent requests of path in flight as one user for d,
// while another user sends the same request one at a time, and reports
// how many of the flood were refused with 429 and the other user's
// latency. Requests sent before the end are waited for and counted: on a
// saturated server most of the flood is still in flight at the end.
func flood(ctx context.Context, s *server, path string, concurrent int, d time.Duration) (floodResult, error) {
	deadline := time.Now().Add(d)
	var requests, limited, other atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrent {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				status, _, err := s.get(ctx, "bench-flood", path)
				requests.Add(1)
				switch {
				case err == nil && status == http.StatusTooManyRequests:
					limited.Add(1)
				case err != nil || status != http.StatusOK:
					other.Add(1)
				}
			}
		})
	}
	var calm []time.Duration
	var calmErr error
	for time.Now().Before(deadline) && ctx.Err() == nil {
		t := time.Now()
		status, _, err := s.get(ctx, "bench-calm", path)
		if err != nil || status != http.StatusOK {
			calmErr = fmt.Errorf("the calm user's GET %s: status %d, %v", path, status, err)
			break
		}
		calm = append(calm, time.Since(t))
	}
	wg.Wait()
	if err := errors.Join(ctx.Err(), calmErr); err != nil {
		return floodResult{}, err
	}
	r := floodResult{Concurrent: concurrent, Seconds: time.Since(start).Seconds(), Requests: int(requests.Load()),
		Limited: int(limited.Load()), Other: int(other.Load()), Calm: summarize(calm)}
	if r.Requests > 0 {
		r.Share429 = float64(r.Limited) / float64(r.Requests)
	}
	return r, nil
}
