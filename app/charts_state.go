package main

import (
	"errors"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What the charts page knows of the Helm releases: the list as the server
// answered it, the filter the user set, the releases selected and how the
// list is laid out. Plain structs, changed only through their methods.

// chartsList is the last answer of GET /charts and where its load stands.
type chartsList struct {
	status    loadStatus
	seq       int
	releases  []shared.Release
	forbidden []string
	hidden    int
	errors    map[string]string
	err       string // why the last load failed
}

// begin starts a load and returns its number; an outcome with an older
// number is dropped.
func (l *chartsList) begin() int {
	l.seq++
	l.status = statusLoading
	return l.seq
}

// loaded takes a load's outcome and says whether it was taken. A failure
// keeps the releases shown before (the page says the refresh failed).
func (l *chartsList) loaded(seq int, list shared.ReleaseList, err error) bool {
	if seq != l.seq {
		return false
	}
	if err != nil {
		l.status, l.err = statusFailed, errorText(err)
		return true
	}
	l.status, l.err = statusLoaded, ""
	l.releases = slices.Clone(list.Releases)
	slices.SortFunc(l.releases, func(a, b shared.Release) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	l.forbidden, l.hidden, l.errors = list.Forbidden, list.Hidden, list.Errors
	return true
}

// errorText is an error as the user reads it: the server's message.
func errorText(err error) string {
	var re *replyError
	if errors.As(err, &re) {
		return re.API.Message
	}
	return err.Error()
}

// namespaces are the namespaces of the releases, sorted, for the filter.
func (l *chartsList) namespaces() []string {
	var out []string
	for _, r := range l.releases {
		if !slices.Contains(out, r.Namespace) {
			out = append(out, r.Namespace)
		}
	}
	slices.Sort(out)
	return out
}

// The status filter's choices beyond "all".
const (
	statusFilterDeployed = "deployed"
	statusFilterFailed   = "failed"
	statusFilterPending  = "pending" // any pending-*, stuck or not
	statusFilterStuck    = "stuck"
	statusFilterOther    = "other" // uninstalling, superseded, uninstalled
)

// chartsStatusChoices are the status filter's choices, in order, with their
// labels.
var chartsStatusChoices = []struct{ Value, Label string }{
	{"", "All statuses"},
	{statusFilterDeployed, "Deployed"},
	{statusFilterFailed, "Failed"},
	{statusFilterPending, "Pending"},
	{statusFilterStuck, "Stuck"},
	{statusFilterOther, "Other"},
}

// chartsFilter is what the user narrowed the list to.
type chartsFilter struct {
	Namespace string // "" for all
	Status    string // one of the statusFilter… values, "" for all
	Query     string // matched against name, chart, namespace and description
}

// match says whether r passes the filter.
func (f chartsFilter) match(r shared.Release) bool {
	if f.Namespace != "" && r.Namespace != f.Namespace {
		return false
	}
	if f.Status != "" && statusGroup(r) != f.Status && !(f.Status == statusFilterPending && r.Stuck) {
		return false
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	if q == "" {
		return true
	}
	for _, s := range []string{r.Name, r.Namespace, r.Chart, r.ChartVersion, r.AppVersion, r.Description} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// statusGroup is the status filter's group of r.
func statusGroup(r shared.Release) string {
	switch {
	case r.Stuck:
		return statusFilterStuck
	case r.Status == shared.ReleaseDeployed:
		return statusFilterDeployed
	case r.Status == shared.ReleaseFailed:
		return statusFilterFailed
	case strings.HasPrefix(r.Status, "pending-"):
		return statusFilterPending
	}
	return statusFilterOther
}

// apply returns the releases that pass the filter, in the list's order.
func (f chartsFilter) apply(rs []shared.Release) []shared.Release {
	var out []shared.Release
	for _, r := range rs {
		if f.match(r) {
			out = append(out, r)
		}
	}
	return out
}

// releaseBadge is how a release's status shows: its level (the badge's
// colour) and its words.
type releaseBadge struct {
	Level shared.Level
	Text  string
	// Hint says more, for a title and screen readers ("" for none).
	Hint string
}

// badgeOf maps a release's status to its badge. A stuck release says so
// first, as an error: nothing is working on it and upgrades are blocked.
func badgeOf(r shared.Release) releaseBadge {
	switch {
	case r.Stuck:
		return releaseBadge{Level: shared.LevelError, Text: "stuck: " + r.Status,
			Hint: "No operation is working on this release; roll it back to recover."}
	case r.Status == shared.ReleaseDeployed:
		return releaseBadge{Level: shared.LevelOK, Text: r.Status}
	case r.Status == shared.ReleaseFailed:
		return releaseBadge{Level: shared.LevelError, Text: r.Status}
	case strings.HasPrefix(r.Status, "pending-"), r.Status == shared.ReleaseUninstalling:
		return releaseBadge{Level: shared.LevelWarning, Text: r.Status, Hint: "An operation is working on this release."}
	case r.Status == "":
		return releaseBadge{Level: shared.LevelUnknown, Text: "unknown"}
	}
	return releaseBadge{Level: shared.LevelUnknown, Text: r.Status}
}

// releaseKey names a release in the selection and in element ids.
func releaseKey(namespace, name string) string { return namespace + "/" + name }

// refOf is a release's reference.
func refOf(r shared.Release) shared.ReleaseRef {
	return shared.ReleaseRef{Namespace: r.Namespace, Name: r.Name}
}

// chartsSelection is the releases ticked for a bulk action, by key.
type chartsSelection struct {
	keys map[string]bool
}

// toggle ticks or unticks one release.
func (s *chartsSelection) toggle(key string) {
	if s.keys == nil {
		s.keys = map[string]bool{}
	}
	if s.keys[key] {
		delete(s.keys, key)
		return
	}
	s.keys[key] = true
}

// toggleOff unticks one release.
func (s *chartsSelection) toggleOff(key string) { delete(s.keys, key) }

// has says whether a release is ticked.
func (s *chartsSelection) has(key string) bool { return s.keys[key] }

// allOf says whether every release shown is ticked (false for none shown).
func (s *chartsSelection) allOf(shown []shared.Release) bool {
	for _, r := range shown {
		if !s.keys[releaseKey(r.Namespace, r.Name)] {
			return false
		}
	}
	return len(shown) > 0
}

// toggleAll ticks every release shown, or unticks them when all are
// ticked already.
func (s *chartsSelection) toggleAll(shown []shared.Release) {
	all := s.allOf(shown)
	if s.keys == nil {
		s.keys = map[string]bool{}
	}
	for _, r := range shown {
		if all {
			delete(s.keys, releaseKey(r.Namespace, r.Name))
		} else {
			s.keys[releaseKey(r.Namespace, r.Name)] = true
		}
	}
}

// picked returns the ticked releases among those shown, in their order:
// what a bulk action acts on (a release ticked and then filtered out is
// not acted on unseen).
func (s *chartsSelection) picked(shown []shared.Release) []shared.ReleaseRef {
	var out []shared.ReleaseRef
	for _, r := range shown {
		if s.keys[releaseKey(r.Namespace, r.Name)] {
			out = append(out, refOf(r))
		}
	}
	return out
}

// prune unticks what the list no longer holds.
func (s *chartsSelection) prune(rs []shared.Release) {
	for k := range s.keys {
		if !slices.ContainsFunc(rs, func(r shared.Release) bool { return releaseKey(r.Namespace, r.Name) == k }) {
			delete(s.keys, k)
		}
	}
}

// chartsLayout is how the list is laid out.
type chartsLayout string

// The layouts; the table is the default.
const (
	layoutTable chartsLayout = "table"
	layoutGrid  chartsLayout = "grid"
)

// layoutStorageKey is where the chosen layout is kept (localStorage).
const layoutStorageKey = "kubedeck.charts.layout"

// prefStore is the browser storage the page keeps its preference in.
type prefStore interface {
	Get(k string, v any) error
	Set(k string, v any) error
}

// readLayout reads the kept layout; the table when none is kept or what is
// kept is not a layout.
func readLayout(s prefStore) chartsLayout {
	if s == nil {
		return layoutTable
	}
	var v string
	if s.Get(layoutStorageKey, &v) != nil {
		return layoutTable
	}
	if l := chartsLayout(v); l == layoutGrid {
		return l
	}
	return layoutTable
}

// keepLayout keeps l for the next visit; a storage that refuses (private
// mode, quota) only costs the preference.
func keepLayout(s prefStore, l chartsLayout) {
	if s != nil {
		_ = s.Set(layoutStorageKey, string(l))
	}
}

// fallbackIcon is the icon a release shows: the chart's initial on a
// colour derived from the chart's name, the same name always the same
// colour. The colours are classes of the stylesheet (kd-icon-c0 to
// kd-icon-c11): the page's CSP refuses inline styles.
type fallbackIcon struct {
	Letter string
	Colour int // 0 to iconColours-1
}

// iconColours is how many colours the stylesheet has for icons.
const iconColours = 12

// iconFor makes the fallback icon of a chart name.
func iconFor(name string) fallbackIcon {
	letter := "?"
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letter = string(unicode.ToUpper(r))
			break
		}
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	return fallbackIcon{Letter: letter, Colour: int(h.Sum32() % iconColours)}
}

// updatedText says when a release last changed, as ageOf does, "—" when
// unknown.
func updatedText(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return ageOf(t.Unix(), now)
}

// ReleaseViewProps is what the releases table and grid show and do: the
// releases, which are selected and whether all are, the time the updated
// column counts from, and what ticking a box (with the release's key), the
// select-all box and a Details button do. It is exported because go-app
// passes only exported fields to a component already on the page: an
// unexported one kept the table showing its first releases.
type ReleaseViewProps struct {
	Releases []shared.Release
	Selected map[string]bool
	AllOn    bool
	Now      time.Time

	onToggle    func(app.Context, string)
	onToggleAll func(app.Context)
	onOpen      func(app.Context, shared.Release)
}
