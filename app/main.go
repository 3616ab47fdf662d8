// Command kubedeck is the Kubernetes dashboard: built for GOOS=js GOARCH=wasm
// it is the UI that runs in the browser; built natively it is the server,
// which also prerenders and serves that UI.
package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// version is the build's version, set with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	registerRoutes()
	app.RunWhenOnBrowser() // in the browser this never returns
	serve()
}
