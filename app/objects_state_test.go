package main

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

// objectsErr is a failed reply whose message the server wrote for people.
func objectsErr(message string) error {
	return &replyError{Status: 503, API: shared.Error{Code: shared.CodeUnavailable, Message: message}}
}

// objectsListAt is when the list tests run: a time whose clock reads
// 10:30:00 wherever they run.
var objectsListAt = time.Date(2025, 3, 1, 10, 30, 0, 0, time.Local)

// listRun drives an objectsList through steps and records what it said.
type listRun struct {
	l        objectsList
	seqs     []int // the sequence numbers begin returned, in order
	outcomes []listOutcome
	changed  []bool // what event returned, in order
}

type listStep func(r *listRun)

// beginList starts a list, in the background or not.
func beginList(background bool) listStep {
	return func(r *listRun) { r.seqs = append(r.seqs, r.l.begin(background)) }
}

// answerList answers the n-th list begun (from 1), of view, with rows of
// namespace demo named names, or with err.
func answerList(n int, view objectsView, err error, names ...string) listStep {
	res := shared.ListResult{Rows: rowsOf("demo", names...), Total: len(names), Page: 1, Pages: 1, Limit: pageSize}
	return answerListWith(n, view, res, err)
}

// answerListWith answers the n-th list begun with res or err.
func answerListWith(n int, view objectsView, res shared.ListResult, err error) listStep {
	return func(r *listRun) {
		r.outcomes = append(r.outcomes, r.l.listed(r.seqs[n-1], view, res, err, objectsListAt))
	}
}

// listEvent hands the list one event of the socket.
func listEvent(m shared.WSMessage) listStep {
	return func(r *listRun) { r.changed = append(r.changed, r.l.event(m, objectsListAt)) }
}

// listSnapshot is what a test compares of an objectsList.
type listSnapshot struct {
	Status    loadStatus
	Err       string
	StaleErr  string
	Listing   bool
	Rows      []string // name:mark:status
	Total     int
	Pending   int
	Events    int
	Forbidden []string
	Hidden    int
	Outcomes  []listOutcome
	Changed   []bool
}

func (r *listRun) snapshot() listSnapshot {
	return listSnapshot{
		Status: r.l.status, Err: r.l.err, StaleErr: r.l.staleErr, Listing: r.l.listing,
		Rows: shown(&r.l.rows), Total: r.l.rows.total, Pending: len(r.l.pending), Events: r.l.events,
		Forbidden: r.l.forbidden, Hidden: r.l.hidden, Outcomes: r.outcomes, Changed: r.changed,
	}
}

func TestObjectsListTransitions(t *testing.T) {
	view := objectsView{Kind: "pods", Namespace: "demo", Page: 1}
	other := objectsView{Kind: "pods", Namespace: "team-ml", Page: 1}
	loaded := []listStep{beginList(false), answerList(1, view, nil, "a", "b")}
	with := func(steps ...listStep) []listStep { return append(append([]listStep{}, loaded...), steps...) }
	stale := "Showing the list as of 10:30:00; refreshing it failed: The Kubernetes API did not answer."
	down := objectsErr("The Kubernetes API did not answer.")

	tests := []struct {
		name  string
		steps []listStep
		want  listSnapshot
	}{
		{"nothing asked yet", nil, listSnapshot{Status: statusIdle}},
		{"a list on its way", []listStep{beginList(false)},
			listSnapshot{Status: statusLoading, Listing: true}},
		{"a background list with nothing shown yet loads visibly", []listStep{beginList(true)},
			listSnapshot{Status: statusLoading, Listing: true}},
		{"a list loads", loaded, listSnapshot{Status: statusLoaded,
			Rows: []string{"a::Running", "b::Running"}, Total: 2, Outcomes: []listOutcome{listLoaded}}},
		{"what the list left out is kept", []listStep{beginList(false), answerListWith(1, objectsView{Kind: "pods", Page: 1},
			shared.ListResult{Rows: rowsOf("demo", "a"), Total: 1, Page: 1, Pages: 1, Forbidden: []string{"kube-system"}, Hidden: 2}, nil)},
			listSnapshot{Status: statusLoaded, Rows: []string{"a::Running"}, Total: 1,
				Forbidden: []string{"kube-system"}, Hidden: 2, Outcomes: []listOutcome{listLoaded}}},

		// Out of order: only the answer to the latest list counts.
		{"an older answer after the newer one is dropped",
			[]listStep{beginList(false), beginList(false), answerList(2, view, nil, "b"), answerList(1, view, nil, "a")},
			listSnapshot{Status: statusLoaded, Rows: []string{"b::Running"}, Total: 1,
				Outcomes: []listOutcome{listLoaded, listIgnored}}},
		{"an older answer first is dropped, and the list is still on its way",
			[]listStep{beginList(false), beginList(false), answerList(1, view, nil, "a")},
			listSnapshot{Status: statusLoading, Listing: true, Outcomes: []listOutcome{listIgnored}}},
		{"an older failure is dropped",
			[]listStep{beginList(false), beginList(false), answerList(2, view, nil, "b"), answerList(1, view, down)},
			listSnapshot{Status: statusLoaded, Rows: []string{"b::Running"}, Total: 1,
				Outcomes: []listOutcome{listLoaded, listIgnored}}},
		{"a cancelled list changes nothing",
			[]listStep{beginList(false), answerList(1, view, fmt.Errorf("GET /resources: %w", context.Canceled))},
			listSnapshot{Status: statusLoading, Listing: true, Outcomes: []listOutcome{listIgnored}}},

		// The socket's events and the lists.
		{"events while no list is shown are only kept",
			[]listStep{beginList(false), listEvent(event(shared.WSCreated, "demo", "c", "Pending"))},
			listSnapshot{Status: statusLoading, Listing: true, Pending: 1, Events: 1, Changed: []bool{false}}},
		{"events during a list are applied after it, in order",
			[]listStep{
				beginList(false),
				listEvent(event(shared.WSCreated, "demo", "c", "Pending")),
				listEvent(event(shared.WSUpdated, "demo", "c", "Running")),
				listEvent(event(shared.WSDeleted, "demo", "a", "Running")),
				answerList(1, view, nil, "a", "b"),
			},
			listSnapshot{Status: statusLoaded, Rows: []string{"a:deleted:Running", "b::Running", "c:new:Running"}, Total: 2,
				Events: 3, Outcomes: []listOutcome{listLoaded}, Changed: []bool{false, false, false}}},
		{"events after a list apply at once, and are not kept",
			with(listEvent(event(shared.WSUpdated, "demo", "a", "Pending")), listEvent(event(shared.WSUpdated, "demo", "z", "Pending"))),
			listSnapshot{Status: statusLoaded, Rows: []string{"a::Pending", "b::Running"}, Total: 2,
				Events: 2, Outcomes: []listOutcome{listLoaded}, Changed: []bool{true, false}}},
		{"a resync's background list keeps the rows shown while it runs",
			with(beginList(true)),
			listSnapshot{Status: statusLoaded, Listing: true, Rows: []string{"a::Running", "b::Running"}, Total: 2,
				Outcomes: []listOutcome{listLoaded}}},
		{"events during a background list apply at once and again after it",
			// The list was taken before the update; the update wins.
			with(beginList(true), listEvent(event(shared.WSUpdated, "demo", "a", "Pending")), answerList(2, view, nil, "a", "b", "d")),
			listSnapshot{Status: statusLoaded, Rows: []string{"a::Pending", "b::Running", "d:new:Running"}, Total: 3,
				Events: 1, Outcomes: []listOutcome{listLoaded, listLoaded}, Changed: []bool{true}}},
		{"an overtaken list's events are kept for the next one",
			[]listStep{beginList(false), listEvent(event(shared.WSCreated, "demo", "c", "Pending")), beginList(false),
				answerList(1, view, nil, "a"), answerList(2, view, nil, "a", "b")},
			listSnapshot{Status: statusLoaded, Rows: []string{"a::Running", "b::Running", "c:new:Pending"}, Total: 3,
				Events: 1, Outcomes: []listOutcome{listIgnored, listLoaded}, Changed: []bool{false}}},

		// Failures.
		{"a first list that fails shows the failure and drops the events kept",
			[]listStep{beginList(false), listEvent(event(shared.WSCreated, "demo", "c", "Pending")), answerList(1, view, down)},
			listSnapshot{Status: statusFailed, Err: "The Kubernetes API did not answer.", Events: 1,
				Outcomes: []listOutcome{listFailed}, Changed: []bool{false}}},
		{"a refresh failure keeps the rows, says since when, and applies the events kept",
			with(beginList(true), listEvent(event(shared.WSUpdated, "demo", "b", "Pending")), answerList(2, view, down)),
			listSnapshot{Status: statusLoaded, StaleErr: stale, Rows: []string{"a::Running", "b::Pending"}, Total: 2,
				Events: 1, Outcomes: []listOutcome{listLoaded, listStale}, Changed: []bool{true}}},
		{"a retry of the same view that fails keeps the rows",
			with(beginList(false), answerList(2, view, down)),
			listSnapshot{Status: statusLoaded, StaleErr: stale, Rows: []string{"a::Running", "b::Running"}, Total: 2,
				Outcomes: []listOutcome{listLoaded, listStale}}},
		{"a list of another view that fails shows the failure",
			with(beginList(false), answerList(2, other, down)),
			listSnapshot{Status: statusFailed, Err: "The Kubernetes API did not answer.", Rows: []string{"a::Running", "b::Running"}, Total: 2,
				Outcomes: []listOutcome{listLoaded, listFailed}}},
		{"a list after a refresh failure ends the note",
			with(beginList(true), answerList(2, view, down), beginList(true), answerList(3, view, nil, "a", "b")),
			listSnapshot{Status: statusLoaded, Rows: []string{"a::Running", "b::Running"}, Total: 2,
				Outcomes: []listOutcome{listLoaded, listStale, listLoaded}}},
		{"a retry after a failure loads",
			[]listStep{beginList(false), answerList(1, view, down), beginList(false), answerList(2, view, nil, "a")},
			listSnapshot{Status: statusLoaded, Rows: []string{"a::Running"}, Total: 1,
				Outcomes: []listOutcome{listFailed, listLoaded}}},

		// The list shrank below the page asked for.
		{"a page past the end asks for the last page and keeps the events",
			[]listStep{beginList(false), listEvent(event(shared.WSCreated, "demo", "c", "Pending")),
				answerListWith(1, objectsView{Kind: "pods", Namespace: "demo", Page: 3},
					shared.ListResult{Rows: nil, Total: 60, Page: 3, Pages: 2, Limit: pageSize}, nil)},
			listSnapshot{Status: statusLoading, Pending: 1, Events: 1,
				Outcomes: []listOutcome{listShrank}, Changed: []bool{false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r listRun
			for _, step := range tc.steps {
				step(&r)
			}
			if diff := cmp.Diff(tc.want, r.snapshot()); diff != "" {
				t.Errorf("list (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObjectsListClear(t *testing.T) {
	var r listRun
	beginList(false)(&r)
	answerListWith(1, objectsView{Kind: "pods", Page: 1},
		shared.ListResult{Rows: rowsOf("demo", "a"), Total: 1, Page: 1, Pages: 1, Forbidden: []string{"kube-system"}, Hidden: 1}, nil)(&r)
	beginList(true)(&r)
	answerList(2, objectsView{Kind: "pods", Page: 1}, objectsErr("The Kubernetes API did not answer."))(&r)
	r.l.clear()
	// Another kind is shown: rows, notes and what the list left out go; the
	// status stays until the next list begins.
	want := listSnapshot{Status: statusLoaded, Outcomes: []listOutcome{listLoaded, listStale}}
	if diff := cmp.Diff(want, r.snapshot()); diff != "" {
		t.Errorf("after clear (-want +got):\n%s", diff)
	}
}

func TestObjectsListKeepsAtMostMaxPendingEvents(t *testing.T) {
	var l objectsList
	l.begin(false)
	for i := range maxPending + 5 {
		l.event(event(shared.WSCreated, "demo", fmt.Sprint("p", i), "Pending"), objectsListAt)
	}
	if len(l.pending) != maxPending || l.events != maxPending+5 {
		t.Errorf("%d kept of %d events, want %d of %d", len(l.pending), l.events, maxPending, maxPending+5)
	}
}

func TestObjectsListMarked(t *testing.T) {
	view := objectsView{Kind: "pods", Namespace: "demo", Page: 1}
	tests := []struct {
		name   string
		events []shared.WSMessage
		want   bool
	}{
		{"plain rows", nil, false},
		{"a row updated", []shared.WSMessage{event(shared.WSUpdated, "demo", "a", "Pending")}, false},
		{"a row created", []shared.WSMessage{event(shared.WSCreated, "demo", "c", "Pending")}, true},
		{"a row deleted", []shared.WSMessage{event(shared.WSDeleted, "demo", "a", "Running")}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l objectsList
			l.listed(l.begin(false), view, shared.ListResult{Rows: rowsOf("demo", "a"), Total: 1, Page: 1, Pages: 1}, nil, objectsListAt)
			for _, m := range tc.events {
				l.event(m, objectsListAt)
			}
			if got := l.marked(); got != tc.want {
				t.Errorf("marked() = %v, want %v", got, tc.want)
			}
		})
	}
}

// A list refused with 403 is not asked again by the poll (it would only be
// refused again) until a list succeeds; any other failure is.
func TestObjectsListRefused(t *testing.T) {
	view := objectsView{Kind: "pods", Namespace: "locked", Page: 1}
	forbidden := &replyError{Status: 403, API: shared.Error{Code: shared.CodeForbidden, Message: "You may not list pods in namespace locked."}}
	var l objectsList
	l.listed(l.begin(false), view, shared.ListResult{}, forbidden, objectsListAt)
	if !l.refused {
		t.Fatal("a 403 is not remembered as refused")
	}
	l.listed(l.begin(false), view, shared.ListResult{}, objectsErr("The Kubernetes API did not answer."), objectsListAt)
	if l.refused {
		t.Error("a 503 is remembered as refused")
	}
	l.listed(l.begin(false), view, shared.ListResult{}, forbidden, objectsListAt)
	l.listed(l.begin(false), view, shared.ListResult{Page: 1, Pages: 1}, nil, objectsListAt)
	if l.refused {
		t.Error("still refused after a list succeeded")
	}
}

// The selector leaves out the namespaces a list across all of them said
// the user may not list the kind in, but keeps the one chosen; a list of
// one namespace does not change what is left out.
func TestObjectsOfferedNamespaces(t *testing.T) {
	var l objectsList
	all := objectsView{Kind: "pods", Page: 1}
	l.listed(l.begin(false), all, shared.ListResult{Page: 1, Pages: 1, Forbidden: []string{"kube-system"}}, nil, objectsListAt)
	l.listed(l.begin(false), objectsView{Kind: "pods", Namespace: "demo", Page: 1}, shared.ListResult{Page: 1, Pages: 1}, nil, objectsListAt)
	namespaces := []string{"demo", "kube-system", "team-ml"}
	if got := offeredNamespaces(namespaces, l.notOffered, "demo"); !slices.Equal(got, []string{"demo", "team-ml"}) {
		t.Errorf("offered %v, want demo and team-ml", got)
	}
	if got := offeredNamespaces(namespaces, l.notOffered, "kube-system"); !slices.Equal(got, namespaces) {
		t.Errorf("offered %v with kube-system chosen, want all three", got)
	}
	l.clear()
	if got := offeredNamespaces(namespaces, l.notOffered, ""); !slices.Equal(got, namespaces) {
		t.Errorf("offered %v for another kind, want all three", got)
	}
}
