package main

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kubedeck/kubedeck/shared"
)

// objectsView is what the object viewer shows, as its URL query says it, so
// that a view can be shared and survives a reload:
//
//	/apps/objects?kind=pods&namespace=demo&q=web&sort=name&order=asc&page=2
//
// name (with in, the object's namespace, when the list shows another or
// every namespace) opens the detail drawer of one object.
type objectsView struct {
	Kind      string // a KindInfo.Name; "" until chosen
	Namespace string // "" for every namespace
	Query     string // the search text
	Sort      string // a sort key; "" for the server's order (namespace, name)
	Desc      bool
	Page      int // from 1
	Name      string
	ObjectNS  string // the drawer object's namespace when it differs from Namespace
}

// maxSearchLength is what the server accepts as search text.
const maxSearchLength = 200

// pageSize is the number of rows on one page of the table.
const pageSize = 50

// parseObjectsView reads a view from a URL query. Values that cannot be
// right (a page below 1, an order that is neither asc nor desc, a kind,
// namespace, sort key or name that is not shaped like one) fall back to the
// default; the kind and sort key are checked against the kinds the server
// lists once they are known (see fit). What comes out holds no character
// that could end an HTML attribute, but for the search text, which the page
// shows only through the DOM (see objectsPage.OnNav).
func parseObjectsView(q url.Values) objectsView {
	v := objectsView{
		Kind:      keep(strings.TrimSpace(q.Get("kind")), isDNSLabel),
		Namespace: keep(strings.TrimSpace(q.Get("namespace")), isDNSLabel),
		Query:     searchText(q.Get("q")),
		Sort:      keep(strings.TrimSpace(q.Get("sort")), isSortKey),
		Desc:      q.Get("order") == "desc",
		Page:      1,
		Name:      keep(strings.TrimSpace(q.Get("name")), isDNSSubdomain),
		ObjectNS:  keep(strings.TrimSpace(q.Get("in")), isDNSLabel),
	}
	if v.Namespace == "all" {
		v.Namespace = ""
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		v.Page = n
	}
	if v.Sort == "" {
		v.Desc = false
	}
	if v.ObjectNS == v.Namespace || v.Name == "" {
		v.ObjectNS = ""
	}
	return v
}

// keep is s when ok says it is well formed, else "".
func keep(s string, ok func(string) bool) string {
	if !ok(s) {
		return ""
	}
	return s
}

// isDNSLabel reports whether s is a DNS-1123 label, as namespaces and the
// kinds' names are, by the rule the server applies (shared.DNSLabel).
func isDNSLabel(s string) bool { return s != "" && shared.DNSLabel.Validate(s) == nil }

// isDNSSubdomain reports whether s is a DNS-1123 subdomain, as the names of
// the objects the viewer shows are, by the rule the server applies
// (shared.DNSSubdomain).
func isDNSSubdomain(s string) bool { return s != "" && shared.DNSSubdomain.Validate(s) == nil }

// isSortKey reports whether s is shaped like a sort key: a letter, then
// letters and digits ("name", "clusterIP").
func isSortKey(s string) bool {
	if len(s) == 0 || len(s) > 63 {
		return false
	}
	for i, c := range []byte(s) {
		letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// searchText is the search text of a query: without control characters,
// and cut at the server's limit without splitting a character.
func searchText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	for len(s) > maxSearchLength {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// encode is the view as a URL query, keys in a fixed order and defaults
// left out.
func (v objectsView) encode() string {
	var b strings.Builder
	add := func(k, val string) {
		if val == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(val))
	}
	add("kind", v.Kind)
	add("namespace", v.Namespace)
	add("q", v.Query)
	add("sort", v.Sort)
	if v.Sort != "" {
		add("order", v.order())
	}
	if v.Page > 1 {
		add("page", strconv.Itoa(v.Page))
	}
	add("name", v.Name)
	add("in", v.ObjectNS)
	return b.String()
}

func (v objectsView) order() string {
	if v.Desc {
		return "desc"
	}
	return "asc"
}

// listPath is the API path of the view's page of rows.
func (v objectsView) listPath() string {
	q := url.Values{}
	if v.Namespace != "" {
		q.Set("namespace", v.Namespace)
	}
	if v.Query != "" {
		q.Set("q", v.Query)
	}
	if v.Sort != "" {
		q.Set("sort", v.Sort)
		q.Set("order", v.order())
	}
	q.Set("page", strconv.Itoa(max(v.Page, 1)))
	q.Set("limit", strconv.Itoa(pageSize))
	return "/resources/" + url.PathEscape(v.Kind) + "?" + q.Encode()
}

// listKey tells lists apart: two views with the same key show the same rows.
func (v objectsView) listKey() string {
	v.Name, v.ObjectNS = "", ""
	return v.encode()
}

// drawerNamespace is the namespace of the object whose drawer is open.
func (v objectsView) drawerNamespace() string {
	if v.ObjectNS != "" {
		return v.ObjectNS
	}
	return v.Namespace
}

// objectPath is the API path of one object's detail ("-" stands for the
// namespace of cluster-scoped objects).
func objectPath(kind, namespace, name string) string {
	if namespace == "" {
		namespace = "-"
	}
	return "/resources/" + url.PathEscape(kind) + "/" + url.PathEscape(namespace) + "/" + url.PathEscape(name)
}

// withDrawer is the view with the drawer open on one object.
func (v objectsView) withDrawer(namespace, name string) objectsView {
	v.Name, v.ObjectNS = name, ""
	if namespace != v.Namespace {
		v.ObjectNS = namespace
	}
	return v
}

// fit checks the view against the kinds the server shows: an unknown kind
// becomes the first, a sort key the kind does not have is dropped, and a
// namespace is dropped for a cluster-scoped kind.
func (v objectsView) fit(kinds []shared.KindInfo) objectsView {
	if len(kinds) == 0 {
		return v
	}
	k, ok := findKind(kinds, v.Kind)
	if !ok {
		k = kinds[0]
		v.Kind = k.Name
	}
	if !k.Namespaced {
		v.Namespace, v.ObjectNS = "", ""
	}
	if v.Sort != "" && !slices.Contains(sortKeys(k), v.Sort) {
		v.Sort, v.Desc = "", false
	}
	return v
}

// findKind finds a kind by name.
func findKind(kinds []shared.KindInfo, name string) (shared.KindInfo, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return shared.KindInfo{}, false
}

// sortKeys are the keys a kind's list sorts by: the common ones, then its
// columns'.
func sortKeys(k shared.KindInfo) []string {
	keys := []string{"name", "namespace", "age", "status"}
	for _, c := range k.Columns {
		keys = append(keys, c.Key)
	}
	return keys
}
