package server

import (
	"net/http"

	"github.com/kubedeck/kubedeck/shared"
)

// An app's life after the wizard made it: a check of a new spec with the
// diff, its update, and a rollback to the previous revision; kube/apps
// owns each, these handlers decode, call and encode.

// readUpdate reads the {name} and ?namespace= of an update's path and the
// new spec of its body.
func readUpdate(r *http.Request) (namespace, name string, spec shared.DeploymentSpec, err error) {
	if namespace, name, err = appInPath(r); err != nil {
		return "", "", spec, err
	}
	spec, err = readSpec(r)
	return namespace, name, spec, err
}

// validateUpdate checks a new spec for an app without changing anything
// (POST /api/v1/deployments/{name}/validate?namespace=).
func (s *Server) validateUpdate(r *http.Request, id Identity) (any, error) {
	namespace, name, spec, err := readUpdate(r)
	if err != nil {
		return nil, err
	}
	return s.apps.CheckUpdate(r.Context(), id.User, namespace, name, spec)
}

// updateDeployment changes an app to a new spec
// (PUT /api/v1/deployments/{name}?namespace=): 202 with the operation.
func (s *Server) updateDeployment(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	namespace, name, spec, err := readUpdate(r)
	if err != nil {
		return nil, err
	}
	audit.as(string(shared.OperationUpdate), auditObject{Kind: shared.TargetApp, Namespace: namespace, Name: name})
	op, err := s.apps.Update(r.Context(), id.User, origin(r), namespace, name, spec)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Updating "+namespace+"/"+name+"."), nil
}

// rollbackDeployment puts an app back to its previous revision
// (POST /api/v1/deployments/{name}/rollback?namespace=): 202 with the
// operation.
func (s *Server) rollbackDeployment(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	namespace, name, err := appInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as(string(shared.OperationRollback), auditObject{Kind: shared.TargetApp, Namespace: namespace, Name: name})
	op, err := s.apps.Rollback(r.Context(), id.User, origin(r), namespace, name)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Rolling back "+namespace+"/"+name+"."), nil
}
