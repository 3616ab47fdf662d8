package main

import "time"

// The reconnection backoff of the WebSocket client: full jitter over an
// exponentially growing ceiling, capped, so that the tabs of many users
// do not all come back at the same instant after a server restart.
const (
	reconnectBase = 500 * time.Millisecond
	reconnectCap  = 30 * time.Second
)

// backoff is the wait before reconnection attempt number attempt (from 0):
// a uniformly random duration below min(limit, base·2^attempt). rnd returns
// a number in [0, 1) (math/rand/v2's Float64).
func backoff(attempt int, base, limit time.Duration, rnd func() float64) time.Duration {
	ceiling := limit
	if attempt < 32 && base<<attempt > 0 && base<<attempt < limit {
		ceiling = base << attempt
	}
	return time.Duration(rnd() * float64(ceiling))
}
