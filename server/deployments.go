package server

import (
	"net/http"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// The deployment wizard's API: the cluster's settings for it, a check with
// a dry run, creation as an operation, and the user's apps. kube/apps owns
// all of it; these handlers decode, call and encode.

// maxSpecBytes caps a spec's JSON body.
const maxSpecBytes = 64 << 10

// deploymentOptions answers what the wizard needs to know of the cluster
// (GET /api/v1/deployments/config).
func (s *Server) deploymentOptions(r *http.Request, id Identity) (any, error) {
	return s.apps.Options(r.Context(), id.User)
}

// readSpec reads the spec of a POST: at most 64 KiB of JSON with no unknown
// field, its namespace given in the body, as ?namespace= or both alike.
func readSpec(r *http.Request) (shared.DeploymentSpec, error) {
	var spec shared.DeploymentSpec
	if r.ContentLength > maxSpecBytes {
		return spec, &http.MaxBytesError{Limit: maxSpecBytes}
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxSpecBytes)
	if err := decodeJSON(r, &spec); err != nil {
		return spec, err
	}
	ns, err := bodyNamespace(r, spec.Namespace)
	spec.Namespace = ns
	return spec, err
}

// bodyNamespace is the namespace a body names, or ?namespace= when the body
// names none; a query that names another is 400.
func bodyNamespace(r *http.Request, body string) (string, error) {
	ns, err := namespaceQuery(r.URL.Query(), false)
	switch {
	case err != nil:
		return "", err
	case ns == "" || body == ns:
		return body, nil
	case body == "":
		return ns, nil
	}
	return "", invalid("The body's namespace "+quote(body)+" differs from ?namespace="+quote(ns)+".",
		map[string]any{shared.DetailParameter: "namespace"})
}

// validateDeployment checks a spec without creating anything
// (POST /api/v1/deployments/validate).
func (s *Server) validateDeployment(r *http.Request, id Identity) (any, error) {
	spec, err := readSpec(r)
	if err != nil {
		return nil, err
	}
	return s.apps.Check(r.Context(), id.User, spec)
}

// createDeployment creates an app (POST /api/v1/deployments): 202 with the
// operation that creates it and follows the rollout.
func (s *Server) createDeployment(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	spec, err := readSpec(r)
	if err != nil {
		return nil, err
	}
	audit.as("create", auditObject{Kind: shared.TargetApp, Namespace: spec.Namespace, Name: spec.Name})
	op, err := s.apps.Deploy(r.Context(), id.User, origin(r), spec)
	if err != nil {
		return nil, err
	}
	return accepted(op, "Creating "+spec.Namespace+"/"+spec.Name+"."), nil
}

// origin is the request an operation starts from, for its audit line.
func origin(r *http.Request) operations.Origin {
	return operations.Origin{RequestID: requestID(r), Source: r.RemoteAddr}
}

// listDeployments answers the user's apps made by the wizard
// (GET /api/v1/deployments, ?namespace= for one namespace).
func (s *Server) listDeployments(r *http.Request, id Identity) (any, error) {
	ns, err := namespaceQuery(r.URL.Query(), true)
	if err != nil {
		return nil, err
	}
	return s.apps.List(r.Context(), id.User, ns)
}

// appInPath reads the {name} of an app's path and its ?namespace=, which
// is required.
func appInPath(r *http.Request) (namespace, name string, err error) {
	namespace, err = namespaceQuery(r.URL.Query(), false)
	if err != nil {
		return "", "", err
	}
	if namespace == "" {
		return "", "", invalid("Name the app's namespace with ?namespace=.", map[string]any{shared.DetailParameter: "namespace"})
	}
	name = r.PathValue("name")
	if err := kube.CheckResourceName("services", name); err != nil {
		return "", "", invalid("The name "+quote(name)+" is not a valid app name: "+err.Error()+".", map[string]any{shared.DetailParameter: "name"})
	}
	return namespace, name, nil
}

// deploymentDetail answers one app (GET /api/v1/deployments/{name}).
func (s *Server) deploymentDetail(r *http.Request, id Identity) (any, error) {
	namespace, name, err := appInPath(r)
	if err != nil {
		return nil, err
	}
	return s.apps.Get(r.Context(), id.User, namespace, name)
}

// deleteDeployment removes an app the wizard made
// (DELETE /api/v1/deployments/{name}?namespace=).
func (s *Server) deleteDeployment(r *http.Request, id Identity, audit *auditRecord) (any, error) {
	namespace, name, err := appInPath(r)
	if err != nil {
		return nil, err
	}
	audit.as("delete", auditObject{Kind: shared.TargetApp, Namespace: namespace, Name: name})
	out, err := s.apps.Delete(r.Context(), id.User, namespace, name)
	if err != nil {
		return nil, err
	}
	return withMessage(out, "App "+namespace+"/"+name+" is being deleted."), nil
}
