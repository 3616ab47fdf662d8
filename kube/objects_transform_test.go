package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestSanitizeWithholdsStoredCopies checks that copies of secret values
// other tools keep (in a Secret's annotations, or a Helm release stored by
// the ConfigMap driver) do not reach the cache, and that other objects keep
// their annotations and data.
func TestSanitizeWithholdsStoredCopies(t *testing.T) {
	meta := func(name string, labels, annotations map[string]string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: labels, Annotations: annotations}
	}
	tests := []struct {
		name string
		in   runtime.Object
		want runtime.Object
	}{
		{
			name: "every annotation of a Secret becomes its length",
			in: &corev1.Secret{ObjectMeta: meta("s", nil, map[string]string{
				"kapp.k14s.io/original":           `{"stringData":{"password":"hunter2"}}`,
				"objectset.rio.cattle.io/applied": "H4sIAAAAAAAA/6pWKkgsLs4vSlGyUlDKSM3JyVcozy/KSVEC",
				"example.com/anything":            "hunter2",
				lastAppliedAnnotation:             `{"data":{"password":"aHVudGVyMg=="}}`,
			}), Data: map[string][]byte{"password": []byte("hunter2")}},
			want: &corev1.Secret{ObjectMeta: meta("s", nil, map[string]string{
				"kapp.k14s.io/original":           "<redacted: 37 bytes>",
				"objectset.rio.cattle.io/applied": "<redacted: 48 bytes>",
				"example.com/anything":            "<redacted: 7 bytes>",
			}), Data: map[string][]byte{"password": nil}, StringData: map[string]string{"password": "7"}},
		},
		{
			name: "a Helm release stored by the ConfigMap driver is withheld",
			in: &corev1.ConfigMap{ObjectMeta: meta("sh.helm.release.v1.demo.v1", map[string]string{"owner": "helm", "name": "demo"}, nil),
				Data: map[string]string{"release": "H4sIAAAAAAAA/6pWKkgsLs4vSlGy"}, BinaryData: map[string][]byte{"extra": []byte("abc")}},
			want: &corev1.ConfigMap{ObjectMeta: meta("sh.helm.release.v1.demo.v1", map[string]string{"owner": "helm", "name": "demo"}, nil),
				Data: map[string]string{"release": "<Helm release payload, not shown: 28 bytes>", "extra": "<Helm release payload, not shown: 3 bytes>"}},
		},
		{
			name: "other config maps keep their data and annotations",
			in: &corev1.ConfigMap{ObjectMeta: meta("app", map[string]string{"owner": "team-a"}, map[string]string{"note": "hello"}),
				Data: map[string]string{"k": "v"}},
			want: &corev1.ConfigMap{ObjectMeta: meta("app", map[string]string{"owner": "team-a"}, map[string]string{"note": "hello"}),
				Data: map[string]string{"k": "v"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in.DeepCopyObject()
			for range 2 { // idempotent
				if _, err := sanitize(got); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sanitized (-want +got):\n%s", diff)
			}
		})
	}
}
