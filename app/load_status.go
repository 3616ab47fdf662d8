package main

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
