package server

import (
	"net/http"

	"github.com/kubedeck/kubedeck/shared"
)

// namespaces lists the namespaces the signed-in user may see (GET
// /api/v1/namespaces), asked of the API server as that user, so their RBAC
// decides: a user who may not list namespaces gets 403 FORBIDDEN.
func (s *Server) namespaces(w http.ResponseWriter, r *http.Request) error {
	u, err := s.user(r)
	if err != nil {
		return err
	}
	if s.deps.Kube == nil {
		return &apiError{code: shared.CodeUnavailable, message: "Kubedeck is not connected to a cluster."}
	}
	list, err := s.deps.Kube.Namespaces(r.Context(), u)
	if err != nil {
		return err
	}
	s.writeData(w, http.StatusOK, list, "")
	return nil
}
