package main

import (
	"strconv"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// releaseIcon is a release's icon: the chart's initial on its colour. It
// is decoration; the chart's name is written beside it.
func releaseIcon(r shared.Release) app.UI {
	ic := iconFor(r.Chart)
	return app.Span().Class("kd-release-icon kd-icon-c"+strconv.Itoa(ic.Colour)).
		Aria("hidden", "true").Text(ic.Letter)
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
