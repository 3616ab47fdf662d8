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

// openDetail opens the drawer on r (the URL names it) and loads its
// detail, and what the user may do in its namespace (which its buttons
// follow).
func (p *chartsPage) openDetail(ctx app.Context, r shared.Release) {
	if p.detail.ref == refOf(r) {
		p.loadDetail(refOf(r))
	}
	p.setView(ctx, p.view.withRelease(refOf(r), ""))
	focusLater(ctx, "kd-drawer-close")
}

// syncDrawer opens the drawer of the release the view names (from a
// click, a reload or a shared link), or closes it, and opens or closes
// its upgrade form as the view says. An upgrade whose operation runs
// stays open, and the view keeps naming it.
func (p *chartsPage) syncDrawer(ctx app.Context) {
	ref := p.view.Release
	if p.upgrade.isOpen() && (ref != p.upgrade.ref || !p.view.Upgrade) && !p.upgrade.close() {
		p.view = p.view.withRelease(p.upgrade.ref, p.view.Tab)
		p.view.Upgrade = true
		return
	}
	switch {
	case ref.Name == "" && p.detail.open():
		p.detail.close()
	case ref.Name != "" && ref != p.detail.ref:
		p.loadDetail(ref)
		if p.Link != nil && p.Link.perms != nil {
			p.Link.perms.ensure(ctx, ref.Namespace)
		}
	}
	p.upgradeIfAsked(ctx)
}

// upgradeIfAsked opens the upgrade form the view asks for, once the
// drawer's release is loaded.
func (p *chartsPage) upgradeIfAsked(ctx app.Context) {
	if p.view.Upgrade && p.view.Release == p.detail.ref && !p.upgrade.isOpen() && p.detail.status == statusLoaded {
		p.beginUpgrade(ctx)
	}
}

// loadDetail loads the detail of ref into the drawer; the upgrade form
// opens once it came when the view asks for it.
func (p *chartsPage) loadDetail(ref shared.ReleaseRef) {
	if !p.running {
		return
	}
	seq := p.detail.begin(ref)
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		rep, err := apiGet[shared.ReleaseDetailReply](stop, api, releasePath(ref))
		ui.Dispatch(func(ctx app.Context) {
			p.detail.loaded(seq, rep, err)
			if p.running {
				p.upgradeIfAsked(ctx)
			}
		})
	})
}

func (p *chartsPage) retryDetail(ctx app.Context) { p.loadDetail(p.detail.ref) }

// closeDetail closes the drawer; focus goes back to the release's button.
func (p *chartsPage) closeDetail(ctx app.Context) {
	key := releaseKey(p.detail.ref.Namespace, p.detail.ref.Name)
	p.setView(ctx, p.view.withRelease(shared.ReleaseRef{}, ""))
	focusLater(p.ui, "kd-open-"+key)
}

// showReleaseTab shows a tab of the drawer, and names it in the URL.
func (p *chartsPage) showReleaseTab(ctx app.Context, t releaseTab) {
	p.setView(ctx, p.view.withRelease(p.detail.ref, t))
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
