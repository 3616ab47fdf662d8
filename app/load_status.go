package main

import "strconv"

// loadStatus is where a load from the server stands; every page and
// component that loads something uses it to decide what the user sees.
type loadStatus int

// The load statuses.
const (
	statusIdle loadStatus = iota
	statusLoading
	statusLoaded
	statusFailed
)

// String names a status, as data-status attributes give it.
func (s loadStatus) String() string {
	switch s {
	case statusLoading:
		return "loading"
	case statusLoaded:
		return "loaded"
	case statusFailed:
		return "failed"
	}
	return "idle"
}

// plural is n with the word for one or for many.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
