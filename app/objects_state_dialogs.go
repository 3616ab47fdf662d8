package main

import (
	"context"
	"errors"

	"github.com/kubedeck/kubedeck/shared"
)

// What opens over the object viewer's table: the drawer with one object's
// detail, the delete confirmation, and the control focus returns to when
// either closes.

// drawerData is the object the drawer shows and where its load stands.
type drawerData struct {
	key    string // kind/namespace/name
	state  loadStatus
	detail shared.ObjectDetail
	err    string
}

// open points the drawer at the object named key ("" closes it) and says
// whether its detail must be loaded: not when it is loaded or loading
// already.
func (d *drawerData) open(key string) bool {
	if key == "" {
		*d = drawerData{}
		return false
	}
	if key == d.key && d.state != statusFailed {
		return false
	}
	*d = drawerData{key: key, state: statusLoading}
	return true
}

// loaded takes the answer to the load of key; an answer for an object the
// drawer no longer shows, or a cancelled one, changes nothing.
func (d *drawerData) loaded(key string, detail shared.ObjectDetail, err error) {
	if d.key != key || errors.Is(err, context.Canceled) {
		return
	}
	if err != nil {
		d.state, d.err = statusFailed, err.Error()
		return
	}
	d.state, d.detail = statusLoaded, detail
}

// follow takes a resource event of the socket: the summary of the object
// shown follows its row.
func (d *drawerData) follow(m shared.WSMessage) {
	var ev shared.WSResourceEvent
	if d.state == statusLoaded && m.Decode(&ev) == nil && d.detail.Row.UID == ev.Row.UID {
		d.detail.Row = ev.Row
	}
}

// deleteState is the delete confirmation: the row it asks about (nil while
// it is closed) and whether the delete has been sent.
type deleteState struct {
	row     *shared.Row
	working bool
	sent    shared.Row // the row whose delete was sent
}

// ask opens the confirmation on r.
func (d *deleteState) ask(r shared.Row) { d.row = &r }

// cancel closes the confirmation.
func (d *deleteState) cancel() { d.row = nil }

// start returns the row to delete, and false when there is none or its
// delete has been sent already.
func (d *deleteState) start() (shared.Row, bool) {
	if d.row == nil || d.working {
		return shared.Row{}, false
	}
	d.working, d.sent = true, *d.row
	return d.sent, true
}

// finish takes the answer to the delete sent, of an object of kind (as
// "Pod"), and closes the confirmation, whether it worked or not. It returns
// what to tell the user on success; a failure's toast comes from the API
// client, so then it returns "".
func (d *deleteState) finish(kind string, err error) (said string) {
	r := d.sent
	d.working, d.row, d.sent = false, nil, shared.Row{}
	if err != nil {
		return ""
	}
	what := r.Name
	if r.Namespace != "" {
		what = r.Namespace + "/" + r.Name
	}
	return kind + " " + what + " is being deleted."
}

// focusReturn is the id of the control focus goes back to when the drawer
// or the delete confirmation closes: the one that opened it. The two share
// it: the last one opened sets it, the next one closed takes it.
type focusReturn struct{ id string }

// set remembers the control that opened the drawer or confirmation.
func (f *focusReturn) set(id string) { f.id = id }

// take returns the id remembered ("" for none) and forgets it.
func (f *focusReturn) take() string {
	id := f.id
	f.id = ""
	return id
}
