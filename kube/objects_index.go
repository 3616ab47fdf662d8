package kube

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kubedeck/kubedeck/shared"
)

// Page sizes and pages of lists. MaxPage*MaxLimit fits in 32 bits, so a
// page's offset never overflows.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	MaxPage      = 1_000_000
)

// Query selects one page of a kind's rows.
type Query struct {
	// Namespaces keeps only rows in these namespaces; nil keeps all.
	Namespaces []string
	// Search keeps rows whose name, namespace, status, labels (key=value) or
	// cells contain every space-separated term, ignoring case.
	Search string
	// Sort is a sort key of the kind (Kind.SortKeys); "" sorts by namespace,
	// then name.
	Sort string
	// Desc reverses the order.
	Desc bool
	// Page counts from 1 (clamped to 1..MaxPage); Limit is the page size
	// (clamped to 1..MaxLimit). A page past the last is empty.
	Page, Limit int
}

// index holds a kind's rows, precomputed, keyed by namespace/name, and keeps
// them in every order a list can ask for, so that a list reads its page
// instead of sorting.
type index struct {
	kind *Kind

	mu      sync.RWMutex
	entries []*entry       // in no order; a search of every namespace scans this slice
	pos     map[string]int // namespace/name → position in entries
	perNS   map[string]int // how many rows each namespace holds
	sorted  []*order       // per sort column: the rows in list order
	inNS    []*order       // per sort column: the rows by namespace, then in list order
	orders  []sortedBy     // sorted and inNS without repeats: what a write updates

	scratch sync.Pool // *[]*entry, the matches of a search, reused
}

func newIndex(k *Kind) *index {
	x := &index{kind: k, pos: make(map[string]int), perNS: make(map[string]int)}
	for col := range k.sortKeys {
		x.sorted = append(x.sorted, newOrder(col, false))
	}
	for col := range k.sortKeys {
		// Namespace first, then name (or namespace again), is the order
		// sorted by namespace: share it.
		t := x.sorted[byNamespace]
		if col != byName && col != byNamespace {
			t = newOrder(col, true)
		}
		x.inNS = append(x.inNS, t)
	}
	for col, t := range x.sorted {
		x.orders = append(x.orders, sortedBy{t, col})
	}
	for col, t := range x.inNS {
		if !slices.ContainsFunc(x.orders, func(o sortedBy) bool { return o.t == t }) {
			x.orders = append(x.orders, sortedBy{t, col})
		}
	}
	return x
}

// sortedBy is an order and the column it sorts by.
type sortedBy struct {
	t   *order
	col int
}

// put adds or replaces an object's row; it says whether the row is new.
func (x *index) put(r shared.Row) bool {
	e := x.kind.newEntry(r)
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.pos[e.key]; ok {
		x.replace(x.entries[i], e)
		return false
	}
	x.pos[e.key] = len(x.entries)
	x.entries = append(x.entries, e)
	for _, o := range x.orders {
		o.t.Set(e)
	}
	x.perNS[r.Namespace]++
	return true
}

// replace gives the entry old the row of e (same namespace and name). The
// entry stays where it is in every order whose column's key did not change
// (most updates change a status and a count, not a name or an age), and
// moves in the others: an event costs the trees it reorders, not all of
// them. x.mu must be held.
func (x *index) replace(old, e *entry) {
	var buf [32]sortedBy
	moved := buf[:0]
	for _, o := range x.orders {
		if compareKeys(old.keys[o.col], e.keys[o.col]) != 0 {
			o.t.Delete(old) // by its old key, before it changes
			moved = append(moved, o)
		}
	}
	*old = *e
	for _, o := range moved {
		o.t.Set(old)
	}
}

// remove drops an object's row and returns it.
func (x *index) remove(key string) (shared.Row, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.pos[key]
	if !ok {
		return shared.Row{}, false
	}
	e := x.entries[i]
	last := len(x.entries) - 1
	x.entries[i] = x.entries[last]
	x.pos[x.entries[i].key] = i
	x.entries[last] = nil
	x.entries = x.entries[:last]
	delete(x.pos, key)
	for _, o := range x.orders {
		o.t.Delete(e)
	}
	x.uncount(e.row.Namespace)
	return e.row, true
}

// uncount takes a row off its namespace's count. x.mu must be held.
func (x *index) uncount(ns string) {
	if x.perNS[ns]--; x.perNS[ns] <= 0 {
		delete(x.perNS, ns)
	}
}

// get returns the row of the object with this key.
func (x *index) get(key string) (shared.Row, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.pos[key]
	if !ok {
		return shared.Row{}, false
	}
	return x.entries[i].row, true
}

// len is the number of rows.
func (x *index) len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.entries)
}

// namespaces lists the namespaces that hold rows, sorted.
func (x *index) namespaces() []string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]string, 0, len(x.perNS))
	for ns := range x.perNS {
		if ns != "" {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}

// list answers one page: it reads the page off the order of the sort
// column; a search counts its matches among the rows of the query's
// namespaces.
func (x *index) list(q Query) (shared.ListResult, error) {
	col := byNamespace // namespace, then name
	if q.Sort != "" {
		if col = x.kind.sortIndex(q.Sort); col < 0 {
			return shared.ListResult{}, fmt.Errorf("%w: unknown sort column %q", ErrInvalid, q.Sort)
		}
	}
	q.Limit = min(max(q.Limit, 1), MaxLimit)
	q.Page = min(max(q.Page, 1), MaxPage)
	rows, total := x.page(q, col)
	return shared.ListResult{
		Kind:    x.kind.info.Name,
		Columns: x.kind.info.Columns,
		Rows:    rows,
		Total:   total,
		Page:    q.Page,
		Pages:   max(1, (total+q.Limit-1)/q.Limit),
		Limit:   q.Limit,
	}, nil
}

// page copies out page q.Page of the rows q selects, in the order of column
// col, under the read lock, and says how many rows q selects. q's page and
// limit must be in range.
//
// Without a search it knows the total from the namespaces' counts, seeks to
// the page and stops after it. A search looks at every row of the query's
// namespaces, to count the matches: in list order when they are a few
// namespaces, in memory order (faster, and then only the page is sorted)
// when they are most of the index.
func (x *index) page(q Query, col int) (rows []shared.Row, total int) {
	terms := strings.Fields(strings.ToLower(q.Search))
	x.mu.RLock()
	defer x.mu.RUnlock()
	s := x.source(col, q.Namespaces)
	switch {
	case len(terms) == 0:
		from, to := pageBounds(q, s.rows)
		rows, _ = s.collect(col, q.Desc, nil, from, to, false)
		return rows, s.rows
	case s.whole:
		return x.search(q, col, s.keep, terms)
	}
	from := (q.Page - 1) * q.Limit // in range, it cannot overflow
	return s.collect(col, q.Desc, terms, from, from+q.Limit, true)
}

// pageBounds is where page q.Page of total rows starts and ends: both total
// when it is past the last page.
func pageBounds(q Query, total int) (from, to int) {
	from = total
	if q.Page-1 <= total/q.Limit {
		from = (q.Page - 1) * q.Limit // at most total: it cannot overflow
	}
	return from, min(from+q.Limit, total)
}

// search scans every row, in memory order, for those matching terms in the
// namespaces keep accepts (nil: all), and sorts only as many of them as
// page q needs. x.mu must be held.
func (x *index) search(q Query, col int, keep func(string) bool, terms []string) (rows []shared.Row, total int) {
	bufp, _ := x.scratch.Get().(*[]*entry)
	if bufp == nil {
		bufp = new([]*entry)
	}
	matches := (*bufp)[:0]
	for _, e := range x.entries {
		if (keep == nil || keep(e.row.Namespace)) && matchAll(e.search, terms) {
			matches = append(matches, e)
		}
	}
	from, to := pageBounds(q, len(matches))
	sortFirst(matches, to, func(a, b *entry) int {
		if q.Desc {
			return compareAt(b, a, col)
		}
		return compareAt(a, b, col)
	})
	rows = make([]shared.Row, to-from)
	for i, e := range matches[from:to] {
		rows[i] = e.row
	}
	total = len(matches)
	clear(matches) // do not keep entries alive through the pool
	*bufp = matches[:0]
	x.scratch.Put(bufp)
	return rows, total
}

func compareKeys(a, b sortKey) int {
	if c := cmp.Compare(a.n, b.n); c != 0 {
		return c
	}
	return strings.Compare(a.s, b.s)
}

func matchAll(text string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// namespaceFilter says whether a namespace is selected; nil selects all.
func namespaceFilter(namespaces []string) func(string) bool {
	switch {
	case namespaces == nil:
		return func(string) bool { return true }
	case len(namespaces) <= 8:
		return func(ns string) bool { return slices.Contains(namespaces, ns) }
	}
	set := make(map[string]struct{}, len(namespaces))
	for _, ns := range namespaces {
		set[ns] = struct{}{}
	}
	return func(ns string) bool { _, ok := set[ns]; return ok }
}

// sortFirst puts the first k elements of s, in order, at its start. When k is
// small next to len(s) (the first pages of a list) it selects them with a
// bounded heap, O(n log k), instead of sorting everything.
func sortFirst[E any](s []E, k int, order func(a, b E) int) {
	if k <= 0 {
		return
	}
	if k*4 > len(s) {
		slices.SortFunc(s, order)
		return
	}
	h := s[:k] // a max-heap: h[0] is the last of the k kept so far
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(h, i, order)
	}
	for i := k; i < len(s); i++ {
		if order(s[i], h[0]) < 0 {
			h[0], s[i] = s[i], h[0]
			siftDown(h, 0, order)
		}
	}
	slices.SortFunc(h, order)
}

// siftDown restores the max-heap h (by order) below position i.
func siftDown[E any](h []E, i int, order func(a, b E) int) {
	for {
		big, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && order(h[l], h[big]) > 0 {
			big = l
		}
		if r < len(h) && order(h[r], h[big]) > 0 {
			big = r
		}
		if big == i {
			return
		}
		h[i], h[big] = h[big], h[i]
		i = big
	}
}
