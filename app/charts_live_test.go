package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func TestLiveNamespaces(t *testing.T) {
	tests := []struct {
		name                     string
		filter                   string
		listed, known, forbidden []string
		limit                    int
		want                     []string
		wantOK                   bool
	}{
		{"the filter's alone", "team-a", []string{"team-b"}, []string{"team-c"}, nil, 20, []string{"team-a"}, true},
		{"listed and known, once each, sorted", "", []string{"team-b", "team-a"}, []string{"team-a", "team-c", ""}, nil, 20,
			[]string{"team-a", "team-b", "team-c"}, true},
		{"not the forbidden", "", []string{"team-a"}, []string{"team-x"}, []string{"team-x"}, 20, []string{"team-a"}, true},
		{"at the limit", "", []string{"a", "b"}, nil, nil, 2, []string{"a", "b"}, true},
		{"beyond it: the poll", "", []string{"a", "b", "c"}, nil, nil, 2, nil, false},
		{"none", "", nil, nil, nil, 20, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := liveNamespaces(tc.filter, tc.listed, tc.known, tc.forbidden, tc.limit)
			if diff := cmp.Diff(tc.want, got); diff != "" || ok != tc.wantOK {
				t.Errorf("ok = %v, want %v; namespaces (-want +got):\n%s", ok, tc.wantOK, diff)
			}
		})
	}
}

// subscribe records the subscriptions keep asks for, counting cancels.
func subscribe(l *chartsLive, want []string, over bool, cancels map[string]int) []string {
	add := l.keep(want, over)
	for _, ns := range add {
		s := l.add(ns)
		s.cancel = func() { cancels[ns]++ }
	}
	return add
}

func TestChartsLiveSubscriptions(t *testing.T) {
	var l chartsLive
	cancels := map[string]int{}
	if diff := cmp.Diff([]string{"a", "b"}, subscribe(&l, []string{"a", "b"}, false, cancels)); diff != "" {
		t.Errorf("first subscriptions (-want +got):\n%s", diff)
	}
	if l.covered() {
		t.Error("covered before the server confirmed anything")
	}
	a, b := l.subs["a"], l.subs["b"]
	if l.connected(a, true) != true || l.connected(b, true) != true {
		t.Error("a subscription coming live does not relist")
	}
	if !l.covered() {
		t.Error("not covered with every subscription live")
	}
	if l.connected(a, true) {
		t.Error("live again without a drop relists")
	}

	if diff := cmp.Diff([]string{"c"}, subscribe(&l, []string{"b", "c"}, false, cancels)); diff != "" {
		t.Errorf("after the namespaces changed (-want +got):\n%s", diff)
	}
	if cancels["a"] != 1 || cancels["b"] != 0 || l.current(a) || !l.current(b) {
		t.Errorf("a should end, b stay: cancels %v", cancels)
	}
	if l.message(a, helmEvent(shared.WSDeleted, "sh.helm.release.v1.web.v1")) {
		t.Error("a message of an ended subscription counted")
	}

	c := l.subs["c"]
	l.connected(c, true)
	if l.message(c, shared.WSMessage{Type: shared.WSError, Error: &shared.Error{Message: "You may not list secrets in namespace \"c\"."}}) {
		t.Error("a refusal counted as a change")
	}
	if cancels["c"] != 1 || l.covered() {
		t.Errorf("a refused subscription ends and the poll stands in: cancels %v, covered %v", cancels, l.covered())
	}
	if add := subscribe(&l, []string{"b", "c"}, false, cancels); len(add) != 0 {
		t.Errorf("a refused namespace is asked for again: %v", add)
	}

	if add := subscribe(&l, []string{"b"}, true, cancels); len(add) != 0 || len(l.subs) != 0 || cancels["b"] != 1 || l.covered() {
		t.Errorf("too many namespaces: add %v, subs %v, cancels %v", add, l.subs, cancels)
	}
	subscribe(&l, []string{"d"}, false, cancels)
	l.stop()
	if cancels["d"] != 1 || len(l.subs) != 0 {
		t.Errorf("stop: cancels %v, subs %v", cancels, l.subs)
	}
}

func helmEvent(typ shared.WSType, name string) shared.WSMessage {
	m, err := shared.NewWSMessage(typ, shared.WSResourceEvent{Kind: "secrets", Row: shared.Row{Name: name}})
	if err != nil {
		panic(err)
	}
	return m
}

func TestChartsLiveMessages(t *testing.T) {
	tests := []struct {
		name string
		m    shared.WSMessage
		want bool
	}{
		{"a release created", helmEvent(shared.WSCreated, "sh.helm.release.v1.web.v1"), true},
		{"a release updated", helmEvent(shared.WSUpdated, "sh.helm.release.v1.web.v2"), true},
		{"a release deleted", helmEvent(shared.WSDeleted, "sh.helm.release.v1.web.v2"), true},
		{"another secret", helmEvent(shared.WSUpdated, "web-tls"), false},
		{"a resync", shared.WSMessage{Type: shared.WSResync}, true},
		{"a pong", shared.WSMessage{Type: shared.WSPong}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l chartsLive
			l.keep([]string{"a"}, false)
			s := l.add("a")
			if got := l.message(s, tc.m); got != tc.want {
				t.Errorf("message = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestChartsLiveDebounce(t *testing.T) {
	var l chartsLive
	if !l.changed() {
		t.Fatal("the first change starts no pause")
	}
	for range 2 {
		if l.changed() {
			t.Error("a change during the pause starts another")
		}
	}
	if !l.due(false) {
		t.Error("no reload at the end of the pause")
	}
	if l.loaded() {
		t.Error("a reload owed with no change during the load")
	}

	// A change while a reload is in flight waits for it to end.
	l.changed()
	if l.due(true) {
		t.Error("a second reload while one is in flight")
	}
	if !l.loaded() {
		t.Error("the change that came during the load is lost")
	}
	if l.loaded() {
		t.Error("owed twice")
	}
}
