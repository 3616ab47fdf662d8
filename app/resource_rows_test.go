package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

// rowsOf is a list of rows named names, uid = name.
func rowsOf(namespace string, names ...string) []shared.Row {
	var out []shared.Row
	for _, n := range names {
		out = append(out, shared.Row{UID: n, Kind: "Pod", Name: n, Namespace: namespace, Status: "Running", Level: shared.LevelOK})
	}
	return out
}

// shown is the table as "name:mark" in order.
func shown(l *liveRows) []string {
	var out []string
	for _, r := range l.rows {
		out = append(out, r.Row.Name+":"+string(r.Mark)+":"+r.Row.Status)
	}
	return out
}

func event(typ shared.WSType, namespace, name, status string) shared.WSMessage {
	return rowEvent(typ, "pods", shared.Row{UID: name, Kind: "Pod", Name: name, Namespace: namespace, Status: status})
}

// rowEvent is a resource event message about row, of kind.
func rowEvent(typ shared.WSType, kind string, row shared.Row) shared.WSMessage {
	m, err := shared.NewWSMessage(typ, shared.WSResourceEvent{Kind: kind, Row: row})
	if err != nil {
		panic(err) // plain data always encodes
	}
	return m
}

func TestLiveRowsApplyEvents(t *testing.T) {
	now := time.Unix(1000, 0)
	view := objectsView{Kind: "pods", Namespace: "demo", Page: 1}
	tests := []struct {
		name      string
		total     int
		page      int
		rows      []string
		view      objectsView
		events    []shared.WSMessage
		want      []string
		wantTotal int
	}{
		{"an update changes the row in place", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSUpdated, "demo", "a", "Pending")},
			[]string{"a::Pending", "b::Running"}, 2},
		{"an update of a row on another page changes nothing", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSUpdated, "demo", "z", "Pending")},
			[]string{"a::Running", "b::Running"}, 2},
		{"a created row is added at the end of the last page, marked", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSCreated, "demo", "c", "Pending")},
			[]string{"a::Running", "b::Running", "c:new:Pending"}, 3},
		{"a created row that repeats one shown is an update", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSCreated, "demo", "a", "Pending")},
			[]string{"a::Pending", "b::Running"}, 2},
		{"a created row before the last page only counts", 120, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSCreated, "demo", "c", "Pending")},
			[]string{"a::Running", "b::Running"}, 121},
		{"a created row the search leaves out is ignored", 2, 1, []string{"a", "b"},
			objectsView{Kind: "pods", Namespace: "demo", Query: "web", Page: 1},
			[]shared.WSMessage{event(shared.WSCreated, "demo", "c", "Pending")},
			[]string{"a::Running", "b::Running"}, 2},
		{"a created row the search keeps is added", 2, 1, []string{"a", "b"},
			objectsView{Kind: "pods", Namespace: "demo", Query: "WEB", Page: 1},
			[]shared.WSMessage{event(shared.WSCreated, "demo", "web-3", "Pending")},
			[]string{"a::Running", "b::Running", "web-3:new:Pending"}, 3},
		{"a created row of another namespace is ignored", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSCreated, "other", "c", "Pending")},
			[]string{"a::Running", "b::Running"}, 2},
		{"a deleted row stays, greyed", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSDeleted, "demo", "a", "Running")},
			[]string{"a:deleted:Running", "b::Running"}, 1},
		{"a deleted row is not deleted twice", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSDeleted, "demo", "a", "Running"), event(shared.WSDeleted, "demo", "a", "Running"),
				event(shared.WSUpdated, "demo", "a", "Terminating")},
			[]string{"a:deleted:Running", "b::Running"}, 1},
		{"a deleted row of another page only counts", 60, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{event(shared.WSDeleted, "demo", "z", "Running")},
			[]string{"a::Running", "b::Running"}, 59},
		{"another kind's event is ignored", 2, 1, []string{"a", "b"}, view,
			[]shared.WSMessage{rowEvent(shared.WSDeleted, "services", shared.Row{UID: "a"})},
			[]string{"a::Running", "b::Running"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l liveRows
			l.reset(shared.ListResult{Rows: rowsOf("demo", tc.rows...), Total: tc.total, Page: tc.page, Limit: pageSize}, tc.view, now)
			for _, e := range tc.events {
				l.apply(e, now)
			}
			if diff := cmp.Diff(tc.want, shown(&l)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if l.total != tc.wantTotal {
				t.Errorf("total %d, want %d", l.total, tc.wantTotal)
			}
		})
	}
}

func TestLiveRowsFullLastPageDoesNotGrow(t *testing.T) {
	var names []string
	for i := range pageSize {
		names = append(names, "p"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	var l liveRows
	view := objectsView{Kind: "pods", Page: 1}
	l.reset(shared.ListResult{Rows: rowsOf("demo", names...), Total: pageSize, Page: 1, Limit: pageSize}, view, time.Now())
	l.apply(event(shared.WSCreated, "demo", "new-one", "Pending"), time.Now())
	if len(l.rows) != pageSize || l.total != pageSize+1 || l.pages() != 2 {
		t.Errorf("%d rows, total %d, %d pages; want %d, %d, 2", len(l.rows), l.total, l.pages(), pageSize, pageSize+1)
	}
}

func TestLiveRowsMarksExpire(t *testing.T) {
	now := time.Unix(1000, 0)
	view := objectsView{Kind: "pods", Page: 1}
	var l liveRows
	l.reset(shared.ListResult{Rows: rowsOf("demo", "a", "b"), Total: 2, Page: 1, Limit: pageSize}, view, now)
	l.apply(event(shared.WSDeleted, "demo", "a", "Running"), now)
	l.apply(event(shared.WSCreated, "demo", "c", "Pending"), now)
	if l.expire(now.Add(markFor - time.Millisecond)) {
		t.Error("marks ended early")
	}
	if diff := cmp.Diff([]string{"a:deleted:Running", "b::Running", "c:new:Pending"}, shown(&l)); diff != "" {
		t.Errorf("before expiry (-want +got):\n%s", diff)
	}
	if !l.expire(now.Add(markFor)) {
		t.Error("no mark ended")
	}
	if diff := cmp.Diff([]string{"b::Running", "c::Pending"}, shown(&l)); diff != "" {
		t.Errorf("after expiry (-want +got):\n%s", diff)
	}
	if got := l.rangeText(); got != "1–2 of 2" {
		t.Errorf("range %q", got)
	}
}

func TestLiveRowsRelistMarksWhatIsNew(t *testing.T) {
	now := time.Unix(1000, 0)
	view := objectsView{Kind: "pods", Page: 1}
	var l liveRows
	l.reset(shared.ListResult{Rows: rowsOf("demo", "a", "b"), Total: 2, Page: 1, Limit: pageSize}, view, now)
	l.reset(shared.ListResult{Rows: rowsOf("demo", "a", "c"), Total: 2, Page: 1, Limit: pageSize}, view, now)
	if diff := cmp.Diff([]string{"a::Running", "c:new:Running"}, shown(&l)); diff != "" {
		t.Errorf("same view (-want +got):\n%s", diff)
	}
	// A row deleted a moment ago keeps its place through a list.
	l.apply(event(shared.WSDeleted, "demo", "a", "Running"), now)
	l.reset(shared.ListResult{Rows: rowsOf("demo", "c"), Total: 1, Page: 1, Limit: pageSize}, view, now.Add(time.Second))
	if diff := cmp.Diff([]string{"a:deleted:Running", "c::Running"}, shown(&l)); diff != "" {
		t.Errorf("deleted row through a list (-want +got):\n%s", diff)
	}
	l.reset(shared.ListResult{Rows: rowsOf("demo", "c"), Total: 1, Page: 1, Limit: pageSize}, view, now.Add(markFor))
	if diff := cmp.Diff([]string{"c::Running"}, shown(&l)); diff != "" {
		t.Errorf("deleted row after its mark (-want +got):\n%s", diff)
	}
	other := view
	other.Sort = "name"
	l.reset(shared.ListResult{Rows: rowsOf("demo", "x"), Total: 1, Page: 1, Limit: pageSize}, other, now)
	if diff := cmp.Diff([]string{"x::Running"}, shown(&l)); diff != "" {
		t.Errorf("another view marks nothing (-want +got):\n%s", diff)
	}
}

func TestRangeText(t *testing.T) {
	tests := []struct {
		total, page, rows int
		want              string
	}{
		{0, 1, 0, "0 of 0"},
		{7, 1, 7, "1–7 of 7"},
		{160, 2, 50, "51–100 of 160"},
		{160, 4, 10, "151–160 of 160"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			names := make([]string, tc.rows)
			for i := range names {
				names[i] = "r" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			}
			var l liveRows
			l.reset(shared.ListResult{Rows: rowsOf("demo", names...), Total: tc.total, Page: tc.page, Limit: pageSize},
				objectsView{Kind: "pods", Page: tc.page}, time.Now())
			if got := l.rangeText(); got != tc.want {
				t.Errorf("rangeText() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAgeOf(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		ago  time.Duration
		want string
	}{
		{42 * time.Second, "42s"}, {5 * time.Minute, "5m"}, {3 * time.Hour, "3h"},
		{47 * time.Hour, "47h"}, {72 * time.Hour, "3d"}, {-time.Minute, "0s"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := ageOf(now.Add(-tc.ago).Unix(), now); got != tc.want {
				t.Errorf("ageOf(%v ago) = %q, want %q", tc.ago, got, tc.want)
			}
		})
	}
	if got := ageOf(0, now); got != "—" {
		t.Errorf("ageOf(0) = %q", got)
	}
}

// TestLiveRowsSkipOlderVersions: a change that came while a list loaded is
// applied on top of the list, unless the list already has a newer version.
func TestLiveRowsSkipOlderVersions(t *testing.T) {
	tests := []struct {
		name, listed, incoming, want string
	}{
		{"newer change wins", "100", "105", "105"},
		{"older change skipped", "105", "100", "105"},
		{"unreadable version: the change wins", "105", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l liveRows
			l.reset(shared.ListResult{Kind: "pods", Total: 1, Pages: 1, Limit: 50,
				Rows: []shared.Row{{UID: "u1", Name: "web", Namespace: "demo", Version: tt.listed}}},
				objectsView{Kind: "pods", Page: 1}, time.Now())
			l.apply(rowEvent(shared.WSUpdated, "pods", shared.Row{UID: "u1", Name: "web", Namespace: "demo", Version: tt.incoming}), time.Now())
			if got := l.rows[0].Row.Version; got != tt.want {
				t.Errorf("row version %q, want %q", got, tt.want)
			}
		})
	}
}
