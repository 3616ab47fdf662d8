package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// serverLink is what the layout lends the pages that talk to the server:
// the API client, the tab's one WebSocket, and its toasts. The layout makes
// it empty and fills it in when it mounts in the browser (before its pages
// mount); natively, and until then, its fields are nil.
type serverLink struct {
	api    *apiClient
	socket *wsClient
	// notify shows a toast that goes away by itself.
	notify func(ctx app.Context, level toastLevel, text string)
	// recheck asks the server at once whether it answers, so that the
	// connection indicator does not keep a failure a page has just seen
	// longer than it lasts.
	recheck func()
	// perms is the layout's store of what the user may do per namespace.
	perms *permissionStore
}

// toast shows a toast when the link has somewhere to show it.
func (s *serverLink) toast(ctx app.Context, level toastLevel, text string) {
	if s != nil && s.notify != nil {
		s.notify(ctx, level, text)
	}
}
