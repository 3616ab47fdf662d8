package server

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// queued is one message a batch holds, in a form cases can spell out.
type queued struct {
	Sub, Key, Type, Body string
}

func describeBatch(b *batch) []queued {
	var out []queued
	for _, s := range b.resync {
		out = append(out, queued{Sub: s.id, Type: string(shared.WSResync)})
	}
	for _, c := range b.control {
		out = append(out, queued{Type: "control", Body: string(c)})
	}
	for _, p := range b.events {
		out = append(out, queued{Sub: p.key.sub.id, Key: p.key.key, Type: string(p.typ), Body: string(p.body)})
	}
	return out
}

func TestSendQueue(t *testing.T) {
	a := &subscription{id: "a"}
	b := &subscription{id: "b"}
	type push struct {
		sub  *subscription
		key  string
		typ  shared.WSType
		body string
	}
	tests := []struct {
		name    string
		limit   int
		pushes  []push
		control []string
		want    []queued
	}{
		{
			name:   "distinct objects keep their order",
			limit:  4,
			pushes: []push{{a, "1", shared.WSCreated, "r1"}, {a, "2", shared.WSUpdated, "r2"}, {b, "1", shared.WSDeleted, "r3"}},
			want: []queued{{"a", "1", "resource:created", "r1"}, {"a", "2", "resource:updated", "r2"},
				{"b", "1", "resource:deleted", "r3"}},
		},
		{
			name:   "updates coalesce, the latest row wins, in the first one's place",
			limit:  4,
			pushes: []push{{a, "1", shared.WSUpdated, "v1"}, {a, "2", shared.WSUpdated, "x"}, {a, "1", shared.WSUpdated, "v2"}},
			want:   []queued{{"a", "1", "resource:updated", "v2"}, {"a", "2", "resource:updated", "x"}},
		},
		{
			name:   "an update after an unsent create stays a create",
			limit:  4,
			pushes: []push{{a, "1", shared.WSCreated, "v1"}, {a, "1", shared.WSUpdated, "v2"}},
			want:   []queued{{"a", "1", "resource:created", "v2"}},
		},
		{
			name:   "a delete after an unsent create cancels both",
			limit:  4,
			pushes: []push{{a, "1", shared.WSCreated, "v1"}, {a, "2", shared.WSUpdated, "x"}, {a, "1", shared.WSDeleted, "v1"}},
			want:   []queued{{"a", "2", "resource:updated", "x"}},
		},
		{
			name:   "a delete after an update is a delete",
			limit:  4,
			pushes: []push{{a, "1", shared.WSUpdated, "v1"}, {a, "1", shared.WSDeleted, "v2"}},
			want:   []queued{{"a", "1", "resource:deleted", "v2"}},
		},
		{
			name:   "the same object in two subscriptions is two messages",
			limit:  4,
			pushes: []push{{a, "1", shared.WSUpdated, "v1"}, {b, "1", shared.WSUpdated, "v1"}, {a, "1", shared.WSUpdated, "v2"}},
			want:   []queued{{"a", "1", "resource:updated", "v2"}, {"b", "1", "resource:updated", "v1"}},
		},
		{
			name:  "overflow drops every waiting event for resyncs, then drops the owed subscription's events",
			limit: 2,
			pushes: []push{{a, "1", shared.WSUpdated, "v1"}, {b, "1", shared.WSUpdated, "v1"},
				{a, "2", shared.WSUpdated, "v1"}, {a, "3", shared.WSUpdated, "v1"}, {b, "9", shared.WSCreated, "v1"}},
			want: []queued{{Sub: "a", Type: "resync"}, {Sub: "b", Type: "resync"}},
		},
		{
			name:   "coalescing keeps a full queue from overflowing",
			limit:  1,
			pushes: []push{{a, "1", shared.WSUpdated, "v1"}, {a, "1", shared.WSUpdated, "v2"}, {a, "1", shared.WSUpdated, "v3"}},
			want:   []queued{{"a", "1", "resource:updated", "v3"}},
		},
		{
			name:    "control messages come after resyncs and before events",
			limit:   1,
			pushes:  []push{{a, "1", shared.WSUpdated, "v1"}, {b, "2", shared.WSUpdated, "v1"}, {b, "3", shared.WSUpdated, "v1"}},
			control: []string{"pong"},
			want:    []queued{{Sub: "a", Type: "resync"}, {Sub: "b", Type: "resync"}, {Type: "control", Body: "pong"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newSendQueue(tt.limit, 4)
			for _, c := range tt.control {
				q.pushControl([]byte(c))
			}
			for _, p := range tt.pushes {
				q.push(p.sub, p.key, p.typ, body(p.body))
			}
			var got batch
			q.take(&got)
			if diff := cmp.Diff(tt.want, describeBatch(&got)); diff != "" {
				t.Errorf("batch (-want +got):\n%s", diff)
			}
			if n := q.size(); n != 0 {
				t.Errorf("queue holds %d messages after take, want 0", n)
			}
		})
	}
}

// After its resync is taken, a subscription gets events again.
func TestSendQueueAfterResync(t *testing.T) {
	a := &subscription{id: "a"}
	q := newSendQueue(1, 4)
	q.push(a, "1", shared.WSUpdated, body("v1"))
	q.push(a, "2", shared.WSUpdated, body("v1")) // overflow
	q.push(a, "3", shared.WSUpdated, body("v1")) // dropped: a is owed a resync
	var b batch
	q.take(&b)
	if diff := cmp.Diff([]queued{{Sub: "a", Type: "resync"}}, describeBatch(&b)); diff != "" {
		t.Fatalf("first batch (-want +got):\n%s", diff)
	}
	q.push(a, "4", shared.WSUpdated, body("v2"))
	q.take(&b)
	if diff := cmp.Diff([]queued{{"a", "4", "resource:updated", "v2"}}, describeBatch(&b)); diff != "" {
		t.Errorf("second batch (-want +got):\n%s", diff)
	}
}

// Churn of objects created and deleted unseen keeps the queue's memory
// bounded, and forget drops an ended subscription's events and resync.
func TestSendQueueBounded(t *testing.T) {
	a := &subscription{id: "a"}
	b := &subscription{id: "b"}
	q := newSendQueue(8, 4)
	for i := range 10000 {
		key := fmt.Sprint(i)
		q.push(a, key, shared.WSCreated, body("x"))
		q.push(a, key, shared.WSDeleted, body("x"))
	}
	if n := len(q.order); n > 2*8+1 {
		t.Errorf("queue order holds %d entries after churn, want at most %d", n, 2*8+1)
	}
	for i := range 20 {
		q.push(b, fmt.Sprint(i), shared.WSUpdated, body("x")) // overflows: b owed a resync
	}
	q.push(a, "keep", shared.WSUpdated, body("x"))
	q.forget(b)
	var got batch
	q.take(&got)
	if diff := cmp.Diff([]queued{{"a", "keep", "resource:updated", "x"}}, describeBatch(&got)); diff != "" {
		t.Errorf("batch after forget (-want +got):\n%s", diff)
	}
	if q.overflows != 1 {
		t.Errorf("overflows = %d, want 1", q.overflows)
	}
}

func TestAppendFrame(t *testing.T) {
	tests := []struct {
		name string
		typ  shared.WSType
		body body
		want string
	}{
		{"resync", shared.WSResync, nil, `{"type":"resync","sub":"s\"1"}`},
		{"event", shared.WSUpdated, encodeBody(shared.WSResourceEvent{Kind: "pods", Row: shared.Row{UID: "u", Name: "p"}}),
			`{"type":"resource:updated","sub":"s\"1","data":{"kind":"pods","row":{"uid":"u","kind":"","name":"p","created":0,"status":"","level":""}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendFrame(nil, tt.typ, []byte(`"s\"1"`), tt.body))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("frame (-want +got):\n%s", diff)
			}
		})
	}
}
