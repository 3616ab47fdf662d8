package server

import (
	"context"
	"net/http"
	"slices"

	"github.com/kubedeck/kubedeck/kube"
	"github.com/kubedeck/kubedeck/shared"
)

// readLogs reads the last lines of a pod's container, or of an app's pods
// merged, as the user
// (GET /api/v1/resources/{kind}/{namespace}/{name}/logs?container=&tailLines=&sinceSeconds=&previous=).
// Following them is the WebSocket's subscribe:logs.
func (s *Server) readLogs(r *http.Request, id Identity) (any, error) {
	if s.logs == nil {
		return nil, &apiError{code: shared.CodeUnavailable, message: "Logs cannot be read: the server has no cluster."}
	}
	q, errs := shared.LogQueryOf(r.PathValue("kind"), r.PathValue("namespace"), r.PathValue("name"), r.URL.Query())
	if errs != nil {
		if _, bad := errs["kind"]; bad {
			return nil, notFound(errs["kind"], map[string]any{shared.DetailParameter: "kind"})
		}
		keys := make([]string, 0, len(errs))
		details := map[string]any{}
		for k, v := range errs {
			keys = append(keys, k)
			details[k] = v
		}
		slices.Sort(keys)
		return nil, invalid(errs[keys[0]], map[string]any{shared.DetailFields: details})
	}
	return s.logs.Read(r.Context(), id.User, q)
}

// mayReadLogs says whether u may read the logs of pods in namespace: nil
// when allowed.
func (s *Server) mayReadLogs(ctx context.Context, u kube.User, namespace string) error {
	ok, err := s.deps.Access.Allowed(ctx, u, "get", kube.Resource{Resource: "pods", Subresource: "log"}, namespace)
	if err != nil {
		return err
	}
	if !ok {
		return kube.NewError(kube.ErrForbidden, "You may not get pods/log in namespace "+quote(namespace)+".", nil)
	}
	return nil
}
