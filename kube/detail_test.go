package kube

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

const testSecretValue = "hunter2-very-secret"

func secretWithValues() *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: "shop",
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
			Annotations: map[string]string{
				lastAppliedAnnotation: `{"data":{"password":"` + testSecretValue + `"}}`,
				"team":                "payments",
			}},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{"password": []byte(testSecretValue), "user": []byte("app")},
	}
}

func TestSanitizeSecret(t *testing.T) {
	s := secretWithValues()
	for range 2 { // idempotent
		if _, err := sanitize(s); err != nil {
			t.Fatal(err)
		}
	}
	if s.ManagedFields != nil {
		t.Error("managedFields kept")
	}
	if diff := cmp.Diff(map[string]string{"team": "<redacted: 8 bytes>"}, s.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]byte{"password": nil, "user": nil}, s.Data); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"password": "19", "user": "3"}, s.StringData); diff != "" {
		t.Errorf("lengths (-want +got):\n%s", diff)
	}
}

func TestRenderSecret(t *testing.T) {
	reg := newRegistry()
	s := secretWithValues()
	if _, err := sanitize(s); err != nil {
		t.Fatal(err)
	}
	var d shared.ObjectDetail
	if err := reg.byName["secrets"].render(s, &d); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"object": string(d.Object), "yaml": d.YAML, "spec": string(d.Spec)} {
		if strings.Contains(text, testSecretValue) || strings.Contains(text, "aHVudGVyMi") {
			t.Errorf("%s shows the secret value:\n%s", name, text)
		}
	}
	var spec map[string]any
	if err := json.Unmarshal(d.Spec, &spec); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"type": "Opaque", "data": map[string]any{
		"password": "<redacted: 19 bytes>", "user": "<redacted: 3 bytes>"}}
	if diff := cmp.Diff(want, spec); diff != "" {
		t.Errorf("spec (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(d.YAML, "apiVersion: v1\ndata:\n") || !strings.Contains(d.YAML, "kind: Secret\n") {
		t.Errorf("YAML does not read like kubectl's:\n%s", d.YAML)
	}
	if strings.Contains(d.YAML, "stringData") || strings.Contains(d.YAML, "managedFields") {
		t.Errorf("YAML shows internals:\n%s", d.YAML)
	}
}

func TestRenderSplitsPod(t *testing.T) {
	p := testPod(corev1.PodRunning, runningStatus(true, 0))
	var d shared.ObjectDetail
	if err := newRegistry().byName["pods"].render(p, &d); err != nil {
		t.Fatal(err)
	}
	var parts struct {
		Metadata struct{ Name string }
		Spec     struct{ NodeName string }
		Status   struct{ Phase string }
	}
	for _, p := range []struct {
		raw json.RawMessage
		v   any
	}{{d.Metadata, &parts.Metadata}, {d.Spec, &parts.Spec}, {d.Status, &parts.Status}} {
		if err := json.Unmarshal(p.raw, p.v); err != nil {
			t.Fatalf("part %s: %v", p.raw, err)
		}
	}
	if parts.Metadata.Name != "web" || parts.Spec.NodeName != "kwok-node-0" || parts.Status.Phase != "Running" {
		t.Errorf("parts = %+v", parts)
	}
	if !strings.Contains(d.YAML, "kind: Pod\n") || !strings.Contains(d.YAML, "apiVersion: v1\n") {
		t.Errorf("YAML lacks apiVersion and kind:\n%s", d.YAML)
	}
	if p.Kind != "" {
		t.Error("render changed the cached object")
	}
}
