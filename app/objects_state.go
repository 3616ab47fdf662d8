package main

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// objectsList is where the object viewer's list stands: the rows shown and
// how they were loaded, the list request on its way, the socket changes
// that came meanwhile, and what the list left out. The page asks it what
// to do and renders from it; it knows nothing of go-app.
type objectsList struct {
	status   loadStatus
	err      string // why the list failed, while status is statusFailed
	staleErr string // a background refresh failed; the rows shown are older
	seq      int    // the latest list asked for; older answers are dropped
	listing  bool   // a list request is on its way
	rows     liveRows
	// pending are the socket's changes that came while a list was on its
	// way, applied again on top of its answer.
	pending   []shared.WSMessage
	events    int // changes received over the socket, for tests and debugging
	forbidden []string
	// refused says the last list was refused (403): asking again every
	// few seconds would only be refused again, so the poll waits for the
	// user to change the view or retry.
	refused bool
	// notOffered are the namespaces the last list of this kind across all
	// of them left out: the selector does not offer them.
	notOffered []string
	hidden     int // namespaces left out that the user may not even know of
}

// maxPending bounds the changes kept while a list loads; past it the list
// itself is newer than most of them anyway.
const maxPending = 1000

// listOutcome is what a list's answer asks of the page.
type listOutcome int

// The outcomes of a list's answer.
const (
	// listIgnored: a newer list overtook it, or the page cancelled it.
	listIgnored listOutcome = iota
	// listLoaded: the rows are the list's.
	listLoaded
	// listStale: it failed, but rows of the view are shown; they stay,
	// with a note.
	listStale
	// listFailed: it failed with nothing to show.
	listFailed
	// listShrank: the page asked for is past the list's last page; the
	// page should show the last page instead.
	listShrank
)

// clear forgets the rows and what the list left out (another kind is
// shown).
func (l *objectsList) clear() {
	l.rows, l.forbidden, l.hidden, l.staleErr, l.refused, l.notOffered = liveRows{}, nil, 0, "", false, nil
}

// begin starts a list and returns its sequence number, which its answer
// brings back. A background list (a poll, a resync, a reconnect) leaves
// loaded rows shown as they are while it runs.
func (l *objectsList) begin(background bool) int {
	l.seq++
	l.listing = true
	if !background || l.status != statusLoaded {
		l.status = statusLoading
	}
	return l.seq
}

// listed takes the answer to list seq, of view, at now, and says what the
// page should do next. An answer a newer list has overtaken, or a cancelled
// one, changes nothing.
func (l *objectsList) listed(seq int, view objectsView, res shared.ListResult, err error, now time.Time) listOutcome {
	if seq != l.seq || errors.Is(err, context.Canceled) {
		return listIgnored
	}
	l.listing = false
	if err != nil {
		if l.status == statusLoaded || (l.status == statusLoading && len(l.rows.rows) > 0 && l.rows.view.listKey() == view.listKey()) {
			l.status = statusLoaded
			l.applyPending(now)
			l.staleErr = "Showing the list as of " + now.Format("15:04:05") + "; refreshing it failed: " + err.Error()
			return listStale
		}
		l.status, l.err, l.pending = statusFailed, err.Error(), nil
		var re *replyError
		l.refused = errors.As(err, &re) && re.API.Code == shared.CodeForbidden
		return listFailed
	}
	if res.Pages > 0 && view.Page > res.Pages {
		return listShrank
	}
	l.rows.reset(res, view, now)
	l.applyPending(now)
	l.forbidden, l.hidden = res.Forbidden, res.Hidden
	if view.Namespace == "" {
		l.notOffered = res.Forbidden
	}
	l.status, l.err, l.staleErr, l.refused = statusLoaded, "", "", false
	return listLoaded
}

// applyPending applies the changes that came while the list loaded, in the
// order they came (older versions of a row than the list's are skipped).
func (l *objectsList) applyPending(now time.Time) {
	for _, m := range l.pending {
		l.rows.apply(m, now)
	}
	l.pending = nil
}

// event takes a resource event (created, updated or deleted) of the
// socket, at now, and reports whether the rows shown changed. While a list
// is on its way the event is also kept, to be applied again on top of the
// list, which may have been taken before it; while no list is shown it is
// only kept.
func (l *objectsList) event(m shared.WSMessage, now time.Time) bool {
	l.events++
	if l.listing && len(l.pending) < maxPending {
		l.pending = append(l.pending, m)
	}
	if l.status != statusLoaded {
		return false
	}
	return l.rows.apply(m, now)
}

// marked says whether a row shown is marked new or deleted, so its mark
// has to be ended later.
func (l *objectsList) marked() bool {
	for _, r := range l.rows.rows {
		if r.Mark != markNone {
			return true
		}
	}
	return false
}

// offeredNamespaces are the namespaces the selector offers: those the user
// may see, less those a list across all of them said the user may not
// list this kind in (the charts page hides them too, with a note), but
// always the one chosen.
func offeredNamespaces(all, forbidden []string, chosen string) []string {
	out := make([]string, 0, len(all))
	for _, ns := range all {
		if ns == chosen || !slices.Contains(forbidden, ns) {
			out = append(out, ns)
		}
	}
	return out
}
