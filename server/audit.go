package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// auditObject names the object a change is about.
type auditObject struct {
	Kind      string // "Deployment", "HelmRelease", …
	Namespace string
	Name      string
}

// audit writes the one log line a change leaves: when, which request, who
// (user, groups, the peer's address), what (verb and object) and how it
// ended ("ok", "accepted" with the operation's id when an operation was
// started — the runner writes the line of how it ends — or the error code
// the client was sent). The api wrapper
// calls it once for every request that may change something, after the
// handler, with the handler's error; a handler built for change names what
// it changes on its audit record, before it can fail:
//
//	audit.as("delete", auditObject{"Deployment", ns, name})
//
// Verbs are the API's: "create", "update", "patch", "delete", "install",
// "upgrade", "rollback", "uninstall". The line never holds a request's
// headers or body, so tokens and Impersonate-* headers cannot reach it.
func (s *Server) audit(r *http.Request, id Identity, verb string, obj auditObject, result error) {
	s.auditStarted(r, id, verb, obj, result, nil)
}

// auditStarted is audit for a request that started op (nil for none).
func (s *Server) auditStarted(r *http.Request, id Identity, verb string, obj auditObject, result error, op *shared.Operation) {
	res := "ok"
	var attrs []slog.Attr
	switch {
	case result != nil:
		ae, _ := toAPIError(result)
		res = string(ae.code)
	case op != nil:
		res = "accepted"
		attrs = append(attrs, slog.String("operation", op.ID))
	}
	attrs = append(attrs, slog.String("result", res))
	s.log.LogAttrs(context.Background(), slog.LevelInfo, "audit", append([]slog.Attr{
		slog.String("request_id", requestID(r)),
		slog.String("user", id.User.Name),
		slog.Any("groups", id.User.Groups),
		slog.String("source", r.RemoteAddr),
		slog.String("verb", verb),
		slog.Group("object", slog.String("kind", obj.Kind), slog.String("namespace", obj.Namespace),
			slog.String("name", obj.Name)),
	}, attrs...)...,
	)
}

// auditRecord is what a handler says about the change a request makes,
// for the audit line the change wrapper writes.
type auditRecord struct {
	verb string
	obj  *auditObject
}

// changes says whether r may change something, and so leaves an audit line.
func changes(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

// as names the verb and object of the change, for its audit line.
func (a *auditRecord) as(verb string, obj auditObject) {
	a.verb, a.obj = verb, &obj
}

// verbFor is the verb of the audit line: the handler's, or the method's.
func (a *auditRecord) verbFor(r *http.Request) string {
	if a.verb != "" {
		return a.verb
	}
	return strings.ToLower(r.Method)
}

// objectFor is the object of the audit line: the handler's or, when the
// handler failed before naming one, the object the path names.
func (a *auditRecord) objectFor(r *http.Request) auditObject {
	if a.obj != nil {
		return *a.obj
	}
	return auditObject{Kind: r.PathValue("kind"), Namespace: r.PathValue("namespace"), Name: r.PathValue("name")}
}
