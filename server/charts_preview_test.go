package server

import (
	"errors"
	"testing"

	"github.com/kubedeck/kubedeck/shared"
)

// One dry run at a time per user, a few in all; a place given back is
// taken again.
func TestPreviewGate(t *testing.T) {
	var g previewGate
	limited := func(err error) bool {
		var ae *apiError
		return errors.As(err, &ae) && ae.code == shared.CodeRateLimited && ae.details["retryAfterSeconds"] == 2
	}
	if err := g.enter("ann"); err != nil {
		t.Fatal(err)
	}
	if err := g.enter("ann"); !limited(err) {
		t.Errorf("a second preview of one user: %v, want 429", err)
	}
	for _, u := range []string{"bob", "cid", "dee"} {
		if err := g.enter(u); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
	if err := g.enter("eve"); !limited(err) {
		t.Errorf("a fifth preview at once: %v, want 429", err)
	}
	g.leave("ann")
	if err := g.enter("eve"); err != nil {
		t.Errorf("after one left: %v", err)
	}
	if g.byUser["ann"] != 0 || g.all != previewsAtOnce {
		t.Errorf("gate %+v", g.byUser)
	}
}
