package main

import (
	"net/url"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What the release drawer loads and starts.

// releasePath is the API path of a release.
func releasePath(ref shared.ReleaseRef) string {
	return "/charts/" + url.PathEscape(ref.Name) + "?namespace=" + url.QueryEscape(ref.Namespace)
}

// openDetail opens the drawer on r and loads its detail, and what the
// user may do in its namespace (which its buttons follow).
func (p *chartsPage) openDetail(ctx app.Context, r shared.Release) {
	p.loadDetail(refOf(r))
	if p.Link != nil && p.Link.perms != nil {
		p.Link.perms.ensure(ctx, r.Namespace)
	}
	focusLater(ctx, "kd-drawer-close")
}

// loadDetail loads the detail of ref into the drawer.
func (p *chartsPage) loadDetail(ref shared.ReleaseRef) {
	if !p.running {
		return
	}
	seq := p.detail.begin(ref)
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		rep, err := apiGet[shared.ReleaseDetailReply](stop, api, releasePath(ref))
		ui.Dispatch(func(ctx app.Context) { p.detail.loaded(seq, rep, err) })
	})
}

func (p *chartsPage) retryDetail(ctx app.Context) { p.loadDetail(p.detail.ref) }

// closeDetail closes the drawer; focus goes back to the release's button.
func (p *chartsPage) closeDetail(ctx app.Context) {
	key := releaseKey(p.detail.ref.Namespace, p.detail.ref.Name)
	p.detail.close()
	focusLater(p.ui, "kd-open-"+key)
}

// refreshDetail loads the drawer's release again after an operation on it
// ended.
func (p *chartsPage) refreshDetail(op shared.Operation) {
	if p.detail.about(op) {
		p.loadDetail(p.detail.ref)
	}
}

// rollback rolls the drawer's release back to revision, as an operation
// the page follows.
func (p *chartsPage) rollback(ctx app.Context, revision int) {
	ref := p.detail.ref
	if !p.running || ref.Name == "" || p.ops.busy(ref.Namespace, ref.Name) {
		return
	}
	path := "/charts/" + url.PathEscape(ref.Name) + "/rollback?namespace=" + url.QueryEscape(ref.Namespace)
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		var rep shared.OperationReply
		err := api.post(stop, path, shared.ChartRollback{Revision: revision}, &rep)
		ui.Dispatch(func(ctx app.Context) {
			if !p.running || err != nil {
				return // the API client toasted the failure
			}
			p.followOperation(ctx, rep.Operation)
		})
	})
}
