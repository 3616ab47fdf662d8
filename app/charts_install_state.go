package main

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// The install form of a catalog chart, and the upgrade form of a release:
// what the user typed, what is wrong with it (found here as they type, or
// said by the server), and the operation that follows Install or Upgrade.

// The form's fields, as the server names them in its errors.
const (
	installName      = "name"
	installNamespace = "namespace"
	installVersion   = "version"
	installValues    = "values"
)

// installFields are the form's fields, in order.
var installFields = []string{installName, installNamespace, installVersion, installValues}

// Limits the server applies: Helm's for release names (a release's name
// ends up in labels with a suffix), Kubedeck's for the values.
const (
	maxReleaseName = 53
	maxValuesBytes = 64 << 10
)

// chartInstall is the install (or upgrade) form and its operation.
type chartInstall struct {
	chart   shared.CatalogChart // the chart; its name alone when the catalog does not list it
	req     shared.ChartInstall
	upgrade bool // the form upgrades release req.Namespace/req.Name
	// current is the version the upgraded release runs (of the same chart),
	// valuesHidden says the user may not read the values it runs with.
	current      string
	valuesHidden bool
	// draftNamespace is the namespace of a restored draft, until the
	// namespaces offered are known.
	draftNamespace string

	touched       map[string]bool
	server        map[string]string // what the server said of a field, until it changes
	valuesPath    string            // where in the values the server found a problem ("$.image.tag")
	valueProblems []valuesProblem   // what the server found wrong in the values, by line
	failure       string            // why the last attempt failed, when no field is to blame

	seq      int // counts the user's changes
	defaults valuesDefaults
	preview  valuesPreview

	nsStatus   loadStatus
	namespaces []string // the namespaces the user may install into

	sending bool
	op      shared.Operation // the operation followed; its ID is "" until one starts
	log     []string         // the operation's messages, in order, each once
}

// open starts the install form of ch, its latest version chosen and its
// name proposed as the release's; the namespaces offered stay.
func (f *chartInstall) open(ch shared.CatalogChart, remembered string) {
	*f = chartInstall{chart: ch, nsStatus: f.nsStatus, namespaces: f.namespaces,
		req: shared.ChartInstall{Chart: chartRef(ch), Version: latestVersion(ch)}}
	if releaseNameProblem(ch.Name) == "" {
		f.req.Name = ch.Name
	}
	f.req.Namespace = pickNamespace("", remembered, f.namespaces)
}

// openUpgrade starts the upgrade form of release ref, which runs chart
// (from the catalog when it lists it) at version with values.
func (f *chartInstall) openUpgrade(ref shared.ReleaseRef, ch shared.CatalogChart, version, values string) {
	*f = chartInstall{chart: ch, upgrade: true, req: shared.ChartInstall{Name: ref.Name, Namespace: ref.Namespace,
		Chart: chartRef(ch), Version: version, Values: values}}
	if version == "" {
		f.req.Version = latestVersion(ch)
	}
}

// latestVersion is the chart's newest version.
func latestVersion(ch shared.CatalogChart) string {
	if ch.LatestVersion == "" && len(ch.Versions) > 0 {
		return ch.Versions[0]
	}
	return ch.LatestVersion
}

// close closes the form; the namespaces offered stay.
func (f *chartInstall) close() { *f = chartInstall{nsStatus: f.nsStatus, namespaces: f.namespaces} }

// isOpen says whether the form shows.
func (f *chartInstall) isOpen() bool { return f.req.Chart != "" }

// offered takes the namespaces the user may install into (nil and a
// failure: the user types one) and chooses one when none is.
func (f *chartInstall) offered(namespaces []string, err error, remembered string) {
	if err != nil {
		f.nsStatus = statusFailed
		return
	}
	f.nsStatus, f.namespaces = statusLoaded, slices.Clone(namespaces)
	// A draft's namespace, kept until the namespaces were known, is chosen
	// if it is offered and the user did not choose another meanwhile.
	if ns := f.draftNamespace; ns != "" && !f.touched[installNamespace] && slices.Contains(f.namespaces, ns) {
		f.req.Namespace = ns
	}
	f.draftNamespace = ""
	if f.isOpen() && !f.upgrade && f.req.Namespace == "" {
		f.req.Namespace = pickNamespace("", remembered, f.namespaces)
	}
}

// set changes a field as the user typed it: the server's word on it no
// longer holds.
func (f *chartInstall) set(field, value string) {
	if f.busy() || (f.upgrade && (field == installName || field == installNamespace)) {
		return
	}
	switch field {
	case installName:
		f.req.Name = value
	case installNamespace:
		f.req.Namespace = value
	case installVersion:
		f.req.Version = value
	case installValues:
		f.req.Values = value
		f.valuesPath, f.valueProblems = "", nil
	default:
		return
	}
	if f.touched == nil {
		f.touched = map[string]bool{}
	}
	f.touched[field] = true
	delete(f.server, field)
	f.failure = ""
	f.changed()
}

// problems are what is wrong with the form, by field, before any request.
func (f *chartInstall) problems() map[string]string {
	out := map[string]string{}
	if p := releaseNameProblem(f.req.Name); p != "" {
		out[installName] = p
	}
	if f.req.Namespace == "" {
		out[installNamespace] = "Choose the namespace to install into."
	} else if err := shared.NamespaceName.Validate(f.req.Namespace); err != nil {
		out[installNamespace] = "A namespace " + err.Error() + "."
	}
	if f.req.Version == "" {
		out[installVersion] = "Choose the chart's version."
	}
	if n := len(f.req.Values); n > maxValuesBytes {
		out[installValues] = "The values are " + strconv.Itoa(n) + " bytes long; at most " + strconv.Itoa(maxValuesBytes) + " are accepted."
	}
	return out
}

// releaseNameProblem says what is wrong with a release name, as Helm's
// rules have it: a DNS-1123 label of at most 53 characters.
func releaseNameProblem(name string) string {
	switch {
	case name == "":
		return "Name the release."
	case len(name) > maxReleaseName:
		return "A release name must be at most " + strconv.Itoa(maxReleaseName) + " characters long (it has " + strconv.Itoa(len(name)) + ")."
	}
	if err := shared.DNSLabel.Validate(name); err != nil {
		return "A release name " + err.Error() + "."
	}
	return ""
}

// errorAt is the error shown beside field: the server's, or the form's
// own once the field was touched or Install pressed.
func (f *chartInstall) errorAt(field string) string {
	if msg := f.server[field]; msg != "" {
		return msg
	}
	if !f.touched[field] {
		return ""
	}
	return f.problems()[field]
}

// busy says whether the request is on its way or its operation runs.
func (f *chartInstall) busy() bool { return f.sending || (f.op.ID != "" && !f.op.Done()) }

// following says whether the form shows an operation rather than fields.
func (f *chartInstall) following() bool { return f.op.ID != "" }

// start marks every field touched and, when nothing is wrong and nothing
// runs, marks the request sent and returns it.
func (f *chartInstall) start() (shared.ChartInstall, bool) {
	if !f.isOpen() || f.busy() || f.following() {
		return shared.ChartInstall{}, false
	}
	f.touchAll()
	if len(f.problems()) > 0 {
		return shared.ChartInstall{}, false
	}
	f.sending, f.failure = true, ""
	req := f.req
	if f.upgrade {
		req.Name, req.Namespace = "", ""
	}
	return req, true
}

// touchAll marks every field touched: its problems show.
func (f *chartInstall) touchAll() {
	f.touched = map[string]bool{}
	for _, k := range installFields {
		f.touched[k] = true
	}
}

// refused takes the server's refusal: a field's error beside the field
// (a 400 names it), anything else above the Install button.
func (f *chartInstall) refused(err error) {
	f.sending = false
	if field := fieldRefused(err); field != "" {
		f.blame(field, *apiErrorOf(err))
		return
	}
	f.failure = errorText(err)
}

// fieldRefused is the field a 400 blames, "" for none.
func fieldRefused(err error) string {
	var re *replyError
	if errors.As(err, &re) && re.Status == http.StatusBadRequest {
		return blamedField(re.API)
	}
	return ""
}

// apiErrorOf is the server's error in err (nil when it has none).
func apiErrorOf(err error) *shared.Error {
	var re *replyError
	if errors.As(err, &re) {
		return &re.API
	}
	return nil
}

// blame puts the server's error e beside field.
func (f *chartInstall) blame(field string, e shared.Error) {
	if f.server == nil {
		f.server = map[string]string{}
	}
	f.server[field] = e.Message
	if field == installValues {
		f.valuesPath, f.valueProblems = valuesPathOf(e), problemsOf(e)
	}
}

// blamedField is the field a server error is about ("" for none): the
// field or parameter it names, or the values when it names a path in
// them or says they break the chart's schema.
func blamedField(e shared.Error) string {
	for _, k := range []string{shared.DetailField, shared.DetailParameter} {
		if s, _ := e.Details[k].(string); slices.Contains(installFields, s) {
			return s
		}
	}
	if valuesPathOf(e) != "" || strings.HasPrefix(e.Message, "The values") {
		return installValues
	}
	return ""
}

// valuesPathOf is the path in the values that e is about: its "path"
// detail, or the "$…" its message names.
func valuesPathOf(e shared.Error) string {
	if s, _ := e.Details[shared.DetailPath].(string); strings.HasPrefix(s, "$") {
		return s
	}
	if !strings.HasPrefix(e.Message, "The values") {
		return ""
	}
	i := strings.Index(e.Message, "$")
	if i < 0 {
		return ""
	}
	path := e.Message[i:]
	if j := strings.IndexAny(path, ": "); j >= 0 {
		path = path[:j]
	}
	return path
}

// accepted takes the operation the server started.
func (f *chartInstall) accepted(op shared.Operation) {
	f.sending, f.op, f.log = false, op, nil
	f.record(op.Message)
}

// progress takes a state of an operation and says whether it is the
// form's. A failure because of a field puts the error beside it.
func (f *chartInstall) progress(op shared.Operation) bool {
	if f.op.ID == "" || op.ID != f.op.ID || f.op.Done() {
		return false
	}
	f.op = op
	f.record(op.Message)
	if op.Phase == shared.OperationFailed && op.Error != nil && op.Error.Code == shared.CodeValidation {
		// A field is to blame: back to the fields, the error beside it.
		if field := blamedField(*op.Error); field != "" {
			f.failure = f.outcome()
			f.blame(field, *op.Error)
			f.op, f.log = shared.Operation{}, nil
		}
	}
	return true
}

// lost ends an operation the server no longer knows.
func (f *chartInstall) lost(id string) {
	if f.op.ID == id && !f.op.Done() {
		f.op.Phase = shared.OperationFailed
		f.op.Error = &shared.Error{Message: "Kubedeck's server no longer knows how the operation went; the releases list shows where the release stands."}
	}
}

// record adds a message to the log, unless it is the last one already.
func (f *chartInstall) record(msg string) {
	if msg != "" && (len(f.log) == 0 || f.log[len(f.log)-1] != msg) {
		f.log = append(f.log, msg)
	}
}

// edit goes back to the fields after a failed operation.
func (f *chartInstall) edit() {
	if f.op.Phase == shared.OperationFailed {
		f.op, f.log = shared.Operation{}, nil
	}
}
