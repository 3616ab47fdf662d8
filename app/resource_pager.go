package main

import (
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// resourcePager shows where the page stands in the list ("51–100 of 160")
// with Previous and Next buttons.
type resourcePager struct {
	app.Compo
	guarded

	Range string
	Page  int
	Pages int

	onPage func(ctx app.Context, page int)
}

func newResourcePager() *resourcePager { return &resourcePager{} }

// At sets the range shown and the page out of how many.
func (p *resourcePager) At(rangeText string, page, pages int) *resourcePager {
	p.Range, p.Page, p.Pages = rangeText, page, pages
	return p
}

// OnPage sets what the buttons do with the page they go to.
func (p *resourcePager) OnPage(f func(app.Context, int)) *resourcePager { p.onPage = f; return p }

// Guard sets the error boundary's wrapper for the pager's handlers.
func (p *resourcePager) Guard(wrap func(app.EventHandler) app.EventHandler) *resourcePager {
	p.setGuard(wrap)
	return p
}

// Render shows the range and the buttons.
func (p *resourcePager) Render() app.UI {
	return app.Nav().Class("kd-pager").Aria("label", "Pages").Body(
		disabledIf(app.Button().Type("button").Class("kd-button kd-prev"), p.Page <= 1).
			OnClick(p.guard(p.to(p.Page-1)), app.EventScope("prev-"+strconv.Itoa(p.Page))).Text("‹ Previous"),
		app.Span().Class("kd-range").Aria("live", "polite").Text(p.Range),
		app.Span().Class("kd-muted kd-page-of").Text("page "+strconv.Itoa(p.Page)+" of "+strconv.Itoa(max(p.Pages, 1))),
		disabledIf(app.Button().Type("button").Class("kd-button kd-next"), p.Page >= p.Pages).
			OnClick(p.guard(p.to(p.Page+1)), app.EventScope("next-"+strconv.Itoa(p.Page))).Text("Next ›"),
	)
}

func (p *resourcePager) to(page int) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		if p.onPage != nil && page >= 1 {
			p.onPage(ctx, page)
		}
	}
}
