package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

// TestAPIWrapper drives handlers of the one API shape: the wrapper hands
// them the identity it resolved once (gate), writes the envelope with the status
// and message a reply sets, and writes one audit line for each request
// that may change something, with the object the handler named, or the
// path's when it failed before naming one.
func TestAPIWrapper(t *testing.T) {
	logs := &lockedBuffer{}
	s, err := New(proxyConfig(), Deps{Log: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.handle("GET /api/v1/test/who", s.api(func(r *http.Request, id Identity) (any, error) {
		return []string{id.User.Name, id.Source}, nil
	}))
	s.handle("DELETE /api/v1/test/{kind}/{namespace}/{name}", s.change(func(r *http.Request, id Identity, audit *auditRecord) (any, error) {
		if r.PathValue("name") == "bad" {
			return nil, invalid("The name is bad.", nil)
		}
		audit.as("delete", auditObject{Kind: "Thing", Namespace: r.PathValue("namespace"), Name: r.PathValue("name")})
		if r.PathValue("name") == "missing" {
			return nil, notFound("No such thing.", nil)
		}
		return withMessage(shared.DeletedObject{Kind: "things", Namespace: "a", Name: "x"}, "Thing a/x is being deleted."), nil
	}))
	s.handle("POST /api/v1/test/start", s.change(func(r *http.Request, id Identity, audit *auditRecord) (any, error) {
		audit.as("create", auditObject{Kind: "Deployment", Namespace: "a", Name: "web"})
		return accepted(shared.Operation{ID: "op-1", Owner: id.User.Name, Phase: shared.OperationPending}, "Started."), nil
	}))

	type result struct {
		Status  int
		Message string
		Data    string
		Code    shared.Code
	}
	tests := []struct {
		method, path string
		want         result
	}{
		{"GET", "/api/v1/test/who", result{Status: 200, Data: `["alice","proxy"]`}},
		{"DELETE", "/api/v1/test/things/a/x", result{Status: 200, Message: "Thing a/x is being deleted.",
			Data: `{"kind":"things","namespace":"a","name":"x"}`}},
		{"DELETE", "/api/v1/test/things/a/missing", result{Status: 404, Code: shared.CodeNotFound}},
		{"DELETE", "/api/v1/test/things/a/bad", result{Status: 400, Code: shared.CodeValidation}},
		{"POST", "/api/v1/test/start", result{Status: 202, Message: "Started.",
			Data: `{"operation":{"id":"op-1","kind":"","target":{"kind":"","name":""},"owner":"alice","phase":"pending","started":"0001-01-01T00:00:00Z"}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := do(s, tt.method, tt.path, proxyPeer, map[string]string{headerUser: "alice", "Origin": "http://example.com"})
			var env shared.Envelope
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			got := result{Status: rec.Code, Message: env.Message, Data: string(env.Data)}
			if env.Error != nil {
				got.Code = env.Error.Code
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
		})
	}

	type line struct{ User, Verb, Kind, Namespace, Name, Result string }
	var lines []line
	for _, a := range auditLines(t, logs.String()) {
		lines = append(lines, line{a.User, a.Verb, a.Object.Kind, a.Object.Namespace, a.Object.Name, a.Result})
	}
	want := []line{
		{"alice", "delete", "Thing", "a", "x", "ok"},
		{"alice", "delete", "Thing", "a", "missing", string(shared.CodeNotFound)},
		{"alice", "delete", "things", "a", "bad", string(shared.CodeValidation)},
		{"alice", "create", "Deployment", "a", "web", "accepted"}, // the runner audits how it ends
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("audit lines (-want +got):\n%s", diff)
	}
}

// TestNamespaceQuery reads ?namespace= the one way every route does: by
// shared's DNS-1123 label rule, "all" meaning every namespace only where a
// route allows it.
func TestNamespaceQuery(t *testing.T) {
	tests := []struct {
		query string
		all   bool
		want  string
		bad   bool
	}{
		{"", false, "", false},
		{"namespace=team-a", false, "team-a", false},
		{"namespace=all", true, "", false},
		{"namespace=all", false, "all", false},
		{"namespace=Team-A", false, "", true},
		{"namespace=a.b", false, "", true},
		{"namespace=-a", false, "", true},
		{"namespace=" + strings.Repeat("a", 64), false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			v, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := namespaceQuery(v, tt.all)
			if tt.bad {
				ae, _ := toAPIError(err)
				if err == nil || ae.code != shared.CodeValidation || ae.details["parameter"] != "namespace" {
					t.Fatalf("namespaceQuery = %q, %v; want a VALIDATION_ERROR naming the parameter", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("namespaceQuery = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}
