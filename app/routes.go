package main

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// pageID names a page of the shell.
type pageID string

// The pages of the shell, and the hidden page only tests reach.
const (
	pageOverview  pageID = "overview"
	pageDeploy    pageID = "deploy"
	pageObjects   pageID = "objects"
	pageCharts    pageID = "charts"
	pageLogs      pageID = "logs" // not in the navigation: reached from an object
	pageShell     pageID = "shell"
	pageTestPanic pageID = "test-panic"
)

// testPanicPath is the hidden route of the error-boundary demo, registered
// only when the handler sets testRoutesEnv (tests do; production never).
const (
	testPanicPath = "/__test/panic"
	testRoutesEnv = "KUBEDECK_TEST_ROUTES"
)

// shellPage is one entry of the navigation.
type shellPage struct {
	id    pageID
	path  string
	title string
}

// shellPages lists the pages of the navigation, in its order.
func shellPages() []shellPage {
	return []shellPage{
		{pageOverview, "/", "Overview"},
		{pageDeploy, "/apps/deploy", "Deploy"},
		{pageObjects, "/apps/objects", "Objects"},
		{pageCharts, "/apps/charts", "Charts"},
	}
}

// registerRoutes maps every path of the UI to the layout showing its page.
// Every route builds the same root component, so navigating between them
// updates the page in place and the layout keeps its state.
func registerRoutes() {
	for _, p := range shellPages() {
		app.Route(p.path, func() app.Composer {
			return newLayout().BasePath(basePathFromEnv()).Page(p.id)
		})
	}
	app.RouteWithRegexp("^"+logsPagePath, func() app.Composer {
		return newLayout().BasePath(basePathFromEnv()).Page(pageLogs)
	})
	app.RouteWithRegexp("^"+shellPathPrefix, func() app.Composer {
		return newLayout().BasePath(basePathFromEnv()).Page(pageShell)
	})
	if app.IsClient && app.Getenv(testRoutesEnv) == "1" {
		registerTestRoutes()
	}
}

// registerTestRoutes adds the hidden error-boundary demo page.
func registerTestRoutes() {
	app.Route(testPanicPath, func() app.Composer {
		return newLayout().BasePath(basePathFromEnv()).Page(pageTestPanic)
	})
}

// basePathFromEnv is the prefix the app is served under ("" or "/v2"). go-app
// publishes its root (base + "/") to the page as GOAPP_ROOT_PREFIX, in the
// browser and during prerendering alike.
func basePathFromEnv() string {
	return strings.TrimSuffix(app.Getenv("GOAPP_ROOT_PREFIX"), "/")
}
