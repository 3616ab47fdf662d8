package shared

// Replies of the HTTP API that have no other home: the data of
// GET /api/v1/version, of a delete and of every endpoint that starts an
// operation.

// Version is the data of GET /api/v1/version: the server's build, which the
// UI compares with its own to offer an update.
type Version struct {
	Version string `json:"version"`
}

// DeletedObject is the data of a successful delete: the object's kind (its
// resource, "ingresses"), namespace ("" when cluster-scoped) and name.
type DeletedObject struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// OperationReply is the data of a 202 from an endpoint that started an
// operation, and of GET /api/v1/operations/{id}: the operation's current
// state, its id included.
type OperationReply struct {
	Operation Operation `json:"operation"`
}
