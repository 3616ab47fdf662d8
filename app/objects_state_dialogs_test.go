package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

// drawerSnapshot is what a test compares of drawerData.
type drawerSnapshot struct {
	Key    string
	State  loadStatus
	Name   string // the detail's row
	Status string
	Err    string
	Loads  []bool // what each open returned
}

func snapshotDrawer(d *drawerData, loads []bool) drawerSnapshot {
	return drawerSnapshot{Key: d.key, State: d.state, Name: d.detail.Row.Name, Status: d.detail.Row.Status, Err: d.err, Loads: loads}
}

func TestDrawerData(t *testing.T) {
	web1 := shared.ObjectDetail{Row: shared.Row{UID: "u1", Name: "web-1", Namespace: "demo", Status: "Running"}}
	web2 := shared.ObjectDetail{Row: shared.Row{UID: "u2", Name: "web-2", Namespace: "demo", Status: "Running"}}
	gone := objectsErr("Pod demo/web-1 was not found.")
	// A step opens key, or answers the load of key, or hands the drawer a
	// socket event.
	type step struct {
		open   *string
		answer string
		detail shared.ObjectDetail
		err    error
		event  *shared.WSMessage
	}
	open := func(key string) step { return step{open: &key} }
	answer := func(key string, d shared.ObjectDetail, err error) step { return step{answer: key, detail: d, err: err} }
	sock := func(m shared.WSMessage) step { return step{event: &m} }
	tests := []struct {
		name  string
		steps []step
		want  drawerSnapshot
	}{
		{"closed", []step{open("")}, drawerSnapshot{Loads: []bool{false}}},
		{"opening loads", []step{open("pods/demo/web-1")},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoading, Loads: []bool{true}}},
		{"loaded", []step{open("pods/demo/web-1"), answer("pods/demo/web-1", web1, nil)},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoaded, Name: "web-1", Status: "Running", Loads: []bool{true}}},
		{"the same object is not loaded again", []step{open("pods/demo/web-1"), answer("pods/demo/web-1", web1, nil), open("pods/demo/web-1")},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoaded, Name: "web-1", Status: "Running", Loads: []bool{true, false}}},
		{"nor while it loads", []step{open("pods/demo/web-1"), open("pods/demo/web-1")},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoading, Loads: []bool{true, false}}},
		{"failed", []step{open("pods/demo/web-1"), answer("pods/demo/web-1", shared.ObjectDetail{}, gone)},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusFailed, Err: "Pod demo/web-1 was not found.", Loads: []bool{true}}},
		{"a failed load is loaded again (retry)",
			[]step{open("pods/demo/web-1"), answer("pods/demo/web-1", shared.ObjectDetail{}, gone), open("pods/demo/web-1")},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoading, Loads: []bool{true, true}}},
		{"the answer for an object no longer shown is dropped",
			[]step{open("pods/demo/web-1"), open("pods/demo/web-2"), answer("pods/demo/web-1", web1, nil)},
			drawerSnapshot{Key: "pods/demo/web-2", State: statusLoading, Loads: []bool{true, true}}},
		{"the answer after the drawer closed is dropped",
			[]step{open("pods/demo/web-1"), open(""), answer("pods/demo/web-1", web1, nil)},
			drawerSnapshot{Loads: []bool{true, false}}},
		{"a cancelled load changes nothing",
			[]step{open("pods/demo/web-1"), answer("pods/demo/web-1", shared.ObjectDetail{}, fmt.Errorf("get: %w", context.Canceled))},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoading, Loads: []bool{true}}},
		{"the summary follows the object's row",
			[]step{open("pods/demo/web-1"), answer("pods/demo/web-1", web1, nil),
				sock(rowEvent(shared.WSUpdated, "pods", shared.Row{UID: "u1", Name: "web-1", Namespace: "demo", Status: "Terminating"}))},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoaded, Name: "web-1", Status: "Terminating", Loads: []bool{true}}},
		{"another object's row changes nothing",
			[]step{open("pods/demo/web-1"), answer("pods/demo/web-1", web1, nil),
				sock(rowEvent(shared.WSUpdated, "pods", web2.Row))},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoaded, Name: "web-1", Status: "Running", Loads: []bool{true}}},
		{"a row while the detail loads changes nothing",
			[]step{open("pods/demo/web-1"), sock(rowEvent(shared.WSUpdated, "pods", web1.Row))},
			drawerSnapshot{Key: "pods/demo/web-1", State: statusLoading, Loads: []bool{true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d drawerData
			var loads []bool
			for _, s := range tc.steps {
				switch {
				case s.open != nil:
					loads = append(loads, d.open(*s.open))
				case s.event != nil:
					d.follow(*s.event)
				default:
					d.loaded(s.answer, s.detail, s.err)
				}
			}
			if diff := cmp.Diff(tc.want, snapshotDrawer(&d, loads)); diff != "" {
				t.Errorf("drawer (-want +got):\n%s", diff)
			}
		})
	}
}

// deleteSnapshot is what a test compares of deleteState.
type deleteSnapshot struct {
	Open    string // the name of the row asked about, "" when closed
	Working bool
	Started []string // the rows each start returned ("" for none)
	Said    []string // what each finish returned
}

func TestDeleteState(t *testing.T) {
	web1 := shared.Row{UID: "u1", Name: "web-1", Namespace: "demo"}
	web2 := shared.Row{UID: "u2", Name: "web-2", Namespace: "demo"}
	node := shared.Row{UID: "n1", Name: "node-a"}
	refused := &replyError{Status: 403, API: shared.Error{Code: shared.CodeForbidden, Message: "You may not delete pods in namespace demo."}}
	// A step asks about a row, cancels, starts, or finishes (with err).
	type step struct {
		ask    *shared.Row
		cancel bool
		start  bool
		finish bool
		err    error
	}
	ask := func(r shared.Row) step { return step{ask: &r} }
	cancel, start := step{cancel: true}, step{start: true}
	finish := func(err error) step { return step{finish: true, err: err} }
	tests := []struct {
		name  string
		kind  string
		steps []step
		want  deleteSnapshot
	}{
		{"closed", "Pod", nil, deleteSnapshot{}},
		{"asking opens the dialog", "Pod", []step{ask(web1)}, deleteSnapshot{Open: "web-1"}},
		{"asking about another row replaces it", "Pod", []step{ask(web1), ask(web2)}, deleteSnapshot{Open: "web-2"}},
		{"cancel closes it", "Pod", []step{ask(web1), cancel}, deleteSnapshot{}},
		{"start sends the delete once", "Pod", []step{ask(web1), start, start},
			deleteSnapshot{Open: "web-1", Working: true, Started: []string{"web-1", ""}}},
		{"nothing to start while closed", "Pod", []step{start}, deleteSnapshot{Started: []string{""}}},
		{"nothing to start after cancel", "Pod", []step{ask(web1), cancel, start}, deleteSnapshot{Started: []string{""}}},
		{"success closes it and says so", "Pod", []step{ask(web1), start, finish(nil)},
			deleteSnapshot{Started: []string{"web-1"}, Said: []string{"Pod demo/web-1 is being deleted."}}},
		{"a cluster-scoped object is named alone", "Node", []step{ask(node), start, finish(nil)},
			deleteSnapshot{Started: []string{"node-a"}, Said: []string{"Node node-a is being deleted."}}},
		{"failure closes it too, saying nothing (the API client's toast says why)", "Pod", []step{ask(web1), start, finish(refused)},
			deleteSnapshot{Started: []string{"web-1"}, Said: []string{""}}},
		{"the row sent is the one named, whatever was asked meanwhile", "Pod", []step{ask(web1), start, ask(web2), finish(nil)},
			deleteSnapshot{Started: []string{"web-1"}, Said: []string{"Pod demo/web-1 is being deleted."}}},
		{"a new delete after one finished", "Pod", []step{ask(web1), start, finish(refused), ask(web2), start},
			deleteSnapshot{Open: "web-2", Working: true, Started: []string{"web-1", "web-2"}, Said: []string{""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d deleteState
			var got deleteSnapshot
			for _, s := range tc.steps {
				switch {
				case s.ask != nil:
					d.ask(*s.ask)
				case s.cancel:
					d.cancel()
				case s.start:
					r, ok := d.start()
					if ok != (r.Name != "") {
						t.Errorf("start() = %q, %v", r.Name, ok)
					}
					got.Started = append(got.Started, r.Name)
				case s.finish:
					got.Said = append(got.Said, d.finish(tc.kind, s.err))
				}
			}
			if d.row != nil {
				got.Open = d.row.Name
			}
			got.Working = d.working
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("delete (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFocusReturn(t *testing.T) {
	// A step sets an id (the drawer or the dialog opens from a control), or
	// takes one ("<take>": it closes).
	const take = "<take>"
	tests := []struct {
		name  string
		steps []string
		want  []string // what each take returned
	}{
		{"nothing opened", []string{take}, []string{""}},
		{"the dialog's cancel returns to its Delete button", []string{"kd-delete-u1", take}, []string{"kd-delete-u1"}},
		{"the drawer's close returns to its Details button", []string{"kd-details-u1", take}, []string{"kd-details-u1"}},
		{"taken once", []string{"kd-delete-u1", take, take}, []string{"kd-delete-u1", ""}},
		{"the last opened sets it", []string{"kd-details-u1", "kd-details-u2", take}, []string{"kd-details-u2"}},
		// The drawer does not hold the page modal: a row's Delete opens the
		// dialog over it, and the dialog's control is the one remembered.
		{"the dialog over the drawer takes the drawer's place",
			[]string{"kd-details-u1", "kd-delete-u2", take, take}, []string{"kd-delete-u2", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f focusReturn
			var got []string
			for _, s := range tc.steps {
				if s == take {
					got = append(got, f.take())
					continue
				}
				f.set(s)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("focus (-want +got):\n%s", diff)
			}
		})
	}
}
