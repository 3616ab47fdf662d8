package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

func TestBackoffIsFullJitterUnderACappedCeiling(t *testing.T) {
	const base, limit = 500 * time.Millisecond, 30 * time.Second
	tests := []struct {
		attempt int
		ceiling time.Duration
	}{
		{0, 500 * time.Millisecond},
		{1, time.Second},
		{2, 2 * time.Second},
		{5, 16 * time.Second},
		{6, 30 * time.Second}, // 32 s is over the cap
		{40, 30 * time.Second},
		{1000, 30 * time.Second}, // no overflow
	}
	for _, tc := range tests {
		t.Run(tc.ceiling.String(), func(t *testing.T) {
			if got := backoff(tc.attempt, base, limit, func() float64 { return 0 }); got != 0 {
				t.Errorf("lowest draw: %v, want 0 (full jitter starts at zero)", got)
			}
			if got := backoff(tc.attempt, base, limit, func() float64 { return 0.5 }); got != tc.ceiling/2 {
				t.Errorf("middle draw: %v, want %v", got, tc.ceiling/2)
			}
			top := backoff(tc.attempt, base, limit, func() float64 { return 0.999999 })
			if top >= tc.ceiling || top < tc.ceiling*99/100 {
				t.Errorf("highest draw: %v, want just under %v", top, tc.ceiling)
			}
		})
	}
}

func TestSubRegistry(t *testing.T) {
	c2 := newWSClient("ws://unused")
	r := &c2.subs
	var got []string
	h := func(name string) wsHandler {
		return wsHandler{onMessage: func(m shared.WSMessage) { got = append(got, name+":"+string(m.Type)) }}
	}
	a := r.add("pods", "demo", h("a"))
	b := r.add("deployments", "", h("b"))
	c := r.add("services", "team-web", h("c"))
	for i := 0; i < 8; i++ { // ids past s9 still list in the order made
		r.remove(r.add("pods", "x", h("tmp")).id)
	}
	d := r.add("configmaps", "demo", h("d"))
	if ids := []string{a.id, b.id, c.id, d.id}; !cmp.Equal(ids, []string{"s1", "s2", "s3", "s12"}) {
		t.Fatalf("ids %v", ids)
	}
	var msgs []shared.WSMessage
	for _, s := range r.all() {
		msgs = append(msgs, s.message())
	}
	want := []shared.WSMessage{
		{Type: shared.WSSubscribe, ID: "s1", Kind: "pods", Namespace: "demo"},
		{Type: shared.WSSubscribe, ID: "s2", Kind: "deployments"},
		{Type: shared.WSSubscribe, ID: "s3", Kind: "services", Namespace: "team-web"},
		{Type: shared.WSSubscribe, ID: "s12", Kind: "configmaps", Namespace: "demo"},
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("resubscribe messages (-want +got):\n%s", diff)
	}
	if !r.remove("s2") || r.remove("s2") {
		t.Error("remove: want true, then false")
	}
	if r.len() != 3 {
		t.Errorf("len %d, want 3", r.len())
	}
	// Messages reach the handler of their subscription, not of one removed.
	c2.handle([]byte(`{"type":"resource:updated","sub":"s3","kind":"services","row":{"uid":"u"}}`))
	c2.handle([]byte(`{"type":"resync","sub":"s2"}`))
	c2.handle([]byte(`{"type":"pong"}`))
	c2.handle([]byte(`not json`))
	c2.handle([]byte(`{"type":"resync","sub":"s1"}`))
	if diff := cmp.Diff([]string{"c:resource:updated", "a:resync"}, got); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
}

func TestPongConfirmsTheSubscriptionsSentBeforeIt(t *testing.T) {
	c := newWSClient("ws://unused")
	var live []string
	h := func(name string) wsHandler {
		return wsHandler{onLive: func(ok bool) { live = append(live, name) }}
	}
	a := c.subs.add("pods", "demo", h("a"))
	b := c.subs.add("pods", "team-web", h("b"))
	gone := c.subs.add("pods", "x", h("gone"))
	// Three pings in flight: after subscribing a and gone, a keep-alive, after b.
	c.pings = [][]*wsSub{{a, gone}, nil, {b}}
	c.subs.remove(gone.id) // unsubscribed before the server answered
	pong := []byte(`{"type":"pong"}`)
	c.handle(pong)
	if diff := cmp.Diff([]string{"a"}, live); diff != "" {
		t.Errorf("first pong (-want +got):\n%s", diff)
	}
	c.handle(pong)
	c.handle(pong)
	c.handle(pong) // one more than sent: nothing to confirm
	if diff := cmp.Diff([]string{"a", "b"}, live); diff != "" {
		t.Errorf("all pongs (-want +got):\n%s", diff)
	}
}

func TestWantedSubs(t *testing.T) {
	pods := shared.KindInfo{Name: "pods", Kind: "Pod", Namespaced: true}
	pvs := shared.KindInfo{Name: "persistentvolumes", Kind: "PersistentVolume"}
	all := []string{"default", "demo", "kube-system", "team-ml"}
	tests := []struct {
		name      string
		view      objectsView
		kind      shared.KindInfo
		forbidden []string
		refused   bool // a subscription across the cluster was refused
		limit     int
		want      []subTarget
	}{
		{"one namespace", objectsView{Namespace: "demo"}, pods, nil, false, 16, []subTarget{{"pods", "demo"}}},
		{"cluster-scoped", objectsView{}, pvs, nil, false, 16, []subTarget{{"persistentvolumes", ""}}},
		{"every namespace, all allowed", objectsView{}, pods, nil, false, 16, []subTarget{{"pods", ""}}},
		{"every namespace, some forbidden: one per allowed", objectsView{}, pods, []string{"default", "kube-system"}, false, 16,
			[]subTarget{{"pods", "demo"}, {"pods", "team-ml"}}},
		{"every namespace, refused across the cluster: one per namespace", objectsView{}, pods, nil, true, 16,
			[]subTarget{{"pods", "default"}, {"pods", "demo"}, {"pods", "kube-system"}, {"pods", "team-ml"}}},
		{"more than the limit: none (poll)", objectsView{}, pods, []string{"kube-system"}, false, 2, nil},
		{"no kind yet", objectsView{}, shared.KindInfo{}, nil, false, 16, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wantedSubs(tc.view, tc.kind, all, tc.forbidden, !tc.refused, tc.limit)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(subTarget{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
