package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// registerRoutes maps every path of the UI to its page.
func registerRoutes() {
	app.Route("/", func() app.Composer { return &app.Compo{} })
}
