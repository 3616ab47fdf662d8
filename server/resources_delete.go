package server

import (
	"net/http"
	"strings"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// deleteResource deletes one object AS THE USER
// (DELETE /api/v1/resources/{kind}/{namespace}/{name}; "-" is the namespace
// of cluster-scoped objects). Any kind the write API can change may be
// deleted (kube.WritableKind), not only the kinds the object viewer lists:
// an Ingress, say. The API server applies the user's RBAC; the api wrapper
// writes the audit line. An optional ?uid= makes the delete apply only to
// that object (not to one created since under the same name), which also
// makes a retry safe: a retry that finds the object gone reports success.
func (s *Server) deleteResource(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	k, err := writableKind(r)
	if err != nil {
		return nil, err
	}
	namespace, name, err := objectInPath(r, k)
	if err != nil {
		return nil, err
	}
	audit.as("delete", auditObject{Kind: k.kind, Namespace: namespace, Name: name})
	if s.deps.Kube == nil {
		return nil, errNoCluster()
	}
	uid := r.URL.Query().Get("uid")
	if len(uid) > 64 || strings.ContainsAny(uid, "/ ") {
		return nil, invalid("The uid "+quote(uid)+" is not a valid object uid.", map[string]any{shared.DetailParameter: "uid"})
	}
	err = s.deps.Kube.Delete(r.Context(), id.User, k.resource, namespace, name, kube.DeleteOptions{UID: uid})
	if err != nil {
		return nil, err
	}
	where := name
	if namespace != "" {
		where = namespace + "/" + name
	}
	return withMessage(shared.DeletedObject{Kind: k.resource, Namespace: namespace, Name: name},
		k.kind+" "+where+" is being deleted."), nil
}

// writableKind finds the {kind} of a write's path among the kinds the write
// API can change.
func writableKind(r *http.Request) (kindRef, error) {
	name := r.PathValue("kind")
	k, ok := kube.WritableKind(name)
	if !ok {
		return kindRef{}, notFound("Kubedeck cannot change objects of kind "+quote(name)+".", map[string]any{shared.DetailParameter: "kind"})
	}
	return kindRef{resource: k.Resource, kind: k.Kind, namespaced: k.Namespaced}, nil
}
