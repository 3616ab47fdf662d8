package shared

import "encoding/json"

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

// KindInfo describes a kind the object viewer can show. Every kind sorts by
// the common keys "name", "namespace", "age", "status" and "level", and by
// the key of any of its Columns.
type KindInfo struct {
	Name       string   `json:"name"` // the path segment: "pods", "deployments", …
	Kind       string   `json:"kind"` // "Pod", "Deployment", …
	Namespaced bool     `json:"namespaced"`
	Columns    []Column `json:"columns"`
	// Workload is true for kinds whose detail lists their pods.
	Workload bool `json:"workload,omitempty"`
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
	// Hidden counts the namespaces left out that the user may not even know
	// the names of (they may neither list nor get them).
	Hidden int `json:"hidden,omitempty"`
}

// Namespace is one namespace the user may see.
type Namespace struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Created int64  `json:"created"`
}

// ObjectDetail is one object as the object viewer's detail page shows it:
// its row, the sanitized object (managedFields dropped, Secret values replaced
// by their length) as JSON split for the UI's tabs and as YAML, its recent
// events and, for workloads, the rows of its pods.
type ObjectDetail struct {
	Row Row `json:"row"`
	// Object is the whole sanitized object, as JSON.
	Object json.RawMessage `json:"object"`
	// Metadata, Spec and Status are the parts of Object. Spec holds every
	// top-level field besides apiVersion, kind, metadata and status (for a
	// ConfigMap its data, for a Secret its type and the lengths of its values).
	Metadata json.RawMessage `json:"metadata"`
	Spec     json.RawMessage `json:"spec,omitempty"`
	Status   json.RawMessage `json:"status,omitempty"`
	// YAML is the sanitized object as kubectl would print it.
	YAML string `json:"yaml"`
	// Events are the object's recent events, newest first.
	Events []ObjectEvent `json:"events"`
	// Pods are the rows of a workload's pods; nil for other kinds.
	Pods []Row `json:"pods,omitempty"`
	// Forbidden names the parts left out because the user may not list them
	// ("events", "pods").
	Forbidden []string `json:"forbidden,omitempty"`
}

// ObjectEvent is one Kubernetes event about an object.
type ObjectEvent struct {
	Type    string `json:"type"` // Normal or Warning
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Count   int32  `json:"count"`
	Source  string `json:"source,omitempty"`
	First   int64  `json:"first"` // Unix seconds
	Last    int64  `json:"last"`  // Unix seconds
}

// ScaleRequest is the body of a scale
// (POST /api/v1/resources/{kind}/{namespace}/{name}/scale): the replicas
// wanted, from 0; required, so that a body without it scales nothing.
type ScaleRequest struct {
	Replicas *int `json:"replicas"`
}

// MaxScale bounds the replicas a scale may ask for; the browser refuses
// more before the server does.
const MaxScale = 1000
