package main

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// rowMark says how a row of the table stands out for a moment.
type rowMark string

// The row marks: a row the socket just created, and one it just deleted
// (kept in place, greyed, so the table does not jump under the cursor).
const (
	markNone    rowMark = ""
	markNew     rowMark = "new"
	markDeleted rowMark = "deleted"
)

// markFor is how long a row stays marked new, or stays greyed after it was
// deleted, before it becomes plain or goes.
const markFor = 3 * time.Second

// liveRow is one row of the table and its mark.
type liveRow struct {
	Row   shared.Row
	Mark  rowMark
	until time.Time // when the mark ends
}

// liveRows is the page of rows the table shows, kept current by socket
// events between lists. Events change it conservatively: a row changes in
// place, a created row is added at the end when the page has room (the
// last page), a deleted row is greyed and removed later; the order the
// server sorted is restored by the next list. Every change makes a new rows
// slice, never writes into the shown one: go-app re-renders the table only
// when the slice it was given differs (a row changed in place stayed on
// screen as it was until the next list).
type liveRows struct {
	rows  []liveRow
	total int
	page  int
	limit int
	view  objectsView
	cols  []shared.Column
}

// reset replaces the rows with a list. When the list is of the same view
// as before, rows not seen before are marked new (a list after a poll or a
// resync shows what appeared meanwhile), and rows greyed out as deleted
// keep their place until their mark ends.
func (l *liveRows) reset(res shared.ListResult, view objectsView, now time.Time) {
	same := l.view.listKey() == view.listKey() && l.limit > 0
	known := map[string]bool{}
	for _, r := range l.rows {
		if r.Mark != markDeleted {
			known[r.Row.UID] = true
		}
	}
	listed := map[string]bool{}
	for _, r := range res.Rows {
		listed[r.UID] = true
	}
	// Rows greyed out a moment ago stay where they were until their mark
	// ends, so a list that follows a delete does not make the table jump.
	type ghost struct {
		at  int
		row liveRow
	}
	var ghosts []ghost
	for i, r := range l.rows {
		if same && r.Mark == markDeleted && now.Before(r.until) && !listed[r.Row.UID] {
			ghosts = append(ghosts, ghost{i, r})
		}
	}
	rows := make([]liveRow, 0, len(res.Rows)+len(ghosts))
	for _, r := range res.Rows {
		lr := liveRow{Row: r}
		if same && !known[r.UID] {
			lr.Mark, lr.until = markNew, now.Add(markFor)
		}
		rows = append(rows, lr)
	}
	for _, g := range ghosts {
		at := min(g.at, len(rows))
		rows = append(rows[:at], append([]liveRow{g.row}, rows[at:]...)...)
	}
	l.rows = rows
	l.total, l.page, l.limit = res.Total, max(res.Page, 1), res.Limit
	if l.limit <= 0 {
		l.limit = pageSize
	}
	l.view, l.cols = view, res.Columns
}

// pages is how many pages the list has (at least one).
func (l *liveRows) pages() int {
	if l.limit <= 0 || l.total <= 0 {
		return 1
	}
	return (l.total + l.limit - 1) / l.limit
}

// apply takes one resource event of the view's kind and reports whether
// the table changed.
func (l *liveRows) apply(m shared.WSMessage, now time.Time) bool {
	var ev shared.WSResourceEvent
	if m.Decode(&ev) != nil || ev.Kind != l.view.Kind {
		return false
	}
	r := ev.Row
	i := l.index(r.UID)
	switch m.Type {
	case shared.WSCreated, shared.WSUpdated:
		if i >= 0 {
			if l.rows[i].Mark == markDeleted || older(r, l.rows[i].Row) {
				return false
			}
			l.rows = slices.Clone(l.rows) // see liveRows: a new slice re-renders
			l.rows[i].Row = r
			return true
		}
		if m.Type == shared.WSUpdated || !l.matches(r) {
			// An object of another page, or one the search leaves out.
			return false
		}
		lastPage := l.page >= l.pages()
		l.total++
		if lastPage && l.visible() < l.limit {
			l.rows = append(slices.Clip(l.rows), liveRow{Row: r, Mark: markNew, until: now.Add(markFor)})
		}
		return true
	case shared.WSDeleted:
		if i >= 0 {
			if l.rows[i].Mark == markDeleted {
				return false
			}
			l.rows = slices.Clone(l.rows)
			l.rows[i] = liveRow{Row: r, Mark: markDeleted, until: now.Add(markFor)}
			l.total = max(l.total-1, 0)
			return true
		}
		if l.matches(r) {
			l.total = max(l.total-1, 0)
			return true
		}
	}
	return false
}

// expire ends the marks whose time has come: new rows become plain,
// deleted rows go. It reports whether anything changed.
func (l *liveRows) expire(now time.Time) bool {
	changed := false
	kept := make([]liveRow, 0, len(l.rows))
	for _, r := range l.rows {
		if r.Mark != markNone && !now.Before(r.until) {
			changed = true
			if r.Mark == markDeleted {
				continue
			}
			r.Mark = markNone
		}
		kept = append(kept, r)
	}
	if changed {
		l.rows = kept
	}
	return changed
}

// visible is the number of rows that are not greyed out.
func (l *liveRows) visible() int {
	n := 0
	for _, r := range l.rows {
		if r.Mark != markDeleted {
			n++
		}
	}
	return n
}

func (l *liveRows) index(uid string) int {
	for i, r := range l.rows {
		if r.Row.UID == uid {
			return i
		}
	}
	return -1
}

// matches says whether a row belongs in the view: its namespace, and every
// term of the search in its name, namespace, status, labels or cells (as
// the server searches).
func (l *liveRows) matches(r shared.Row) bool {
	if l.view.Namespace != "" && r.Namespace != l.view.Namespace {
		return false
	}
	terms := strings.Fields(strings.ToLower(l.view.Query))
	if len(terms) == 0 {
		return true
	}
	var b strings.Builder
	for _, s := range []string{r.Name, r.Namespace, r.Status} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	for k, v := range r.Labels {
		b.WriteString(k + "=" + v)
		b.WriteByte(0)
	}
	for _, c := range l.cols {
		b.WriteString(r.Cells[c.Key])
		b.WriteByte(0)
	}
	text := strings.ToLower(b.String())
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// rangeText is "x–y of N" for the page shown.
func (l *liveRows) rangeText() string {
	if l.total == 0 {
		return "0 of 0"
	}
	from := (l.page-1)*l.limit + 1
	to := min(from+max(l.visible(), 1)-1, l.total)
	if from > l.total {
		from = l.total
	}
	return strconv.Itoa(from) + "–" + strconv.Itoa(to) + " of " + strconv.Itoa(l.total)
}

// ageOf says how long ago a Unix time was, as kubectl does: 42s, 5m, 3h, 12d.
func ageOf(created int64, now time.Time) string {
	if created <= 0 {
		return "—"
	}
	d := now.Sub(time.Unix(created, 0))
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
}

// older says whether row a is an older version of the object than b, by
// their resourceVersions (etcd revisions, which order); when either cannot
// be read it says no, so the newer message wins.
func older(a, b shared.Row) bool {
	va, errA := strconv.ParseUint(a.Version, 10, 64)
	vb, errB := strconv.ParseUint(b.Version, 10, 64)
	return errA == nil && errB == nil && va < vb
}
