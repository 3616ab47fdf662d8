package shared

// Replies of the Helm endpoints that the server assembles around the
// releases Kubedeck's Helm client reads (charts.go).

// ReleaseList is the data of GET /api/v1/charts: the releases the user may
// see, and the namespaces left out, never a 403 for the whole list.
type ReleaseList struct {
	Releases []Release `json:"releases"`
	// Forbidden names the namespaces whose releases the user may not read
	// (they may not list Secrets there) but may know of.
	Forbidden []string `json:"forbidden,omitempty"`
	// Hidden counts the namespaces left out that the user may not even
	// know the names of.
	Hidden int `json:"hidden,omitempty"`
	// Errors says, per namespace, why its releases could not be read.
	Errors map[string]string `json:"errors,omitempty"`
}

// ReleaseObject is one object of a release with its live state from the
// cache: Found is false when the cache does not hold it (a kind the
// cache does not watch, or an object gone).
type ReleaseObject struct {
	ReleaseResource
	Found  bool   `json:"found"`
	Status string `json:"status,omitempty"`
	Level  Level  `json:"level,omitempty"`
}

// ReleaseDetailReply is the data of GET /api/v1/charts/{name}: the release
// as Helm keeps it, and its objects with their live state.
type ReleaseDetailReply struct {
	ReleaseDetail
	Objects []ReleaseObject `json:"objects"`
}

// ChartInstall is the body of POST /api/v1/charts (install) and, without
// Name and Namespace, of PUT /api/v1/charts/{name} (upgrade): the chart as
// "<repository>/<chart>", its version and the values as YAML text.
type ChartInstall struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Chart     string `json:"chart"`
	Version   string `json:"version"`
	Values    string `json:"values,omitempty"`
}

// ChartRollback is the body of POST /api/v1/charts/{name}/rollback.
type ChartRollback struct {
	Revision int `json:"revision"`
}

// BulkUninstall is the body of POST /api/v1/charts/uninstall.
type BulkUninstall struct {
	Releases    []ReleaseRef `json:"releases"`
	KeepHistory bool         `json:"keepHistory,omitempty"`
}

// BulkUninstallResult is the data of POST /api/v1/charts/uninstall: one
// result per release, in the order asked, never all or nothing. Each
// started release has its operation; each refused one its error.
type BulkUninstallResult struct {
	Results []UninstallResult `json:"results"`
}

// UninstallResult is the outcome of one release of a bulk uninstall.
type UninstallResult struct {
	ReleaseRef
	Operation *Operation `json:"operation,omitempty"`
	Error     *Error     `json:"error,omitempty"`
}

// ChartDefaults is the data of GET /api/v1/catalog/values: the default
// values of a version of a chart, as its values.yaml says them, comments
// included.
type ChartDefaults struct {
	Chart   string `json:"chart"` // "<repository>/<chart>"
	Version string `json:"version"`
	Values  string `json:"values"`
	// Truncated says Values stops, at the end of a line, before the end of
	// a long values.yaml.
	Truncated bool `json:"truncated,omitempty"`
	// Schema says the chart checks values against a values.schema.json.
	Schema bool `json:"schema,omitempty"`
}

// ChartPreview is the body of POST /api/v1/charts/preview: an install (as
// POST /api/v1/charts takes it) or, with Upgrade, an upgrade of release
// Name in Namespace, rendered as a dry run against the cluster. Its reply
// is the ReleaseDetail the install or upgrade would make.
type ChartPreview struct {
	ChartInstall
	Upgrade bool `json:"upgrade,omitempty"`
}
