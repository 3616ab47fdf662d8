package main

import (
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// releaseIcon is a release's icon: the chart's own, when the server has
// one (r.IconPath, which the page resolved against the API's root; see
// withIconURLs), else the chart's initial on its colour. It is decoration;
// the chart's name is written beside it.
func releaseIcon(r shared.Release) app.UI { return newChartIcon().Of(r.Chart, r.IconPath) }

// chartIcon shows a chart's icon from Kubedeck's server, and the letter
// icon instead when there is none or the image fails to load. A failed
// address is remembered, by the icon and in the app's state, so that
// neither a re-render nor another icon of the same chart tries it again.
type chartIcon struct {
	app.Compo

	Chart string
	Src   string // the icon's URL, "" for none

	failed string // the Src that failed to load
}

func newChartIcon() *chartIcon { return &chartIcon{} }

// Of sets the chart and its icon's URL ("" for none).
func (c *chartIcon) Of(chart, src string) *chartIcon {
	c.Chart, c.Src = chart, src
	return c
}

// OnMount and OnUpdate take what the app knows of failed icons.
func (c *chartIcon) OnMount(ctx app.Context) { c.recall(ctx) }

func (c *chartIcon) OnUpdate(ctx app.Context) { c.recall(ctx) }

func (c *chartIcon) recall(ctx app.Context) {
	if c.Src == "" || c.failed == c.Src {
		return
	}
	var failed bool
	ctx.GetState(iconFailedState(c.Src), &failed)
	if failed {
		c.failed = c.Src
	}
}

// Render shows the image or the letter.
func (c *chartIcon) Render() app.UI {
	if showsImage(c.Src, c.failed) {
		// Decorative: go-app drops an empty alt, so it is hidden instead.
		return app.Img().Class("kd-release-icon kd-release-icon-img").Src(c.Src).Role("presentation").
			Aria("hidden", "true").Attr("referrerpolicy", "no-referrer").
			OnError(c.fail, app.EventScope(c.Src))
	}
	ic := iconFor(c.Chart)
	return app.Span().Class("kd-release-icon kd-icon-c"+strconv.Itoa(ic.Colour)).
		Aria("hidden", "true").Text(ic.Letter)
}

// fail falls back to the letter for good.
func (c *chartIcon) fail(ctx app.Context, e app.Event) {
	c.failed = c.Src
	ctx.SetState(iconFailedState(c.Src), true)
}

// showsImage says whether an icon at src shows as an image: there is one,
// and it is not the one that failed.
func showsImage(src, failed string) bool { return src != "" && src != failed }

// iconFailedState names the app state that says the icon at src failed.
func iconFailedState(src string) string { return "kd-icon-failed:" + src }

// iconURL is the URL of an icon at path (relative to the API's root, as
// the server gives it: "catalog/icon?chart=web&repo=test"), "" for none.
// Only the icon route is taken: any other path gets no image.
func iconURL(root, path string) string {
	path = strings.TrimPrefix(path, "/")
	if root == "" || !strings.HasPrefix(path, "catalog/icon?") {
		return ""
	}
	return strings.TrimSuffix(root, "/") + "/" + path
}

// withIconURLs resolves the icon paths of rs (a slice of the caller's)
// against the API's root.
func withIconURLs(rs []shared.Release, root string) []shared.Release {
	for i := range rs {
		rs[i].IconPath = iconURL(root, rs[i].IconPath)
	}
	return rs
}

// releaseStatus is a release's status badge, in colour and in words.
func releaseStatus(r shared.Release) app.UI {
	b := badgeOf(r)
	s := app.Span().Class("kd-badge kd-badge-"+string(b.Level)).DataSet("level", string(b.Level)).Text(b.Text)
	if b.Hint != "" {
		s = s.Title(b.Hint)
	}
	if r.Stuck {
		s = s.Class("kd-release-stuck")
	}
	return s
}

// chartText is a release's chart and version: "web 1.2.0".
func chartText(r shared.Release) string {
	if r.ChartVersion == "" {
		return r.Chart
	}
	return r.Chart + " " + r.ChartVersion
}
