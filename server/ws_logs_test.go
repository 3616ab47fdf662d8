package server

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// A follow whose connection cannot take its lines keeps a bounded buffer
// and counts what it dropped, which the next chunk says.
func TestLogFollowDropsBeyondItsBuffer(t *testing.T) {
	f := &logFollow{cfg: LogConfig{BufferLines: 3, BufferBytes: 1 << 20}.withDefaults(), wake: make(chan struct{}, 1),
		query: shared.LogQuery{Kind: "deployments"}}
	at := time.Now()
	for i, text := range []string{"c", "a", "b", "d", "e"} {
		f.Line(shared.LogLine{Time: at.Add(time.Duration([]int{3, 1, 2, 4, 5}[i])), Text: text})
	}
	ch, ok := f.take()
	if !ok {
		t.Fatal("nothing to take")
	}
	var got []string
	for _, l := range ch.Lines {
		got = append(got, l.Text)
	}
	// An app's chunk is put in time order.
	if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" || ch.Dropped != 2 {
		t.Errorf("chunk %v dropped %d; want a b c, 2 dropped (%s)", got, ch.Dropped, diff)
	}
	if _, ok := f.take(); ok {
		t.Error("a second take found more")
	}
	// The byte bound holds too.
	f.cfg.BufferBytes = 100
	f.Line(shared.LogLine{Text: string(make([]byte, 80))}) // 80 + 48 of overhead: over
	f.Line(shared.LogLine{Text: string(make([]byte, 40))}) // 88: kept
	f.Line(shared.LogLine{Text: string(make([]byte, 40))}) // 176: over
	if ch, _ := f.take(); len(ch.Lines) != 1 || ch.Dropped != 2 {
		t.Errorf("over the byte bound: %d lines, %d dropped; want 1 and 2", len(ch.Lines), ch.Dropped)
	}
}
