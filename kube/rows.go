package kube

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedeck/kubedeck/shared"
)

// baseRow fills the columns every kind has from the object's metadata.
func baseRow(kind string, m *metav1.ObjectMeta) shared.Row {
	return shared.Row{
		UID:       string(m.UID),
		Kind:      kind,
		Name:      m.Name,
		Namespace: m.Namespace,
		Created:   m.CreationTimestamp.Unix(),
		Labels:    m.Labels,
		Version:   m.ResourceVersion,
	}
}

// status sets a row's status text and level.
func status(r *shared.Row, text string, level shared.Level) {
	r.Status, r.Level = text, level
}

// severity orders levels from best to worst, for sorting by level.
func severity(l shared.Level) int64 {
	switch l {
	case shared.LevelOK:
		return 0
	case shared.LevelUnknown:
		return 1
	case shared.LevelWarning:
		return 2
	case shared.LevelError:
		return 3
	}
	return 1
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}

// searchText is what a query matches against, lowercased once when the row
// is built: name, namespace, status, labels (as key=value) and the cells.
// Fields are separated by a byte no query holds, so a term never matches
// across two fields.
func searchText(r *shared.Row, cols []column) string {
	var b strings.Builder
	add := func(s string) {
		b.WriteString(s)
		b.WriteByte(0)
	}
	add(r.Name)
	add(r.Namespace)
	add(r.Status)
	for k, v := range r.Labels {
		add(k + "=" + v)
	}
	for _, c := range cols {
		if v := r.Cells[c.Key]; v != "" {
			add(v)
		}
	}
	return strings.ToLower(b.String())
}
