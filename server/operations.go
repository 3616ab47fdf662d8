package server

import (
	"net/http"
	"time"

	"github.com/kubedeck/kubedeck/kube/apps"
	"github.com/kubedeck/kubedeck/kube/helm"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// operationGrace is how long a shutdown waits, after the drain time, for
// cancelled operations to finish: a create rolls back what it made (each
// delete is bounded by kube's rollback timeout, but one is usually quick).
const operationGrace = 5 * time.Second

// setupOperations builds the one runner and the owners of the writes
// that start operations on it: apps, and Helm's when there is Helm.
func (s *Server) setupOperations() {
	s.runner = operations.NewRunner(operations.RunnerOptions{
		Registry: s.deps.Operations,
		Drain:    s.cfg.ShutdownTimeout,
		Log:      s.log,
		Describe: func(err error) shared.Error {
			ae, fault := toAPIError(err)
			if fault {
				s.log.Error("operation failed", "err", err)
			}
			return shared.Error{Code: ae.code, Message: ae.message, Details: ae.details}
		},
	})
	s.apps = apps.New(apps.Options{Client: s.deps.Kube, Objects: s.deps.Objects, Access: s.deps.Access,
		Settings: s.deps.Deploy, Runner: s.runner, Log: s.log})
	if s.deps.Helm != nil && s.deps.Access != nil {
		s.helmOps = helm.NewOperator(s.deps.Helm, s.deps.Access, s.runner)
	}
}

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
