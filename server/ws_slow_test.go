package server

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// A client that stops reading while thousands of events come gets a resync
// instead of them, the server's queue for it stays within its limit, and
// the server's heap does not grow with the events it could not send.
func TestWSSlowReader(t *testing.T) {
	const (
		limit  = 64
		events = 20000
	)
	s, ts := newSyntheticHubServer(t, WebSocketConfig{QueueLimit: limit})
	slow := dialWS(t, ts, "slow")
	slow.subscribe("pods", "pods", "team-a")
	slow.subscribe("deploys", "deployments", "team-a") // gets nothing: owed no resync

	heapBefore := heapInUse()
	padding := strings.Repeat("x", 2048) // 40 MB of rows in all, more than the socket buffers hold
	maxQueued := 0
	for i := range events {
		ev := syntheticEvent(kube.Created, "team-a", i, "Pending")
		ev.Row.Cells = map[string]string{"padding": padding}
		s.hub.publish(ev)
		if i%1000 == 0 {
			maxQueued = max(maxQueued, s.hub.stats().queued)
		}
	}
	st := s.hub.stats()
	maxQueued = max(maxQueued, st.queued)
	// limit events, a resync per subscription and a pong or two.
	if maxQueued > limit+2+2 {
		t.Errorf("a connection's queue held %d messages, want at most %d", maxQueued, limit+4)
	}
	heapAfter := heapInUse()
	if grown := int64(heapAfter) - int64(heapBefore); grown > 16<<20 {
		t.Errorf("heap grew by %d MB while the client did not read, want under 16 MB", grown>>20)
	}
	t.Logf("queue at most %d messages; heap %d MB before, %d MB after", maxQueued, heapBefore>>20, heapAfter>>20)

	// The client reads again, until the server has nothing left for it: it
	// gets some events and a resync, far fewer messages than events.
	resyncs, received := 0, 0
	for {
		m, err := slow.read(time.Second)
		if errors.Is(err, errNoMessage) {
			break // a second without messages: the queue is empty
		}
		if err != nil {
			t.Fatalf("after %d messages: %v", received, err)
		}
		received++
		switch {
		case m.Type == shared.WSResync:
			if m.Sub != "pods" {
				t.Errorf("resync for %q, want %q", m.Sub, "pods")
			}
			resyncs++
		case m.Type != shared.WSCreated || m.Sub != "pods":
			t.Fatalf("got %s for %q, want resource:created or resync for %q", m.Type, m.Sub, "pods")
		}
	}
	if resyncs == 0 {
		t.Errorf("no resync in %d messages", received)
	}
	if received >= events {
		t.Errorf("received %d messages for %d events, want fewer (dropped for the resync)", received, events)
	}
	t.Logf("received %d messages (%d resyncs) for %d events", received, resyncs, events)

	// After its resync the subscription gets events again.
	s.hub.publish(syntheticEvent(kube.Updated, "team-a", 1, "Running"))
	if m := slow.next(); m.Type != shared.WSUpdated || m.Row.Status != "Running" {
		t.Fatalf("got %+v, want the update after the resync", m)
	}
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// Coalescing: a client that reads late gets the latest row of each object
// once, not each change.
func TestWSCoalescing(t *testing.T) {
	s, ts := newSyntheticHubServer(t, WebSocketConfig{})
	c := dialWS(t, ts, "alice")
	c.subscribe("p", "pods", "team-a")
	// Fill the socket so the writer blocks, then make changes it must hold.
	padding := strings.Repeat("x", 64<<10)
	for i := range 300 {
		ev := syntheticEvent(kube.Created, "filler", i, "Pending")
		ev.Row.Namespace = "team-a"
		ev.Row.Cells = map[string]string{"padding": padding}
		s.hub.publish(ev)
	}
	for v := range 50 {
		s.hub.publish(syntheticEvent(kube.Updated, "team-a", 1, fmt.Sprint("v", v)))
	}
	s.hub.publish(syntheticEvent(kube.Created, "team-a", 2, "Pending"))
	s.hub.publish(syntheticEvent(kube.Deleted, "team-a", 2, "Pending"))
	s.hub.publish(syntheticEvent(kube.Created, "team-a", 3, "marker")) // the last one queued
	updates := 0
	var last string
	var pod2 []shared.WSType
	for {
		m := c.next()
		if m.Row != nil && m.Row.UID == "uid-team-a-3" {
			break
		}
		if m.Row != nil && m.Row.UID == "uid-team-a-2" {
			pod2 = append(pod2, m.Type)
		}
		if m.Row != nil && m.Row.UID == "uid-team-a-1" {
			updates++
			last = m.Row.Status
		}
	}
	if last != "v49" {
		t.Errorf("last status of pod-1 %q, want %q", last, "v49")
	}
	// Created and deleted while the writer was blocked, pod-2 is usually
	// never sent; when the writer got the creation out first (the kernel's
	// buffers decide), its deletion must follow. Never a lone creation.
	if len(pod2) != 0 && !slices.Equal(pod2, []shared.WSType{shared.WSCreated, shared.WSDeleted}) {
		t.Errorf("pod-2, created then deleted, reached the client as %v", pod2)
	}
	if updates >= 50 {
		t.Errorf("got %d updates of pod-1 for 50 changes, want them coalesced", updates)
	}
	t.Logf("%d messages for 50 updates of one pod", updates)
}
