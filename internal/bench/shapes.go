package main

import (
	"net/url"
	"strconv"
)

// pageSize is the page every list request asks for, the UI's default.
const pageSize = 50

// shape is one kind of list request the benchmark times.
type shape struct {
	Name  string     `json:"name"`
	Query url.Values `json:"-"`
}

// Path returns the request's path and query under the API.
func (s shape) Path() string { return "/api/v1/resources/pods?" + s.Query.Encode() }

// listShapes returns the query shapes timed at one size: page 1 of all pods
// by age; a name filter; the middle page by name; page 1 by each other sort
// key; one namespace by name. total is how many pods there are, sortKeys
// the pods' sort keys as the server names them, namespace one namespace
// and search a part of a name.
func listShapes(total int, sortKeys []string, namespace, search string) []shape {
	q := func(kv ...string) url.Values {
		v := url.Values{"limit": {strconv.Itoa(pageSize)}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	pages := (total + pageSize - 1) / pageSize
	shapes := []shape{
		{"all, page 1, by age", q("namespace", "all", "sort", "age", "order", "desc")},
		{"all, filtered by name " + strconv.Quote(search), q("namespace", "all", "q", search, "sort", "name")},
		{"all, page " + strconv.Itoa(max(pages/2, 1)) + " (half-way), by name", q("namespace", "all", "sort", "name", "page", strconv.Itoa(max(pages/2, 1)))},
	}
	for _, k := range sortKeys {
		if k == "age" {
			continue
		}
		shapes = append(shapes, shape{"all, page 1, by " + k, q("namespace", "all", "sort", k)})
	}
	return append(shapes, shape{"one namespace, by name", q("namespace", namespace, "sort", "name")})
}
