package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

func TestObjectsKinds(t *testing.T) {
	// kindsSnapshot is what the test compares of objectsKinds.
	type kindsSnapshot struct {
		Status loadStatus
		Err    string
		Names  []string
		Loaded []bool // what each answer returned
	}
	type answer struct {
		kinds []shared.KindInfo
		err   error
	}
	down := objectsErr("Kubedeck is not connected to a cluster.")
	tests := []struct {
		name    string
		answers []answer // each after a begin
		want    kindsSnapshot
	}{
		{"loading", nil, kindsSnapshot{Status: statusLoading}},
		{"loaded", []answer{{testKinds(), nil}},
			kindsSnapshot{Status: statusLoaded, Names: []string{"pods", "deployments"}, Loaded: []bool{true}}},
		{"failed", []answer{{nil, down}},
			kindsSnapshot{Status: statusFailed, Err: "Kubedeck is not connected to a cluster.", Loaded: []bool{false}}},
		{"a retry that loads", []answer{{nil, down}, {testKinds(), nil}},
			kindsSnapshot{Status: statusLoaded, Err: "Kubedeck is not connected to a cluster.",
				Names: []string{"pods", "deployments"}, Loaded: []bool{false, true}}},
		{"a failure keeps the kinds known", []answer{{testKinds(), nil}, {nil, down}},
			kindsSnapshot{Status: statusFailed, Err: "Kubedeck is not connected to a cluster.",
				Names: []string{"pods", "deployments"}, Loaded: []bool{true, false}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var k objectsKinds
			k.begin()
			var got kindsSnapshot
			for i, a := range tc.answers {
				if i > 0 {
					k.begin()
				}
				got.Loaded = append(got.Loaded, k.loaded(a.kinds, a.err))
			}
			got.Status, got.Err = k.status, k.err
			for _, info := range k.list {
				got.Names = append(got.Names, info.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

func TestObjectsKindsFind(t *testing.T) {
	var k objectsKinds
	if got := k.find("pods"); got.Name != "" {
		t.Errorf("before the kinds load: found %q", got.Name)
	}
	k.loaded(testKinds(), nil)
	if got := k.find("deployments"); got.Kind != "Deployment" {
		t.Errorf("find(deployments) = %+v", got)
	}
	if got := k.find("widgets"); got.Name != "" {
		t.Errorf("find(widgets) = %+v, want none", got)
	}
}

func TestObjectsSearch(t *testing.T) {
	type key struct {
		text string
		// pause is true when typing pauses after this key: the test asks
		// settled with this key's number and the view's search.
		pause bool
	}
	tests := []struct {
		name  string
		set   string // the view's search, shown at first
		keys  []key
		query string // the view's search when the pauses end
		want  []bool // settled, per pause
	}{
		{"a pause after typing searches", "", []key{{"w", false}, {"we", false}, {"web", true}}, "", []bool{true}},
		{"a pause cut short by another key does not search", "", []key{{"w", true}, {"we", true}}, "", []bool{false, true}},
		{"a pause on the view's own search does not search again", "web", []key{{"webs", false}, {"web", true}}, "web", []bool{false}},
		{"typing back to an empty box searches for everything", "web", []key{{"", true}}, "web", []bool{true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s objectsSearch
			s.set(tc.set)
			var seqs []int
			for _, k := range tc.keys {
				seq := s.typed(k.text)
				if k.pause {
					seqs = append(seqs, seq)
				}
			}
			var got []bool
			for _, seq := range seqs {
				got = append(got, s.settled(seq, tc.query))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("settled (-want +got):\n%s", diff)
			}
			if last := tc.keys[len(tc.keys)-1].text; s.text != last {
				t.Errorf("box holds %q, want %q", s.text, last)
			}
		})
	}
}
