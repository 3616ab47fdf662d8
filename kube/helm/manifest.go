package helm

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/kubedeck/kubedeck/shared"
)

// A release's manifest is YAML documents separated by "---" lines, each
// after a "# Source: <template>" comment.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

// manifestObject is one object of a manifest, as far as Kubedeck reads it.
type manifestObject struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
}

// splitManifest cuts a manifest into its documents, dropping empty ones.
func splitManifest(manifest string) []string {
	var docs []string
	for _, d := range docSeparator.Split(manifest, -1) {
		if strings.TrimSpace(stripComments(d)) != "" {
			docs = append(docs, d)
		}
	}
	return docs
}

// stripComments is doc without its whole-line comments.
func stripComments(doc string) string {
	var b strings.Builder
	for line := range strings.Lines(doc) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// maskManifest replaces each value of the data and stringData of every
// Secret in manifest (in a List too) with "<redacted: N bytes>". A
// document that cannot be read but may be a Secret is replaced whole.
func maskManifest(manifest string) string {
	var b strings.Builder
	for _, doc := range splitManifest(manifest) {
		b.WriteString("---\n")
		b.WriteString(maskDocument(doc))
	}
	return b.String()
}

// maskDocument masks one document, keeping its leading comments.
func maskDocument(doc string) string {
	doc = strings.TrimPrefix(doc, "\n")
	var head strings.Builder
	rest := doc
	for line := range strings.Lines(doc) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") && strings.TrimSpace(line) != "" {
			break
		}
		head.WriteString(line)
		rest = strings.TrimPrefix(rest, line)
	}
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(rest), &obj); err != nil {
		if strings.Contains(rest, "Secret") {
			return head.String() + "# This document could not be read and may hold a Secret: it is not shown.\n"
		}
		return doc
	}
	if !maskObject(obj) {
		return doc
	}
	out, err := yaml.Marshal(obj)
	if err != nil {
		return head.String() + "# This Secret could not be shown.\n"
	}
	return head.String() + string(out)
}

// maskObject masks obj when it is a Secret, or the Secrets among its
// items when it is a List; it reports whether it changed anything.
func maskObject(obj map[string]any) bool {
	changed := false
	if items, ok := obj["items"].([]any); ok {
		for _, it := range items {
			if m, ok := it.(map[string]any); ok && maskObject(m) {
				changed = true
			}
		}
	}
	if obj["kind"] != "Secret" {
		return changed
	}
	if data, ok := obj["data"].(map[string]any); ok {
		for k, v := range data {
			s := fmt.Sprint(v)
			n := len(s)
			if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s)); err == nil {
				n = len(raw)
			}
			data[k] = redacted(n)
		}
		changed = true
	}
	if data, ok := obj["stringData"].(map[string]any); ok {
		for k, v := range data {
			data[k] = redacted(len(fmt.Sprint(v)))
		}
		changed = true
	}
	// A Secret without data has nothing to hide, but its kind still says
	// Kubedeck looked at it.
	return changed || obj["kind"] == "Secret"
}

// redacted is what replaces a secret value of n bytes.
func redacted(n int) string { return fmt.Sprintf("<redacted: %d bytes>", n) }

// manifestObjects lists the objects of a manifest (the items of a List
// too), in order. Documents that cannot be read are left out.
func manifestObjects(manifest string) []manifestObject {
	var out []manifestObject
	var add func(m map[string]any)
	add = func(m map[string]any) {
		if items, ok := m["items"].([]any); ok && strings.HasSuffix(fmt.Sprint(m["kind"]), "List") {
			for _, it := range items {
				if im, ok := it.(map[string]any); ok {
					add(im)
				}
			}
			return
		}
		meta, _ := m["metadata"].(map[string]any)
		o := manifestObject{APIVersion: str(m["apiVersion"]), Kind: str(m["kind"]), Name: str(meta["name"]), Namespace: str(meta["namespace"])}
		if o.Kind != "" && o.Name != "" {
			out = append(out, o)
		}
	}
	for _, doc := range splitManifest(manifest) {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err == nil && m != nil {
			add(m)
		}
	}
	return out
}

// str is v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// releaseResources names the objects of a release. An object without a
// namespace is in the release's namespace unless namespaced says its kind
// is cluster-scoped.
func releaseResources(objs []manifestObject, namespace string, namespaced func(apiVersion, kind string) bool) []shared.ReleaseResource {
	out := make([]shared.ReleaseResource, 0, len(objs))
	for _, o := range objs {
		ns := o.Namespace
		switch {
		case !namespaced(o.APIVersion, o.Kind):
			ns = ""
		case ns == "":
			ns = namespace
		}
		out = append(out, shared.ReleaseResource{Kind: o.Kind, Namespace: ns, Name: o.Name})
	}
	return out
}
