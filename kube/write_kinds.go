package kube

// WriteKind describes a kind the write API (Delete, Create, DryRun) can
// address, for the server to read a request's path with.
type WriteKind struct {
	// Resource is the kind's resource, as paths name it ("ingresses").
	Resource string
	// Kind is its Kind ("Ingress").
	Kind string
	// Namespaced is false for cluster-scoped kinds.
	Namespaced bool
}

// WritableKind finds the writable kind whose resource is resource.
func WritableKind(resource string) (WriteKind, bool) {
	k, ok := writableKinds.byResource[resource]
	if !ok {
		return WriteKind{}, false
	}
	return WriteKind{Resource: k.gvr.Resource, Kind: k.kind, Namespaced: k.namespaced}, true
}
