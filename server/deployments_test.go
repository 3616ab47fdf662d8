package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// postJSON sends body to path as the dev user of s.
func postJSON(s *Server, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// Bad input to the wizard's endpoints is refused before anything reaches
// the cluster (this server has none), each refusal naming what is wrong.
func TestDeploymentBadInput(t *testing.T) {
	s, _ := newTestServer(t, Config{}, nil)
	valid := `{"name":"web","namespace":"team-a","image":"nginx:1.27","port":80,"replicas":1,"exposure":"internal"}`
	tests := []struct {
		name, path, body string
		status           int
		code             shared.Code
		text             string // in the message
		detail           string // a key of the details
	}{
		{"unknown field", "/api/v1/deployments", `{"name":"web","replicaz":2}`, 400, shared.CodeValidation, `"replicaz"`, ""},
		{"unknown nested field", "/api/v1/deployments/validate", `{"env":[{"name":"A","valeu":"x"}]}`, 400, shared.CodeValidation, `"valeu"`, ""},
		{"wrong type", "/api/v1/deployments", `{"replicas":"two"}`, 400, shared.CodeValidation, "replicas", "field"},
		{"not JSON", "/api/v1/deployments", `name=web`, 400, shared.CodeValidation, "not valid JSON", "offset"},
		{"two values", "/api/v1/deployments", valid + valid, 400, shared.CodeValidation, "more than one", ""},
		{"too large", "/api/v1/deployments", `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, 413, shared.CodeTooLarge, "65536", ""},
		{"namespaces differ", "/api/v1/deployments?namespace=team-b", valid, 400, shared.CodeValidation, "differs", "parameter"},
		{"bad namespace parameter", "/api/v1/deployments?namespace=..", valid, 400, shared.CodeValidation, "not a valid name", "parameter"},
		{"invalid spec", "/api/v1/deployments", `{"name":"Web","namespace":"team-a","image":"nginx","replicas":0,"exposure":"none"}`,
			400, shared.CodeValidation, "see the fields", "fields"},
		// What passes every check needs the cluster this server lacks.
		{"valid spec, no cluster", "/api/v1/deployments", valid, 503, shared.CodeUnavailable, "not connected to a cluster", ""},
		{"valid check, no cluster", "/api/v1/deployments/validate", valid, 503, shared.CodeUnavailable, "not connected to a cluster", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := postJSON(s, tt.path, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			env := decodeEnvelope(t, rec.Body)
			if env.Error == nil || env.Error.Code != tt.code || !strings.Contains(env.Error.Message, tt.text) {
				t.Fatalf("error %+v, want %s mentioning %q", env.Error, tt.code, tt.text)
			}
			if _, ok := env.Error.Details[tt.detail]; tt.detail != "" && !ok {
				t.Errorf("details %v, want %q", env.Error.Details, tt.detail)
			}
		})
	}
}

// The invalid spec's field errors are keyed as the shared rules key them,
// so the wizard can put each beside its field.
func TestDeploymentFieldErrors(t *testing.T) {
	s, _ := newTestServer(t, Config{}, nil)
	rec := postJSON(s, "/api/v1/deployments", `{"name":"Web","namespace":"team-a","image":"nginx","replicas":0,"exposure":"none",`+
		`"env":[{"name":"1A"}]}`)
	env := decodeEnvelope(t, rec.Body)
	fields, _ := json.Marshal(env.Error.Details["fields"])
	want := `{"env":{"0":{"name":"A variable's name cannot start with a digit."}},"name":"It must be lower case ('W' is not).","replicas":"Run from 1 to 50 replicas."}`
	if string(fields) != want {
		t.Errorf("fields\n got %s\nwant %s", fields, want)
	}
	// The validation endpoint answers the same errors as data.
	rec = postJSON(s, "/api/v1/deployments/validate", `{"name":"Web","namespace":"team-a","image":"nginx","replicas":0,"exposure":"none",`+
		`"env":[{"name":"1A"}]}`)
	var v shared.DeploymentValidation
	if err := json.Unmarshal(decodeEnvelope(t, rec.Body).Data, &v); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("validate: %d %v", rec.Code, err)
	}
	if v.Valid || string(v.Errors) != want || v.Warnings["image"] == "" {
		t.Errorf("validation %+v, want invalid with the same errors and the no-tag warning", v)
	}
}

// The configuration reply serves the defaults when the server was given
// none: no domain, 50 replicas, three presets.
func TestDeploymentOptionsDefaults(t *testing.T) {
	s, _ := newTestServer(t, Config{}, nil)
	rec := do(s, http.MethodGet, "/api/v1/deployments/config", "", nil)
	var opts shared.DeploymentOptions
	if err := json.Unmarshal(decodeEnvelope(t, rec.Body).Data, &opts); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("config: %d %v", rec.Code, err)
	}
	if opts.Config.Domain != "" || opts.Config.MaxReplicas != 50 || len(opts.Config.Presets) != 3 || opts.Namespaces == nil {
		t.Errorf("options %+v", opts)
	}
}

// A user who runs as many operations as allowed gets 429 with a
// Retry-After, so a client knows when to try again.
func TestTooManyOperationsRetryAfter(t *testing.T) {
	ops := operations.NewMemory(operations.MemoryOptions{MaxPerUser: 1})
	s, _ := newTestServer(t, Config{}, func(s *Server) { s.deps.Operations = ops })
	if _, _, err := ops.Start(context.Background(), "tester", shared.OperationDeploy, shared.OperationTarget{Kind: "Deployment", Name: "a"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := ops.Start(context.Background(), "tester", shared.OperationDeploy, shared.OperationTarget{Kind: "Deployment", Name: "b"})
	rec := httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest(http.MethodPost, "/api/v1/deployments", nil), err)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", rec.Code)
	}
	if secs, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After %q, want whole seconds", rec.Header().Get("Retry-After"))
	}
}

// FuzzChartRoutes sends any method, name, query and body to the Helm
// routes of a server without Helm: whatever comes in, never a 500.
func FuzzChartRoutes(f *testing.F) {
	s, _ := newTestServer(f, Config{}, nil)
	f.Add(uint8(0), "", "namespace=all", `{}`)
	f.Add(uint8(1), "", "", `{"name":"web","namespace":"a","chart":"../../etc/passwd","version":"1"}`)
	f.Add(uint8(2), "web", "namespace=..", "")
	f.Add(uint8(3), "%2e%2e", "namespace=a", `{"chart":"test/web","version":"1"}`)
	f.Add(uint8(4), "web", "namespace=a&keepHistory=true", "")
	f.Add(uint8(5), "web", "namespace=a", `{"revision":-1}`)
	f.Add(uint8(6), "", "", `{"releases":[{"namespace":"a","name":"b"}]}`)
	f.Add(uint8(7), "", "q=%zz", "")
	f.Add(uint8(8), "", "repo=test&repo=x&chart=%00", "")
	f.Add(uint8(9), "", "chart=test/web&version=1.0.0&version=2", "")
	f.Add(uint8(10), "", "", `{"name":"web","namespace":"a","chart":"test/web","version":"1","values":"a: [","upgrade":true}`)
	f.Fuzz(func(t *testing.T, route uint8, name, query, body string) {
		method, path := http.MethodGet, "/api/v1/charts"
		switch route % 11 {
		case 1:
			method = http.MethodPost
		case 2:
			path += "/" + url.PathEscape(name)
		case 3:
			method, path = http.MethodPut, path+"/"+url.PathEscape(name)
		case 4:
			method, path = http.MethodDelete, path+"/"+url.PathEscape(name)
		case 5:
			method, path = http.MethodPost, path+"/"+url.PathEscape(name)+"/rollback"
		case 6:
			method, path = http.MethodPost, path+"/uninstall"
		case 7:
			path = "/api/v1/catalog"
		case 8:
			path = "/api/v1/catalog/icon"
		case 9:
			path = "/api/v1/catalog/values"
		case 10:
			method, path = http.MethodPost, path+"/preview"
		}
		neverInternalError(t, s, method, path, query, body)
	})
}

// neverInternalError sends method path?query with body to s as the dev
// user and fails on a 500; a path that is not a URL sends nothing.
func neverInternalError(t *testing.T, s *Server, method, path, query, body string) {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		return
	}
	u.RawQuery = query
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	req.URL, req.RequestURI = u, u.RequestURI()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code == http.StatusInternalServerError {
		t.Fatalf("%s %s %q: status %d: %s", method, u, body, rec.Code, rec.Body)
	}
}
