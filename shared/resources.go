package shared

// Level is how healthy an object looks, for a status badge.
type Level string

// The status levels, from best to worst; unknown when it cannot be told.
const (
	LevelOK      Level = "ok"
	LevelWarning Level = "warning"
	LevelError   Level = "error"
	LevelUnknown Level = "unknown"
)

// Column describes one kind-specific column of a resource table.
type Column struct {
	Key   string `json:"key"`
	Title string `json:"title"`
}

// Row is one object in a resource list: the columns every kind has, and the
// kind-specific ones in Cells (keyed by Column.Key).
type Row struct {
	UID       string            `json:"uid"`
	Kind      string            `json:"kind"`
	Name      string            `json:"name"`
	Namespace string            `json:"namespace,omitempty"`
	Created   int64             `json:"created"` // Unix seconds; the UI shows the age
	Status    string            `json:"status"`
	Level     Level             `json:"level"`
	Labels    map[string]string `json:"labels,omitempty"`
	Cells     map[string]string `json:"cells,omitempty"`
	Version   string            `json:"resourceVersion,omitempty"`
}

// KindInfo describes a kind the object viewer can show.
type KindInfo struct {
	Name       string   `json:"name"` // the path segment: "pods", "deployments", …
	Kind       string   `json:"kind"` // "Pod", "Deployment", …
	Namespaced bool     `json:"namespaced"`
	Columns    []Column `json:"columns"`
}

// ListResult is one page of a resource list.
type ListResult struct {
	Kind            string   `json:"kind"`
	Columns         []Column `json:"columns"`
	Rows            []Row    `json:"rows"`
	Total           int      `json:"total"`
	Page            int      `json:"page"`
	Pages           int      `json:"pages"`
	Limit           int      `json:"limit"`
	ResourceVersion string   `json:"resourceVersion"`
	// Forbidden names the namespaces left out because the user may not list them.
	Forbidden []string `json:"forbidden,omitempty"`
}

// Namespace is one namespace the user may see.
type Namespace struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Created int64  `json:"created"`
}
