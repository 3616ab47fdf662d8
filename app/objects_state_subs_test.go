package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

// subsOf holds subscriptions of targets, each live or not, and records the
// targets cancelled into cancelled.
func subsOf(cancelled *[]subTarget, live bool, targets ...subTarget) *pageSubs {
	ps := &pageSubs{}
	for _, t := range targets {
		s := ps.add(t)
		s.live = live
		s.cancel = func() { *cancelled = append(*cancelled, t) }
	}
	return ps
}

// heldTargets are the targets held, sorted.
func heldTargets(ps *pageSubs) []subTarget {
	var out []subTarget
	for t := range ps.held {
		out = append(out, t)
	}
	sortTargets(out)
	return out
}

func sortTargets(ts []subTarget) {
	slices.SortFunc(ts, func(a, b subTarget) int {
		return strings.Compare(a.kind+"/"+a.namespace, b.kind+"/"+b.namespace)
	})
}

func TestPageSubsKeep(t *testing.T) {
	all := subTarget{"pods", ""}
	demo, ml := subTarget{"pods", "demo"}, subTarget{"pods", "team-ml"}
	tests := []struct {
		name          string
		held          []subTarget
		want          []subTarget
		wantAdd       []subTarget
		wantCancelled []subTarget
		wantHeld      []subTarget
	}{
		{"none held", nil, []subTarget{demo}, []subTarget{demo}, nil, nil},
		{"all held", []subTarget{demo}, []subTarget{demo}, nil, nil, []subTarget{demo}},
		{"across the cluster becomes per namespace", []subTarget{all}, []subTarget{demo, ml},
			[]subTarget{demo, ml}, []subTarget{all}, nil},
		{"one kept, one added", []subTarget{demo}, []subTarget{ml, demo}, []subTarget{ml}, nil, []subTarget{demo}},
		{"nothing wanted cancels all", []subTarget{demo, ml}, nil, nil, []subTarget{demo, ml}, nil},
		{"a target wanted twice is added once", nil, []subTarget{demo, demo}, []subTarget{demo}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var cancelled []subTarget
			ps := subsOf(&cancelled, true, tc.held...)
			add := ps.keep(tc.want)
			opt := cmp.AllowUnexported(subTarget{})
			if diff := cmp.Diff(tc.wantAdd, add, opt); diff != "" {
				t.Errorf("to add (-want +got):\n%s", diff)
			}
			sortTargets(cancelled)
			if diff := cmp.Diff(tc.wantCancelled, cancelled, opt); diff != "" {
				t.Errorf("cancelled (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantHeld, heldTargets(ps), opt); diff != "" {
				t.Errorf("held (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageSubsCancelAll(t *testing.T) {
	var cancelled []subTarget
	ps := subsOf(&cancelled, true, subTarget{"pods", "demo"}, subTarget{"pods", "team-ml"})
	ps.cancelAll()
	if len(cancelled) != 2 || len(ps.held) != 0 {
		t.Errorf("%d cancelled, %d held; want 2 and 0", len(cancelled), len(ps.held))
	}
	ps.cancelAll() // nothing left: no panic, nothing cancelled twice
	if len(cancelled) != 2 {
		t.Errorf("%d cancelled after a second cancelAll, want 2", len(cancelled))
	}
}

func TestPageSubsLive(t *testing.T) {
	type sub struct{ live, forbidden, failed bool }
	tests := []struct {
		name string
		subs []sub
		want bool
	}{
		{"no subscription", nil, false},
		{"every one live", []sub{{live: true}, {live: true}}, true},
		{"one not live yet", []sub{{live: true}, {}}, false},
		{"one refused for another reason", []sub{{live: true}, {live: true, failed: true}}, false},
		{"one the user may not make does not count", []sub{{live: true}, {forbidden: true}}, true},
		{"only ones the user may not make", []sub{{forbidden: true}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps pageSubs
			for i, s := range tc.subs {
				p := ps.add(subTarget{"pods", string(rune('a' + i))})
				p.live, p.forbidden, p.failed = s.live, s.forbidden, s.failed
			}
			if got := ps.live(); got != tc.want {
				t.Errorf("live() = %v, want %v", got, tc.want)
			}
		})
	}
}

// pageSubState is what a test compares of a pageSub.
type pageSubState struct{ Live, Forbidden, Failed bool }

func TestPageSubsConnected(t *testing.T) {
	tests := []struct {
		name       string
		current    bool
		live       bool
		wantRelist bool
		want       pageSubState
	}{
		{"up: list again", true, true, true, pageSubState{Live: true, Forbidden: true, Failed: true}},
		{"down: what was refused is asked again next time", true, false, false, pageSubState{}},
		{"a cancelled subscription changes nothing", false, true, false, pageSubState{Forbidden: true, Failed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps pageSubs
			s := &pageSub{target: subTarget{"pods", "demo"}}
			if tc.current {
				s = ps.add(s.target)
			}
			s.forbidden, s.failed = true, true
			if got := ps.connected(s, tc.live); got != tc.wantRelist {
				t.Errorf("connected() = %v, want %v", got, tc.wantRelist)
			}
			got := pageSubState{Live: s.live, Forbidden: s.forbidden, Failed: s.failed}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("subscription (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPageSubsRefused(t *testing.T) {
	forbidden := &shared.Error{Code: shared.CodeForbidden, Message: "You may not watch pods."}
	tests := []struct {
		name            string
		target          subTarget
		err             *shared.Error
		namespaced      bool
		wantResubscribe bool
		wantForbidden   bool
		wantFailed      bool
		wantClusterWide bool
	}{
		{"forbidden across the cluster: one per namespace instead",
			subTarget{"pods", ""}, forbidden, true, true, true, false, false},
		{"forbidden in a namespace", subTarget{"pods", "demo"}, forbidden, true, false, true, false, true},
		{"forbidden for a cluster-scoped kind", subTarget{"nodes", ""}, forbidden, false, false, true, false, true},
		{"another refusal", subTarget{"pods", ""}, &shared.Error{Code: shared.CodeInternal, Message: "The watch failed."},
			true, false, false, true, true},
		{"a refusal without an error", subTarget{"pods", "demo"}, nil, true, false, false, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ps pageSubs
			s := ps.add(tc.target)
			if got := ps.refused(s, tc.err, tc.namespaced); got != tc.wantResubscribe {
				t.Errorf("refused() = %v, want %v", got, tc.wantResubscribe)
			}
			type state struct{ Forbidden, Failed, ClusterWide bool }
			want := state{tc.wantForbidden, tc.wantFailed, tc.wantClusterWide}
			got := state{s.forbidden, s.failed, ps.clusterWide(tc.target.kind)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("after the refusal (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPageSubsRefusedAcrossTheClusterThenPerNamespace follows a user who
// may not watch pods across the cluster: the page then wants one
// subscription per namespace the list did not leave out.
func TestPageSubsRefusedAcrossTheClusterThenPerNamespace(t *testing.T) {
	pods := shared.KindInfo{Name: "pods", Namespaced: true}
	namespaces := []string{"demo", "team-ml"}
	var cancelled []subTarget
	ps := subsOf(&cancelled, true, wantedSubs(objectsView{}, pods, namespaces, nil, true, maxPageSubs)...)
	s := ps.held[subTarget{"pods", ""}]
	if !ps.refused(s, &shared.Error{Code: shared.CodeForbidden}, true) {
		t.Fatal("no new subscriptions after a refusal across the cluster")
	}
	add := ps.keep(wantedSubs(objectsView{}, pods, namespaces, nil, ps.clusterWide("pods"), maxPageSubs))
	opt := cmp.AllowUnexported(subTarget{})
	if diff := cmp.Diff([]subTarget{{"pods", "demo"}, {"pods", "team-ml"}}, add, opt); diff != "" {
		t.Errorf("to add (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]subTarget{{"pods", ""}}, cancelled, opt); diff != "" {
		t.Errorf("cancelled (-want +got):\n%s", diff)
	}
}
