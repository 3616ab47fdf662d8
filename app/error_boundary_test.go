package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// twoBoundaries is a page with a component that may panic and its sibling,
// each in its own boundary.
type twoBoundaries struct {
	app.Compo
	first, second *errorBoundary
}

func (p *twoBoundaries) Render() app.UI { return app.Div().Body(p.first, p.second) }

// brokenRender panics in Render.
type brokenRender struct{ app.Compo }

func (b *brokenRender) Render() app.UI { panic("boom in render") }

// reports records what boundaries report.
type reports []shared.ClientError

func (r *reports) add(ce shared.ClientError) { *r = append(*r, ce) }

func TestErrorBoundaryShowsACardAndTheSiblingStillRenders(t *testing.T) {
	var got reports
	page := &twoBoundaries{
		first:  newErrorBoundary().Named("broken").Child(&brokenRender{}).OnPanic(got.add),
		second: newErrorBoundary().Named("counter").Child(newClickCounter()).OnPanic(got.add),
	}
	load(t, page)

	card := newErrorCard().Title("This part of the page (broken) failed").Detail("A panic in its render: boom in render")
	if err := app.Match(card, page, 0, 0, 0); err != nil {
		t.Errorf("error card in place of the broken child: %v", err)
	}
	if err := app.Match(app.Section().Class("kd-card kd-error-card").Aria("live", "assertive"), page, 0, 0, 0, 0); err != nil {
		t.Errorf("card markup: %v", err)
	}
	if err := app.Match(app.Div().ID("click-counter").Class("kd-card"), page, 0, 1, 0); err != nil {
		t.Errorf("sibling: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("%d reports, want 1", len(got))
	}
	if diff := cmp.Diff(shared.ClientError{Component: "broken", Message: "render: boom in render"}, got[0],
		cmpIgnoreStack); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if !strings.Contains(got[0].Stack, "brokenRender") {
		t.Errorf("stack does not name the component:\n%s", got[0].Stack)
	}
	if err := got[0].Validate(); err != nil {
		t.Errorf("report the server would refuse: %v", err)
	}
}

var cmpIgnoreStack = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Stack" }, cmp.Ignore())

func TestErrorBoundaryCatchesHandlerPanicsAndRetries(t *testing.T) {
	tests := []struct {
		name  string
		click func(d *panicDemo, b *errorBoundary)
		where string
	}{
		{"panic in a click handler", func(d *panicDemo, b *errorBoundary) {
			d.guard(d.panicInHandler)(app.Context{}, app.Event{})
		}, "A panic in its event handler: demo panic in a click handler"},
		{"panic in the next render", func(d *panicDemo, b *errorBoundary) {
			d.guard(d.panicInRender)(app.Context{}, app.Event{})
			b.Render()
		}, "A panic in its render: demo panic while rendering"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got reports
			demo := newPanicDemo()
			b := newErrorBoundary().Named("panic-demo").Child(demo).OnPanic(got.add)
			if err := app.Match(app.Div().ID("panic-demo").Class("kd-card"), b.Render()); err != nil {
				t.Fatalf("before the panic: %v", err)
			}
			tc.click(demo, b)
			if !b.failed() || len(got) != 1 {
				t.Fatalf("failed=%v after the panic with %d reports, want true and 1", b.failed(), len(got))
			}
			card := newErrorCard().Title("This part of the page (panic-demo) failed").Detail(tc.where)
			if err := app.Match(card, b.Render()); err != nil {
				t.Errorf("after the panic: %v", err)
			}
			b.retry(app.Context{})
			if err := app.Match(app.Div().ID("panic-demo").Class("kd-card"), b.Render()); err != nil {
				t.Errorf("after Retry: %v", err)
			}
		})
	}
}

func TestErrorBoundaryPassesPropsAndKeepsState(t *testing.T) {
	b := newErrorBoundary().Named("page:overview").Child(newOverviewPage().Version("v1"))
	child := b.child.(*overviewPage)
	// The parent renders again with other props: go-app sets Content and
	// calls OnUpdate.
	b.Content = newOverviewPage().Version("v2").Connection(connOffline)
	b.OnUpdate(app.Context{})
	if b.child != child {
		t.Fatal("the child instance was replaced")
	}
	if child.UI != "v2" || child.Conn != connOffline {
		t.Errorf("props not passed: UI=%q Conn=%q", child.UI, child.Conn)
	}

	counter := newClickCounter()
	cb := newErrorBoundary().Named("counter").Child(counter)
	counter.clicks = 3
	cb.Content = newClickCounter()
	cb.OnUpdate(app.Context{})
	if cb.child != counter || counter.clicks != 3 {
		t.Errorf("state lost: child replaced=%v clicks=%d", cb.child != counter, counter.clicks)
	}
}
