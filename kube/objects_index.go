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

// index holds a kind's rows, precomputed, keyed by namespace/name.
type index struct {
	kind *Kind

	mu      sync.RWMutex
	entries []*entry       // in no order; a list scans this slice
	pos     map[string]int // namespace/name → position in entries
	perNS   map[string]int // how many rows each namespace holds

	scratch sync.Pool // *[]*entry, the matches of a list, reused
}

func newIndex(k *Kind) *index {
	return &index{kind: k, pos: make(map[string]int), perNS: make(map[string]int)}
}

// put adds or replaces an object's row; it says whether the row is new.
func (x *index) put(r shared.Row) bool {
	e := x.kind.newEntry(r)
	x.mu.Lock()
	defer x.mu.Unlock()
	x.perNS[r.Namespace]++
	if i, ok := x.pos[e.key]; ok {
		x.perNS[x.entries[i].row.Namespace]--
		x.entries[i] = e
		return false
	}
	x.pos[e.key] = len(x.entries)
	x.entries = append(x.entries, e)
	return true
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
	if x.perNS[e.row.Namespace]--; x.perNS[e.row.Namespace] <= 0 {
		delete(x.perNS, e.row.Namespace)
	}
	return e.row, true
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

// list answers one page: it filters the precomputed rows, sorts pointers to
// them by their precomputed keys, and copies out only the page.
func (x *index) list(q Query) (shared.ListResult, error) {
	col := 1 // namespace, then name
	if q.Sort != "" {
		if col = x.kind.sortIndex(q.Sort); col < 0 {
			return shared.ListResult{}, fmt.Errorf("%w: unknown sort column %q", ErrInvalid, q.Sort)
		}
	}
	q.Limit = min(max(q.Limit, 1), MaxLimit)
	q.Page = min(max(q.Page, 1), MaxPage)

	bufp, _ := x.scratch.Get().(*[]*entry)
	if bufp == nil {
		bufp = new([]*entry)
	}
	rows, matches, total := x.page(q, col, (*bufp)[:0])
	clear(matches) // do not keep entries alive through the pool
	*bufp = matches[:0]
	x.scratch.Put(bufp)

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

// page collects the rows q selects into matches, under the read lock, and
// copies out page q.Page of them, sorted by column col. It returns the page,
// matches (to reuse) and how many rows matched. q's page and limit must be
// in range.
func (x *index) page(q Query, col int, matches []*entry) (rows []shared.Row, _ []*entry, total int) {
	terms := strings.Fields(strings.ToLower(q.Search))
	inNS := namespaceFilter(q.Namespaces)
	order := func(a, b *entry) int {
		c := compareKeys(a.keys[col], b.keys[col])
		if c == 0 && col != 1 {
			c = strings.Compare(a.row.Namespace, b.row.Namespace)
		}
		if c == 0 {
			c = strings.Compare(a.row.Name, b.row.Name)
		}
		if q.Desc {
			return -c
		}
		return c
	}

	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, e := range x.entries {
		if inNS(e.row.Namespace) && matchAll(e.search, terms) {
			matches = append(matches, e)
		}
	}
	total = len(matches)
	from := total // a page past the last is empty
	if q.Page-1 <= total/q.Limit {
		from = (q.Page - 1) * q.Limit // at most total: it cannot overflow
	}
	to := min(from+q.Limit, total)
	sortFirst(matches, to, order)
	rows = make([]shared.Row, to-from)
	for i, e := range matches[from:to] {
		rows[i] = e.row
	}
	return rows, matches, total
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
