package main

// connState is what the connection indicator shows.
type connState string

// The connection states.
const (
	connConnected    connState = "connected"
	connReconnecting connState = "reconnecting"
	connOffline      connState = "offline"
)

// label is the state in words, for the indicator and the overview.
func (s connState) label() string {
	switch s {
	case connConnected:
		return "Connected"
	case connReconnecting:
		return "Reconnecting…"
	default:
		return "Offline"
	}
}

// connection gathers what is known about the link to the server. Each source
// feeds its own input: the browser's online/offline events, the outcome of
// API calls, and (later) the WebSocket; state derives the one state shown.
type connection struct {
	browserOffline bool
	apiUnreachable bool
	socketDown     bool
}

// setBrowserOnline records the browser's online/offline events.
func (c *connection) setBrowserOnline(online bool) { c.browserOffline = !online }

// setAPIReachable records whether the last API call got an answer.
func (c *connection) setAPIReachable(ok bool) { c.apiUnreachable = !ok }

// setSocketUp records whether the live-update socket is open.
func (c *connection) setSocketUp(up bool) { c.socketDown = !up }

// state is offline when the browser says so, reconnecting while the server
// or the socket cannot be reached, and connected otherwise.
func (c connection) state() connState {
	switch {
	case c.browserOffline:
		return connOffline
	case c.apiUnreachable || c.socketDown:
		return connReconnecting
	default:
		return connConnected
	}
}
