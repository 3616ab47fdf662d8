package kube

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
)

// lastAppliedAnnotation is where kubectl apply keeps the whole last applied
// object, which for a Secret holds its values.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// helmOwnerLabel marks the ConfigMaps in which Helm's ConfigMap driver
// stores releases (owner=helm), whole: manifest and values, secrets
// included.
const helmOwnerLabel, helmOwner = "owner", "helm"

// helmWithheld starts what stands in for a Helm release payload.
const helmWithheld = "<Helm release payload, not shown: "

// sanitize is the informers' transform: it runs on every object before the
// cache stores it. It drops managedFields and kubectl's last-applied
// annotation from every object, replaces each Secret value and each of its
// annotations' values with its length (see redactSecret), and withholds the
// payload of Helm releases stored in ConfigMaps, so no secret value is ever
// held in memory, whatever tool wrote it. It changes the object in place, as
// client-go allows, and is idempotent.
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
	switch o := obj.(type) {
	case *corev1.Secret:
		redactSecret(o)
	case *corev1.ConfigMap:
		if o.Labels[helmOwnerLabel] == helmOwner {
			withholdHelmRelease(o)
		}
	}
	return obj, nil
}

// withholdHelmRelease replaces each value of a ConfigMap in which Helm
// keeps a release by a note with its length; binary values move into Data
// as such notes.
func withholdHelmRelease(cm *corev1.ConfigMap) {
	if len(cm.BinaryData) > 0 && cm.Data == nil {
		cm.Data = make(map[string]string, len(cm.BinaryData))
	}
	for k, v := range cm.Data {
		if !strings.HasPrefix(v, helmWithheld) {
			cm.Data[k] = helmWithheld + strconv.Itoa(len(v)) + " bytes>"
		}
	}
	for k, v := range cm.BinaryData {
		cm.Data[k] = helmWithheld + strconv.Itoa(len(v)) + " bytes>"
	}
	cm.BinaryData = nil
}

// redactSecret replaces a Secret's values by their lengths: Data keeps every
// key with a nil value and StringData maps each key to its value's length in
// bytes, as a decimal string. The API server never returns stringData (it is
// write-only), so in a cached Secret that field is free to carry the
// lengths, and its presence marks the Secret as already redacted. Helm
// release Secrets lose their payload the same way. Every annotation's value
// becomes "<redacted: N bytes>": tools keep whole applied objects there
// (kapp's kapp.k14s.io/original, Rancher's objectset.rio.cattle.io/applied
// gzipped and base64-encoded, or any of their own), values included.
func redactSecret(s *corev1.Secret) {
	if s.StringData != nil {
		return
	}
	for k, v := range s.Annotations {
		s.Annotations[k] = "<redacted: " + strconv.Itoa(len(v)) + " bytes>"
	}
	lengths := make(map[string]string, len(s.Data))
	for k, v := range s.Data {
		lengths[k] = strconv.Itoa(len(v))
		s.Data[k] = nil
	}
	s.StringData = lengths
}
