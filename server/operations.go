package server

import (
	"net/http"

	"github.com/kubedeck/kubedeck/shared"
)

// operation answers the current state of one operation
// (GET /api/v1/operations/{id}), as the 202 that started it did: the
// polling fallback of the WebSocket's operation:progress. Only the user who
// started an operation may see it; for anyone else it does not exist (404,
// the same as an unknown or forgotten id), so ids cannot be probed.
func (s *Server) operation(r *http.Request, id Identity) (any, error) {
	if s.deps.Operations == nil {
		return nil, &apiError{code: shared.CodeUnavailable, message: "This server runs no operations."}
	}
	op, err := s.deps.Operations.Get(r.Context(), r.PathValue("id"), id.User.Name)
	if err != nil {
		return nil, err
	}
	return shared.OperationReply{Operation: op}, nil
}
