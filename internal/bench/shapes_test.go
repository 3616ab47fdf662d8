package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListShapes(t *testing.T) {
	shapes := listShapes(10_000, []string{"name", "namespace", "age", "status", "restarts"}, "bench-0050", "pod-0050")
	var got [][2]string
	for _, s := range shapes {
		got = append(got, [2]string{s.Name, s.Path()})
	}
	want := [][2]string{
		{"all, page 1, by age", "/api/v1/resources/pods?limit=50&namespace=all&order=desc&sort=age"},
		{`all, filtered by name "pod-0050"`, "/api/v1/resources/pods?limit=50&namespace=all&q=pod-0050&sort=name"},
		{"all, page 100 (half-way), by name", "/api/v1/resources/pods?limit=50&namespace=all&page=100&sort=name"},
		{"all, page 1, by name", "/api/v1/resources/pods?limit=50&namespace=all&sort=name"},
		{"all, page 1, by namespace", "/api/v1/resources/pods?limit=50&namespace=all&sort=namespace"},
		{"all, page 1, by status", "/api/v1/resources/pods?limit=50&namespace=all&sort=status"},
		{"all, page 1, by restarts", "/api/v1/resources/pods?limit=50&namespace=all&sort=restarts"},
		{"one namespace, by name", "/api/v1/resources/pods?limit=50&namespace=bench-0050&sort=name"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("shapes (-want +got):\n%s", diff)
	}
}

func TestListShapesFewPods(t *testing.T) {
	// Fewer pods than a page: the "half-way" page is page 1, never 0.
	shapes := listShapes(20, nil, "bench-0000", "pod-0000")
	if got, want := shapes[2].Query.Get("page"), "1"; got != want {
		t.Errorf("half-way page of 20 pods = %s, want %s", got, want)
	}
}
