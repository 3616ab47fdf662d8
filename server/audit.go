package server

import (
	"context"
	"log/slog"
	"net/http"
)

// auditObject names the object a change is about.
type auditObject struct {
	Kind      string // "Deployment", "HelmRelease", …
	Namespace string
	Name      string
}

// audit writes the one log line a change leaves: when, which request, who
// (user, groups, the peer's address), what (verb and object) and how it
// ended ("ok", or the error code the client was sent). Every handler that
// creates, changes or deletes something calls it once, after the change,
// with the handler's error:
//
//	err := s.deps.Kube.DeleteDeployment(ctx, id.User, ns, name)
//	s.audit(r, id, "delete", auditObject{"Deployment", ns, name}, err)
//
// Verbs are the API's: "create", "update", "patch", "delete", "install",
// "upgrade", "rollback", "uninstall". The line never holds a request's
// headers or body, so tokens and Impersonate-* headers cannot reach it.
func (s *Server) audit(r *http.Request, id Identity, verb string, obj auditObject, result error) {
	res := "ok"
	if result != nil {
		ae, _ := toAPIError(result)
		res = string(ae.code)
	}
	s.log.LogAttrs(context.Background(), slog.LevelInfo, "audit",
		slog.String("request_id", requestID(r)),
		slog.String("user", id.User.Name),
		slog.Any("groups", id.User.Groups),
		slog.String("source", r.RemoteAddr),
		slog.String("verb", verb),
		slog.Group("object", slog.String("kind", obj.Kind), slog.String("namespace", obj.Namespace),
			slog.String("name", obj.Name)),
		slog.String("result", res),
	)
}
