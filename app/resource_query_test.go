package main

import (
	"net/url"
	"strings"
	"testing"

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
