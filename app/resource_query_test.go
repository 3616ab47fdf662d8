package main

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

func TestObjectsViewFromURL(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  objectsView
		// encoded is the query the view writes back ("" means query itself).
		encoded string
	}{
		{"empty", "", objectsView{Page: 1}, ""},
		{"everything", "kind=pods&namespace=demo&q=web&sort=name&order=asc&page=2",
			objectsView{Kind: "pods", Namespace: "demo", Query: "web", Sort: "name", Page: 2}, ""},
		{"descending", "kind=deployments&sort=age&order=desc",
			objectsView{Kind: "deployments", Sort: "age", Desc: true, Page: 1}, ""},
		{"all namespaces is the default", "kind=pods&namespace=all", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"an order without a sort means nothing", "kind=pods&order=desc", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"a sort without an order is ascending", "kind=pods&sort=name",
			objectsView{Kind: "pods", Sort: "name", Page: 1}, "kind=pods&sort=name&order=asc"},
		{"page below 1", "kind=pods&page=0", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"page not a number", "kind=pods&page=two", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"page 1 is left out", "kind=pods&page=1", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"deep link to an object", "kind=pods&namespace=demo&name=web-1",
			objectsView{Kind: "pods", Namespace: "demo", Page: 1, Name: "web-1"}, ""},
		{"object in another namespace than the list's", "kind=pods&name=web-1&in=demo",
			objectsView{Kind: "pods", Page: 1, Name: "web-1", ObjectNS: "demo"}, ""},
		{"in without a name means nothing", "kind=pods&in=demo", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"search text is escaped", "kind=pods&q=a+b%26c%3D", objectsView{Kind: "pods", Query: "a b&c=", Page: 1}, ""},
		{"search text loses control characters", "kind=pods&q=a%0Ab%09c%00", objectsView{Kind: "pods", Query: "abc", Page: 1}, "kind=pods&q=abc"},
		{"a kind that is not a name is dropped", "kind=%22%3E%3Cb%3E&namespace=demo", objectsView{Namespace: "demo", Page: 1}, "namespace=demo"},
		{"a namespace that is not a DNS label is dropped", "kind=pods&namespace=demo%22%3E%3Cmeta%3E",
			objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"an upper-case namespace is dropped", "kind=pods&namespace=Demo", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"a namespace longer than 63 is dropped", "kind=pods&namespace=" + strings.Repeat("a", 64), objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"a sort key that is not a key is dropped", "kind=pods&sort=name%22+x%3D&order=desc", objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"a camel-case sort key is kept", "kind=services&sort=clusterIP&order=asc",
			objectsView{Kind: "services", Sort: "clusterIP", Page: 1}, ""},
		{"an object name that is not a name closes the drawer", "kind=pods&name=web%22%3E&in=demo",
			objectsView{Kind: "pods", Page: 1}, "kind=pods"},
		{"an object name with dots is kept", "kind=configmaps&namespace=demo&name=kube-root-ca.crt",
			objectsView{Kind: "configmaps", Namespace: "demo", Page: 1, Name: "kube-root-ca.crt"}, ""},
		{"an object namespace that is not a DNS label is dropped", "kind=pods&name=web-1&in=demo%27",
			objectsView{Kind: "pods", Page: 1, Name: "web-1"}, "kind=pods&name=web-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got := parseObjectsView(q)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("view (-want +got):\n%s", diff)
			}
			want := tc.encoded
			if want == "" {
				want = tc.query
			}
			if enc := got.encode(); enc != want {
				t.Errorf("encode() = %q, want %q", enc, want)
			}
			// What a view writes, it reads back the same.
			back, _ := url.ParseQuery(got.encode())
			if diff := cmp.Diff(got, parseObjectsView(back)); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObjectsViewSearchIsCutAtTheServersLimit(t *testing.T) {
	v := parseObjectsView(url.Values{"q": {strings.Repeat("x", 300)}})
	if len(v.Query) != maxSearchLength {
		t.Errorf("search of %d characters, want %d", len(v.Query), maxSearchLength)
	}
}

func TestObjectsViewSearchIsNotCutInsideACharacter(t *testing.T) {
	q := strings.Repeat("x", maxSearchLength-1) + "é"
	want := strings.Repeat("x", maxSearchLength-1)
	if got := parseObjectsView(url.Values{"q": {q}}).Query; got != want {
		t.Errorf("search %q, want %q (valid UTF-8: %v)", got, want, utf8.ValidString(got))
	}
}

func TestObjectsViewPaths(t *testing.T) {
	tests := []struct {
		name string
		view objectsView
		want string
	}{
		{"all namespaces", objectsView{Kind: "pods", Page: 1}, "/resources/pods?limit=50&page=1"},
		{"everything", objectsView{Kind: "pods", Namespace: "demo", Query: "a b", Sort: "age", Desc: true, Page: 3},
			"/resources/pods?limit=50&namespace=demo&order=desc&page=3&q=a+b&sort=age"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.view.listPath(); got != tc.want {
				t.Errorf("listPath() = %q, want %q", got, tc.want)
			}
		})
	}
	if got, want := objectPath("persistentvolumes", "", "pv-1"), "/resources/persistentvolumes/-/pv-1"; got != want {
		t.Errorf("objectPath cluster-scoped = %q, want %q", got, want)
	}
	if got, want := objectPath("pods", "demo", "a b"), "/resources/pods/demo/a%20b"; got != want {
		t.Errorf("objectPath = %q, want %q", got, want)
	}
}

func TestObjectsViewFitsTheKinds(t *testing.T) {
	kinds := []shared.KindInfo{
		{Name: "pods", Kind: "Pod", Namespaced: true, Columns: []shared.Column{{Key: "restarts", Title: "Restarts"}}},
		{Name: "persistentvolumes", Kind: "PersistentVolume"},
	}
	tests := []struct {
		name string
		in   objectsView
		want objectsView
	}{
		{"unknown kind becomes the first", objectsView{Kind: "nope", Page: 1}, objectsView{Kind: "pods", Page: 1}},
		{"a column of the kind sorts", objectsView{Kind: "pods", Sort: "restarts", Desc: true, Page: 1},
			objectsView{Kind: "pods", Sort: "restarts", Desc: true, Page: 1}},
		{"a key the kind lacks is dropped", objectsView{Kind: "pods", Sort: "capacity", Desc: true, Page: 1},
			objectsView{Kind: "pods", Page: 1}},
		{"cluster-scoped kinds have no namespace", objectsView{Kind: "persistentvolumes", Namespace: "demo", Name: "pv", ObjectNS: "x", Page: 1},
			objectsView{Kind: "persistentvolumes", Name: "pv", Page: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.in.fit(kinds)); diff != "" {
				t.Errorf("fit (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzObjectsView reads any query as the object viewer's view: it never
// panics, the page is at least 1, what it keeps reads back the same from
// its encoding, and nothing but the search text (shown only through the
// DOM) holds a character that could end an HTML attribute.
func FuzzObjectsView(f *testing.F) {
	for _, q := range []string{"", "kind=pods&namespace=demo&q=web&sort=name&order=desc&page=2",
		"page=-1", "page=99999999999999999999", "name=a&in=b&namespace=b", "namespace=all&kind=%3Cx%3E", "sort=&order=desc"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, ok := viewRoundTrip(t, raw, parseObjectsView, objectsView.encode)
		if !ok {
			return
		}
		if v.Page < 1 {
			t.Fatalf("parseObjectsView(%q): page %d", raw, v.Page)
		}
		for _, s := range []string{v.Kind, v.Namespace, v.Sort, v.Name, v.ObjectNS} {
			if strings.ContainsAny(s, "<>\"'&?#%/ \\") {
				t.Fatalf("parseObjectsView(%q) keeps %q", raw, s)
			}
		}
	})
}

// viewRoundTrip reads raw, a URL query, as a page's view, and fails the
// test unless the view's encoding reads back as the same view; ok is false
// when raw is no query.
func viewRoundTrip[V any](t *testing.T, raw string, parse func(url.Values) V, encode func(V) string) (v V, ok bool) {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		return v, false
	}
	v = parse(q)
	back, err := url.ParseQuery(encode(v))
	if err != nil {
		t.Fatalf("the view of %q encodes as %q, which does not parse: %v", raw, encode(v), err)
	}
	if diff := cmp.Diff(v, parse(back)); diff != "" {
		t.Fatalf("round trip of %q (-first +second):\n%s", raw, diff)
	}
	return v, true
}
