package main

import (
	"context"
	"errors"
	"time"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What the charts page loads and starts on the server. Each request runs
// in a goroutine and hands its outcome to the UI goroutine.

// The page's timers.
const (
	// chartsPollEvery is how often the list is read again while the page
	// shows and the socket does not bring every change (see charts_live.go).
	chartsPollEvery = 15 * time.Second
	// chartsOpPollEvery is how often a followed operation is asked about
	// while the socket does not bring its states.
	chartsOpPollEvery = 1500 * time.Millisecond
)

// load lists the releases. A background load is quiet: when it fails the
// releases stay, with a note.
func (p *chartsPage) load(background bool) {
	if !p.running {
		return
	}
	seq := p.list.begin()
	var opts []callOption
	if background {
		opts = append(opts, quiet())
	}
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		list, err := apiGet[shared.ReleaseList](stop, api, "/charts", opts...)
		ui.Dispatch(func(ctx app.Context) {
			if !p.running || errors.Is(err, context.Canceled) {
				return
			}
			if p.list.loaded(seq, list, err) && err == nil {
				p.sel.prune(p.list.releases)
			}
			p.liveLoaded()
		})
	})
}

func (p *chartsPage) retryList(ctx app.Context, e app.Event) { p.load(false) }

// poll reads the list again now and then.
func (p *chartsPage) poll(stop context.Context, ui app.Context) {
	every(stop, ui, chartsPollEvery, func(app.Context) {
		if p.running && p.list.status != statusLoading && !p.live.covered() {
			p.load(true)
		}
	})
}

// askUninstall opens the confirmation on the releases selected among
// those shown.
func (p *chartsPage) askUninstall(ctx app.Context) {
	if p.confirm.ask(p.sel.picked(p.shown())) {
		focusLater(ctx, "kd-confirm-cancel")
	}
}

// askUninstallShown opens the confirmation on the drawer's release.
func (p *chartsPage) askUninstallShown(ctx app.Context) {
	if p.detail.open() && p.confirm.ask([]shared.ReleaseRef{p.detail.ref}) {
		focusLater(ctx, "kd-confirm-cancel")
	}
}

func (p *chartsPage) cancelUninstall(ctx app.Context) {
	p.confirm.cancel()
	if p.detail.open() {
		focusLater(ctx, "kd-drawer-uninstall")
		return
	}
	focusLater(ctx, "kd-uninstall-selected")
}

// confirmUninstall sends the bulk uninstall of the releases the dialog
// lists, then toasts per release: refused, or started and followed.
func (p *chartsPage) confirmUninstall(ctx app.Context) {
	if !p.running {
		return
	}
	refs, ok := p.confirm.start()
	if !ok {
		return
	}
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		var res shared.BulkUninstallResult
		err := api.post(stop, "/charts/uninstall", shared.BulkUninstall{Releases: refs}, &res)
		ui.Dispatch(func(ctx app.Context) {
			if !p.running {
				return
			}
			p.confirm.finish()
			focusLater(p.ui, "kd-search")
			if err != nil {
				return // the API client toasted it
			}
			for _, r := range res.Results {
				switch {
				case r.Operation != nil:
					p.sel.toggleOff(releaseKey(r.Namespace, r.Name))
					if p.detail.ref == r.ReleaseRef {
						p.setView(ctx, p.view.withRelease(shared.ReleaseRef{}, ""))
					}
					p.followOperation(ctx, *r.Operation)
				default:
					p.Link.toast(ctx, toastError, refusedToast(r))
				}
			}
			p.load(true)
		})
	})
}

// followOperation toasts that op started and follows it to its end (see
// followOp).
func (p *chartsPage) followOperation(ctx app.Context, op shared.Operation) {
	if !p.ops.follow(op) {
		if op.Done() {
			p.operationState(ctx, op)
		}
		return
	}
	p.Link.toast(ctx, toastInfo, startedToast(op))
	if p.follows == nil {
		p.follows = map[string]*opFollower{}
	}
	p.follows[op.ID] = followOp(p.Link, p.ui, p.stopCtx, op.ID, chartsOpPollEvery, opHandlers{
		state: p.operationState,
		lost:  func(ctx app.Context) { p.operationLost(ctx, op.ID) },
	})
}

// operationState takes a state of an operation the page follows; the
// final one gets its toast, and the last to end lists the releases again.
func (p *chartsPage) operationState(ctx app.Context, op shared.Operation) {
	if !p.running {
		return
	}
	p.install.progress(op)
	p.upgrade.form.progress(op)
	final, last := p.ops.ended(op)
	if !final {
		return
	}
	if f := p.follows[op.ID]; f != nil {
		f.stop()
		delete(p.follows, op.ID)
	}
	level, text := endedToast(op)
	p.Link.toast(ctx, level, text)
	if last {
		p.load(true)
	}
	p.refreshDetail(op)
}

// operationLost stops following an operation the server no longer knows
// (it expired, or the server restarted).
func (p *chartsPage) operationLost(ctx app.Context, id string) {
	p.install.lost(id)
	p.upgrade.form.lost(id)
	was, last := p.ops.lost(id)
	if !was {
		return
	}
	if f := p.follows[id]; f != nil {
		f.stop()
		delete(p.follows, id)
	}
	p.Link.toast(ctx, toastError, "Kubedeck's server no longer knows how an operation on a release went; the list shows where the releases stand.")
	if last {
		p.load(true)
	}
}
