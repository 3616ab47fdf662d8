package main

import (
	"net/url"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The one-click rollback of one of the user's apps: a confirmation, then
// the operation, shown and followed as a deploy's is.

// askRollback opens the confirmation for rolling an app back.
func (p *deployPage) askRollback(ctx app.Context, a shared.DeployedApp) {
	p.undo = &a
	p.focus(ctx, "kd-confirm-cancel")
}

func (p *deployPage) cancelRollback(ctx app.Context) {
	p.undo = nil
	p.focus(ctx, "deploy-apps-title")
}

// confirmRollback rolls the app the dialog names back as the user and
// follows the operation; a refusal (no previous revision, another owner,
// busy) is toasted by the API client with the server's message.
func (p *deployPage) confirmRollback(ctx app.Context) {
	if p.undo == nil || p.undoing || !p.running {
		return
	}
	a := *p.undo
	p.undoing = true
	path := "/deployments/" + url.PathEscape(a.Name) + "/rollback?namespace=" + url.QueryEscape(a.Namespace)
	api, stop, ui := p.client(), p.stopCtx, p.ui
	ui.Async(func() {
		var rep shared.OperationReply
		err := api.post(stop, path, nil, &rep)
		ui.Dispatch(func(ctx app.Context) {
			p.undoing, p.undo = false, nil
			if err != nil {
				p.focus(ctx, "deploy-apps-title")
				return
			}
			p.followOperation(rep.Operation)
			p.focus(ctx, "deploy-progress-title")
		})
	})
}
