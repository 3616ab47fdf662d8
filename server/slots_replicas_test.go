package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/kubedeck/kubedeck/kube/cache/redistest"
	"github.com/kubedeck/kubedeck/kube/slots"
	"github.com/kubedeck/kubedeck/shared"
)

// TestWSConnsPerUserHoldOverReplicas: two replicas on one Redis share each
// user's limit of live connections: past it the next one, on either
// replica, is refused with the reason; a connection closed on one frees a
// place on the other.
func TestWSConnsPerUserHoldOverReplicas(t *testing.T) {
	rdb := redistest.Start(t)
	replica := func() *httptest.Server {
		sl, err := slots.NewRedis(slots.RedisOptions{URL: rdb.URL()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sl.Close() })
		s, err := newSyntheticHubDeps(Config{TrustedProxies: loopbackProxies, ShutdownTimeout: 5 * time.Second,
			WebSocket: WebSocketConfig{MaxConnsPerUser: 2}}, Deps{Slots: sl}, syntheticAuthorizer)
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(s.Handler())
		t.Cleanup(ts.Close)
		return ts
	}
	a, b := replica(), replica()

	first := dialWS(t, a, "alice")
	first.sync()
	dialWS(t, b, "alice").sync()
	third := dialWS(t, b, "alice")
	if m := third.next(); m.Type != shared.WSError || m.Error.Code != shared.CodeRateLimited ||
		!strings.Contains(m.Error.Message, "2 live connections") {
		t.Fatalf("third connection, on the other replica: %+v %+v, want RATE_LIMITED naming the limit", m, m.Error)
	}
	dialWS(t, a, "bob").sync() // the limit is per user

	_ = first.conn.Close(websocket.StatusNormalClosure, "")
	waitAdmitted(t, b, "alice", "the place of the connection closed on one replica was not freed on the other")
}
