package shared

import "time"

// Helm releases and the chart catalog as the server and the UI see them.
// kube/helm builds them from what the Helm SDK keeps; the server adds what
// only it knows (operations running, the live state of objects).

// The statuses a Helm release can have.
const (
	ReleaseDeployed        = "deployed"
	ReleaseFailed          = "failed"
	ReleasePendingInstall  = "pending-install"
	ReleasePendingUpgrade  = "pending-upgrade"
	ReleasePendingRollback = "pending-rollback"
	ReleaseUninstalling    = "uninstalling"
	ReleaseSuperseded      = "superseded"
	ReleaseUninstalled     = "uninstalled"
)

// Release is one Helm release: its latest revision, the chart it runs and
// where it stands.
type Release struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Chart and ChartVersion name the chart of the latest revision.
	Chart        string `json:"chart"`
	ChartVersion string `json:"chartVersion"`
	AppVersion   string `json:"appVersion,omitempty"`
	// Description is the chart's description.
	Description string `json:"description,omitempty"`
	// Icon is the chart's icon URL as its metadata gives it (the server
	// fetches it; the browser never does).
	Icon string `json:"icon,omitempty"`
	// IconPath is where the browser gets the icon from Kubedeck, relative
	// to the API root ("catalog/icon?repo=…&chart=…"); empty when no
	// configured repository serves the chart with that icon.
	IconPath string `json:"iconPath,omitempty"`
	// Status is one of the Release… constants.
	Status string `json:"status"`
	// Stuck marks a release left pending with no operation working on it;
	// a rollback gets it out.
	Stuck    bool      `json:"stuck,omitempty"`
	Revision int       `json:"revision"`
	Updated  time.Time `json:"updated"`
}

// ReleaseRevision is one revision of a release's history.
type ReleaseRevision struct {
	Revision     int    `json:"revision"`
	Status       string `json:"status"`
	ChartVersion string `json:"chartVersion"`
	AppVersion   string `json:"appVersion,omitempty"`
	// Description is what Helm wrote about the revision ("Install
	// complete", "Rollback to 1", the reason it failed).
	Description string    `json:"description,omitempty"`
	Updated     time.Time `json:"updated"`
}

// ReleaseResource names one object of a release's manifest. Namespace is
// empty for cluster-scoped objects.
type ReleaseResource struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// ReleaseDetail is one release in full: its latest revision, notes,
// values, manifest, history and objects.
type ReleaseDetail struct {
	Release Release `json:"release"`
	Notes   string  `json:"notes,omitempty"`
	// Values are the values the user gave, ComputedValues those the chart
	// was rendered with (its defaults merged in), Manifest the objects
	// Helm applied, all YAML; with the data of Secrets in the manifest
	// replaced by their length. They are empty, and ValuesHidden true, for
	// a user who may not read the release's Secrets.
	Values         string `json:"values,omitempty"`
	ComputedValues string `json:"computedValues,omitempty"`
	Manifest       string `json:"manifest,omitempty"`
	ValuesHidden   bool   `json:"valuesHidden,omitempty"`
	// History lists the revisions Helm keeps, oldest first.
	History   []ReleaseRevision `json:"history"`
	Resources []ReleaseResource `json:"resources"`
}

// CatalogChart is one chart of a configured repository.
type CatalogChart struct {
	Repository  string `json:"repository"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Icon        string `json:"icon,omitempty"`
	// IconPath is where the browser gets the icon from Kubedeck, relative
	// to the API root; empty when the chart has none.
	IconPath      string `json:"iconPath,omitempty"`
	LatestVersion string `json:"latestVersion"`
	AppVersion    string `json:"appVersion,omitempty"`
	// Versions lists the chart's versions, newest first.
	Versions []string `json:"versions"`
}

// Catalog is the data of GET /api/v1/catalog: the charts of every
// configured repository that match the search.
type Catalog struct {
	Charts []CatalogChart `json:"charts"`
	// Stale names the repositories that failed to answer and whose charts
	// come from the last copy Kubedeck read.
	Stale []string `json:"stale,omitempty"`
	// Errors says, per repository, why it has no charts in the catalog.
	Errors map[string]string `json:"errors,omitempty"`
}

// ReleaseRef names a release.
type ReleaseRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}
