package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/kubedeck/kubedeck/kube/operations"
	"github.com/kubedeck/kubedeck/shared"
)

// FuzzAppUpdateRoutes sends any name, query and body to an app's update,
// update check and rollback as a user who may edit the namespace but does
// not own its app: never a 500, every answer an envelope (or the mux's
// redirect of a path holding ".."), and no operation ever started (only
// the owner changes an app, and that is refused before anything starts).
func FuzzAppUpdateRoutes(f *testing.F) {
	fx := newDeployFixture(f, fuzzConfig())
	ns := fx.namespace(f, "fuzz-update")
	fx.bind(f, "fuzz-olga", "edit", ns)
	fx.bind(f, "fuzz-ned", "edit", ns)
	if _, err := operationOf(fx.send(f, http.MethodPost, "/api/v1/deployments", "fuzz-olga",
		shared.DeploymentSpec{Name: "web", Namespace: ns, Image: "registry.example/web:1", Replicas: 1, Exposure: shared.ExposeNone})); err != nil {
		f.Fatal(err)
	}
	reg := fx.s.deps.Operations.(*operations.Memory)
	started := reg.Len()
	f.Add(uint8(0), "web", "namespace=NS", `{"name":"web","namespace":"NS","image":"registry.example/web:2","replicas":1,"exposure":"none"}`)
	f.Add(uint8(1), "web", "namespace=NS", `{"name":"web","image":"registry.example/web:2","replicas":2,"exposure":"public","port":80}`)
	f.Add(uint8(2), "web", "namespace=NS", ``)
	f.Add(uint8(0), "web", "namespace=other", `{"name":"web","namespace":"NS"}`)
	f.Add(uint8(1), "..", "namespace=NS", `{"name":"..","replicas":-1}`)
	f.Add(uint8(2), "missing", "", `{}`)
	f.Add(uint8(0), "web", "namespace=NS&namespace=NS", `{"name":"web","unknown":1}`)
	f.Fuzz(func(t *testing.T, route uint8, name, query, body string) {
		method, path := http.MethodPut, "/api/v1/deployments/"+url.PathEscape(name)
		switch route % 3 {
		case 1:
			method, path = http.MethodPost, path+"/validate"
		case 2:
			method, path = http.MethodPost, path+"/rollback"
		}
		rec, ok := fx.rawAs(method, path, query, body, "fuzz-ned", ns)
		if !ok || (rec.Code >= 300 && rec.Code < 400) {
			return
		}
		var env shared.Envelope
		if rec.Code >= 500 || json.Unmarshal(rec.Body.Bytes(), &env) != nil {
			t.Fatalf("%s %s?%s %q: %d %s", method, path, query, body, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusAccepted || reg.Len() > started {
			t.Fatalf("%s %s?%s %q by another user: %d, %d operations; want none started", method, path, query, body, rec.Code, reg.Len()-started)
		}
	})
}
