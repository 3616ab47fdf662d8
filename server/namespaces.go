package server

import (
	"net/http"

	"github.com/kubedeck/kubedeck/shared"
)

// namespaces lists the namespaces the signed-in user may see (GET
// /api/v1/namespaces). With the informer cache it answers from the cache,
// keeping the namespaces access reviews say the user may get, so a developer
// with rights in a few namespaces sees those few (most may not list
// namespaces across the cluster). Without the cache it asks the API server as
// the user. A user who may see none gets 403 FORBIDDEN.
func (s *Server) namespaces(r *http.Request, id Identity) (any, error) {
	u := id.User
	if s.deps.Kube == nil {
		return nil, &apiError{code: shared.CodeUnavailable, message: "Kubedeck is not connected to a cluster."}
	}
	var (
		list []shared.Namespace
		err  error
	)
	if s.deps.Objects != nil && s.deps.Access != nil {
		list, err = s.deps.Access.VisibleNamespaces(r.Context(), s.deps.Objects, u)
	} else {
		list, err = s.deps.Kube.Namespaces(r.Context(), u)
	}
	if err != nil {
		return nil, err
	}
	return list, nil
}
