package kube

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
)

// lastAppliedAnnotation is where kubectl apply keeps the whole last applied
// object, which for a Secret holds its values.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// sanitize is the informers' transform: it runs on every object before the
// cache stores it. It drops managedFields and kubectl's last-applied
// annotation from every object and replaces each Secret value with its
// length (see redactSecret), so no secret value is ever held in memory. It
// changes the object in place, as client-go allows, and is idempotent.
func sanitize(obj any) (any, error) {
	if m, err := meta.Accessor(obj); err == nil {
		m.SetManagedFields(nil)
		if a := m.GetAnnotations(); a != nil {
			if _, ok := a[lastAppliedAnnotation]; ok {
				delete(a, lastAppliedAnnotation)
				if len(a) == 0 {
					m.SetAnnotations(nil)
				}
			}
		}
	}
	if s, ok := obj.(*corev1.Secret); ok {
		redactSecret(s)
	}
	return obj, nil
}

// redactSecret replaces a Secret's values by their lengths: Data keeps every
// key with a nil value and StringData maps each key to its value's length in
// bytes, as a decimal string. The API server never returns stringData (it is
// write-only), so in a cached Secret that field is free to carry the
// lengths, and its presence marks the Secret as already redacted. Helm
// release Secrets lose their payload the same way.
func redactSecret(s *corev1.Secret) {
	if s.StringData != nil {
		return
	}
	lengths := make(map[string]string, len(s.Data))
	for k, v := range s.Data {
		lengths[k] = strconv.Itoa(len(v))
		s.Data[k] = nil
	}
	s.StringData = lengths
}
