package helm

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

const testManifest = `---
# Source: web/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
type: Opaque
data:
  password: "czNjcmV0"
stringData:
  token: "token-s3cret"
---
# Source: web/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  greeting: "hello"
---
# Source: web/templates/list.yaml
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata:
      name: listed
      namespace: elsewhere
    data:
      key: "aGlkZGVu"
---
# Source: web/templates/role.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: web-reader
---
# Source: web/templates/empty.yaml
`

func TestMaskManifest(t *testing.T) {
	got := maskManifest(testManifest)
	for _, secret := range []string{"czNjcmV0", "s3cret", "aGlkZGVu"} {
		if strings.Contains(got, secret) {
			t.Errorf("masked manifest still holds %q:\n%s", secret, got)
		}
	}
	for _, want := range []string{
		"# Source: web/templates/secret.yaml\n",
		"password: '<redacted: 6 bytes>'",
		"token: '<redacted: 12 bytes>'",
		"key: '<redacted: 6 bytes>'",
		// Other objects are left exactly as they were.
		"# Source: web/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  greeting: \"hello\"\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("masked manifest lacks %q:\n%s", want, got)
		}
	}
}

func TestMaskUnreadableSecret(t *testing.T) {
	got := maskManifest("---\n# Source: x.yaml\nkind: Secret\ndata:\n  a: [unclosed\n")
	if strings.Contains(got, "unclosed") || !strings.Contains(got, "not shown") {
		t.Errorf("an unreadable Secret is shown: %q", got)
	}
}

func TestReleaseResources(t *testing.T) {
	clusterScoped := func(_, kind string) bool { return kind != "ClusterRole" }
	got := releaseResources(manifestObjects(testManifest), "team-a", clusterScoped)
	want := []shared.ReleaseResource{
		{Kind: "Secret", Namespace: "team-a", Name: "web-secret"},
		{Kind: "ConfigMap", Namespace: "team-a", Name: "web-config"},
		{Kind: "Secret", Namespace: "elsewhere", Name: "listed"},
		{Kind: "ClusterRole", Name: "web-reader"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}
