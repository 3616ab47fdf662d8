package main

import (
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// rowAction is what the table offers for one row besides its details.
type rowAction struct {
	// Delete says whether a Delete button shows; Allowed whether it works,
	// and Reason, when it does not, why (its tooltip).
	Delete  bool
	Allowed bool
	Reason  string
}

// resourceTable shows one page of rows: the common columns (name,
// namespace, status, age), the kind's own, and the row actions. Headers
// sort on click; rows marked by live updates stand out.
type resourceTable struct {
	app.Compo
	guarded

	Kind       shared.KindInfo
	Rows       []liveRow
	Actions    []rowAction // by row, same order
	SortKey    string
	Descending bool
	Now        int64 // Unix seconds the ages are counted to

	onSort    func(ctx app.Context, key string)
	onDetails func(ctx app.Context, r shared.Row)
	onDelete  func(ctx app.Context, r shared.Row)
}

func newResourceTable() *resourceTable { return &resourceTable{} }

// Of sets the kind whose rows are shown.
func (t *resourceTable) Of(k shared.KindInfo) *resourceTable { t.Kind = k; return t }

// Show sets the rows and what each may do.
func (t *resourceTable) Show(rows []liveRow, actions []rowAction) *resourceTable {
	t.Rows, t.Actions = rows, actions
	return t
}

// Sorted says which column the rows are sorted by.
func (t *resourceTable) Sorted(key string, desc bool) *resourceTable {
	t.SortKey, t.Descending = key, desc
	return t
}

// At sets the time ages are counted to.
func (t *resourceTable) At(now time.Time) *resourceTable { t.Now = now.Unix(); return t }

// OnSort sets what a click on a sortable header does.
func (t *resourceTable) OnSort(f func(app.Context, string)) *resourceTable { t.onSort = f; return t }

// OnDetails sets what a row's Details button does.
func (t *resourceTable) OnDetails(f func(app.Context, shared.Row)) *resourceTable {
	t.onDetails = f
	return t
}

// OnDelete sets what a row's Delete button does.
func (t *resourceTable) OnDelete(f func(app.Context, shared.Row)) *resourceTable {
	t.onDelete = f
	return t
}

// Guard sets the error boundary's wrapper for the table's handlers.
func (t *resourceTable) Guard(wrap func(app.EventHandler) app.EventHandler) *resourceTable {
	t.setGuard(wrap)
	return t
}

// tableColumn is one column of the table.
type tableColumn struct {
	key, title string
}

func (t *resourceTable) columns() []tableColumn {
	cols := []tableColumn{{"name", "Name"}}
	if t.Kind.Namespaced {
		cols = append(cols, tableColumn{"namespace", "Namespace"})
	}
	cols = append(cols, tableColumn{"status", "Status"})
	for _, c := range t.Kind.Columns {
		cols = append(cols, tableColumn{c.Key, c.Title})
	}
	return append(cols, tableColumn{"age", "Age"})
}

// Render shows the table in a box that scrolls sideways on narrow screens.
func (t *resourceTable) Render() app.UI {
	cols := t.columns()
	return app.Div().Class("kd-table-wrap").Body(
		app.Table().Class("kd-table").Body(
			app.Caption().Class("kd-visually-hidden").Text(t.Kind.Kind+" objects; select a column header to sort"),
			app.THead().Body(app.Tr().Body(
				app.Range(cols).Slice(func(i int) app.UI { return t.header(cols[i]) }),
				app.Th().Scope("col").Body(app.Span().Class("kd-visually-hidden").Text("Actions")),
			)),
			app.TBody().Body(
				app.Range(t.Rows).Slice(func(i int) app.UI { return t.row(cols, i) }),
			),
		),
	)
}

// header is a column header with its sort button and aria-sort.
func (t *resourceTable) header(c tableColumn) app.UI {
	sort, arrow := "none", ""
	if c.key == t.SortKey {
		sort, arrow = "ascending", " ▲"
		if t.Descending {
			sort, arrow = "descending", " ▼"
		}
	}
	return app.Th().Scope("col").Aria("sort", sort).Body(
		app.Button().Type("button").Class("kd-sort").DataSet("key", c.key).
			Title("Sort by "+c.title).
			OnClick(t.guard(t.sort(c.key)), app.EventScope("sort-"+c.key)).
			Body(app.Text(c.title), app.Span().Aria("hidden", "true").Text(arrow)),
	)
}

// row is one row of the table.
func (t *resourceTable) row(cols []tableColumn, i int) app.UI {
	lr := t.Rows[i]
	r := lr.Row
	var act rowAction
	if i < len(t.Actions) {
		act = t.Actions[i]
	}
	class := "kd-row"
	if lr.Mark != markNone {
		class += " kd-row-" + string(lr.Mark)
	}
	gone := lr.Mark == markDeleted
	return app.Tr().Class(class).DataSet("uid", r.UID).DataSet("name", r.Name).Body(
		app.Range(cols).Slice(func(j int) app.UI { return t.cell(cols[j].key, lr) }),
		app.Td().Class("kd-row-actions").Body(
			disabledIf(app.Button().Type("button").ID("kd-details-"+r.UID).Class("kd-button kd-details").
				Aria("label", "Details of "+r.Name), gone).
				OnClick(t.guard(t.details(r)), app.EventScope("details-"+r.UID)).Text("Details"),
			app.If(act.Delete, func() app.UI {
				b := disabledIf(app.Button().Type("button").ID("kd-delete-"+r.UID).Class("kd-button kd-danger kd-delete").
					Aria("label", "Delete "+r.Name), gone || !act.Allowed).Text("Delete")
				if !act.Allowed {
					return b.Title(act.Reason)
				}
				return b.OnClick(t.guard(t.delete(r)), app.EventScope("delete-"+r.UID))
			}),
		),
	)
}

// cell is one cell of a row.
func (t *resourceTable) cell(key string, lr liveRow) app.UI {
	r := lr.Row
	switch key {
	case "name":
		var tag app.UI
		switch lr.Mark {
		case markNew:
			tag = app.Span().Class("kd-tag kd-tag-new").Text("new")
		case markDeleted:
			tag = app.Span().Class("kd-tag kd-tag-deleted").Text("deleted")
		}
		return app.Td().Class("kd-cell-name").Body(app.Text(r.Name), tag)
	case "namespace":
		return app.Td().Text(r.Namespace)
	case "status":
		return app.Td().Body(newStatusBadge(r.Level, r.Status))
	case "age":
		return app.Td().Title(time.Unix(r.Created, 0).UTC().Format(time.RFC3339)).Text(ageOf(r.Created, time.Unix(t.Now, 0)))
	}
	v := r.Cells[key]
	if v == "" {
		v = "—"
	}
	return app.Td().Text(v)
}

func (t *resourceTable) sort(key string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if t.onSort != nil {
			t.onSort(ctx, key)
		}
	}
}

func (t *resourceTable) details(r shared.Row) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if t.onDetails != nil {
			t.onDetails(ctx, r)
		}
	}
}

func (t *resourceTable) delete(r shared.Row) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if t.onDelete != nil {
			t.onDelete(ctx, r)
		}
	}
}

// newStatusBadge shows a status in words and in colour (its level).
func newStatusBadge(level shared.Level, status string) app.UI {
	if level == "" {
		level = shared.LevelUnknown
	}
	if status == "" {
		status = "Unknown"
	}
	icon := map[shared.Level]string{shared.LevelOK: "●", shared.LevelWarning: "▲", shared.LevelError: "✕"}[level]
	if icon == "" {
		icon = "?"
	}
	return app.Span().Class("kd-badge kd-badge-"+string(level)).DataSet("level", string(level)).Body(
		app.Span().Class("kd-badge-icon").Aria("hidden", "true").Text(icon),
		app.Text(status),
	)
}

// disabledIf disables a button when cond holds, and otherwise leaves the
// attribute out (a prerendered disabled="false" would still disable it).
func disabledIf(b app.HTMLButton, cond bool) app.HTMLButton {
	if cond {
		return b.Disabled(true)
	}
	return b
}
