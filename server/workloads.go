package server

import (
	"net/http"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// Day two on a workload: scale and restart a Deployment or StatefulSet,
// each an operation kube/apps runs as the user (202).

// workloadInPath reads the {kind} ("deployments" or "statefulsets"),
// {namespace} and {name} of a scale or restart's path.
func workloadInPath(r *http.Request) (kindRef, string, string, error) {
	resource := r.PathValue("kind")
	kind, ok := kube.ScalableKind(resource)
	if !ok {
		return kindRef{}, "", "", notFound("Only deployments and statefulsets can be scaled or restarted.", map[string]any{shared.DetailParameter: "kind"})
	}
	k := kindRef{resource: resource, kind: kind, namespaced: true}
	namespace, name, err := objectInPath(r, k)
	return k, namespace, name, err
}

// scaleWorkload scales a workload
// (POST /api/v1/resources/{kind}/{namespace}/{name}/scale, {"replicas":n}).
func (s *Server) scaleWorkload(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	k, namespace, name, err := workloadInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as(string(shared.OperationScale), auditObject{Kind: k.kind, Namespace: namespace, Name: name})
	var req shared.ScaleRequest
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	if req.Replicas == nil {
		return nil, invalid("Name the replicas: {\"replicas\": 3}.", map[string]any{shared.DetailField: "replicas"})
	}
	op, err := s.apps.Scale(r.Context(), id.User, origin(r), k.resource, namespace, name, *req.Replicas)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Scaling "+namespace+"/"+name+"."), nil
}

// restartWorkload restarts a workload's pods
// (POST /api/v1/resources/{kind}/{namespace}/{name}/restart).
func (s *Server) restartWorkload(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	k, namespace, name, err := workloadInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as(string(shared.OperationRestart), auditObject{Kind: k.kind, Namespace: namespace, Name: name})
	op, err := s.apps.Restart(r.Context(), id.User, origin(r), k.resource, namespace, name)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Restarting "+namespace+"/"+name+"."), nil
}
