package kube

import (
	"cmp"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// pvcRow is a PersistentVolumeClaim's row: bound claims are ok, pending
// ones a warning, lost ones an error.
func pvcRow(c *corev1.PersistentVolumeClaim) shared.Row {
	r := baseRow("PersistentVolumeClaim", &c.ObjectMeta)
	modes := c.Status.AccessModes
	if len(modes) == 0 {
		modes = c.Spec.AccessModes
	}
	capacity := ""
	if q, ok := c.Status.Capacity[corev1.ResourceStorage]; ok {
		capacity = q.String()
	}
	r.Cells = map[string]string{
		"volume":       c.Spec.VolumeName,
		"capacity":     capacity,
		"accessModes":  accessModes(modes),
		"storageClass": deref(c.Spec.StorageClassName),
	}
	phase := string(c.Status.Phase)
	switch {
	case c.DeletionTimestamp != nil:
		status(&r, "Terminating", shared.LevelWarning)
	case c.Status.Phase == corev1.ClaimBound:
		status(&r, phase, shared.LevelOK)
	case c.Status.Phase == corev1.ClaimPending:
		status(&r, phase, shared.LevelWarning)
	case c.Status.Phase == corev1.ClaimLost:
		status(&r, phase, shared.LevelError)
	default:
		status(&r, cmp.Or(phase, "Unknown"), shared.LevelUnknown)
	}
	return r
}

// pvRow is a PersistentVolume's row: capacity, reclaim policy, status and
// the claim it is bound to.
func pvRow(v *corev1.PersistentVolume) shared.Row {
	r := baseRow("PersistentVolume", &v.ObjectMeta)
	capacity := ""
	if q, ok := v.Spec.Capacity[corev1.ResourceStorage]; ok {
		capacity = q.String()
	}
	claim := ""
	if ref := v.Spec.ClaimRef; ref != nil {
		claim = ref.Namespace + "/" + ref.Name
	}
	r.Cells = map[string]string{
		"capacity":      capacity,
		"accessModes":   accessModes(v.Spec.AccessModes),
		"reclaimPolicy": string(v.Spec.PersistentVolumeReclaimPolicy),
		"claim":         claim,
		"storageClass":  v.Spec.StorageClassName,
	}
	phase := string(v.Status.Phase)
	switch {
	case v.DeletionTimestamp != nil:
		status(&r, "Terminating", shared.LevelWarning)
	case v.Status.Phase == corev1.VolumeAvailable || v.Status.Phase == corev1.VolumeBound:
		status(&r, phase, shared.LevelOK)
	case v.Status.Phase == corev1.VolumeReleased || v.Status.Phase == corev1.VolumePending:
		status(&r, phase, shared.LevelWarning)
	case v.Status.Phase == corev1.VolumeFailed:
		status(&r, phase, shared.LevelError)
	default:
		status(&r, cmp.Or(phase, "Unknown"), shared.LevelUnknown)
	}
	return r
}

// accessModes abbreviates access modes as kubectl does (RWO, ROX, RWX, RWOP).
func accessModes(modes []corev1.PersistentVolumeAccessMode) string {
	out := make([]string, 0, len(modes))
	for _, m := range modes {
		switch m {
		case corev1.ReadWriteOnce:
			out = append(out, "RWO")
		case corev1.ReadOnlyMany:
			out = append(out, "ROX")
		case corev1.ReadWriteMany:
			out = append(out, "RWX")
		case corev1.ReadWriteOncePod:
			out = append(out, "RWOP")
		default:
			out = append(out, string(m))
		}
	}
	return strings.Join(out, ",")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
