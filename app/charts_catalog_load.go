package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The catalog view of the charts page: the view in the URL, the search,
// and the install form's loading and sending.

// setView shows v: it writes it to the URL, searches the catalog when the
// search changed, opens or closes the chart's install form, and the
// release's drawer and upgrade form.
func (p *chartsPage) setView(ctx app.Context, v chartsView) {
	old := p.view
	p.view = v
	if v.Catalog && (p.catalog.status == statusIdle || v.Query != p.catalog.query || !old.Catalog && p.catalog.status == statusFailed) {
		p.loadCatalog()
	}
	p.syncInstall()
	p.syncDrawer(ctx)
	p.writeURL(ctx)
}

// writeURL puts the view in the address bar without navigating.
func (p *chartsPage) writeURL(ctx app.Context) { replaceQuery(ctx, p.view.encode()) }

// syncInstall opens the install form of the chart the view names once the
// catalog lists it, and closes a form the view no longer names (unless
// its operation runs).
func (p *chartsPage) syncInstall() {
	ref := p.view.Chart
	switch {
	case ref == "" && p.install.isOpen() && !p.install.busy() && !p.install.following():
		p.install.close()
	case ref != "" && ref != p.install.req.Chart && !p.install.busy():
		if ch, ok := p.catalog.find(ref); ok {
			p.install.open(ch, p.rememberedNamespace())
			p.install.restoreDraft(p.drafts)
			p.loadInstallNamespaces()
			p.loadDefaults(p.installForm)
		}
	}
}

// rememberedNamespace is the namespace the user last chose here or on the
// deploy page.
func (p *chartsPage) rememberedNamespace() string {
	var ns string
	if p.prefs == nil || p.prefs.Get(namespaceStorageKey, &ns) != nil {
		return ""
	}
	return ns
}

func (p *chartsPage) chooseTab(catalog bool) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		v := p.view
		v.Catalog = catalog
		if !catalog {
			v = v.releasesOnly()
		}
		p.setView(ctx, v)
	}
}

// showReleases goes to the releases after an install.
func (p *chartsPage) showReleases(ctx app.Context) {
	p.install.close()
	p.setView(ctx, p.view.releasesOnly())
	p.load(true)
}

// typeCatalogSearch follows the catalog's search box: the catalog is
// searched once typing pauses.
func (p *chartsPage) typeCatalogSearch(ctx app.Context, text string) {
	seq := p.search.typed(text)
	ctx.After(searchPause, func(ctx app.Context) {
		if !p.running || !p.search.settled(seq, p.view.Query) {
			return
		}
		v := p.view
		v.Query = searchText(p.search.text)
		p.setView(ctx, v)
	})
}

// loadCatalog searches the catalog for the view's search.
func (p *chartsPage) loadCatalog() {
	if !p.running {
		return
	}
	q := p.view.Query
	seq := p.catalog.begin(q)
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		cat, err := apiGet[shared.Catalog](stop, api, catalogPath(q))
		ui.Dispatch(func(ctx app.Context) {
			if !p.running || errors.Is(err, context.Canceled) {
				return
			}
			if p.catalog.loaded(seq, cat, err) {
				p.syncInstall()
			}
		})
	})
}

func (p *chartsPage) retryCatalog(ctx app.Context) { p.loadCatalog() }

// chooseChart opens the install form of ch.
func (p *chartsPage) chooseChart(ctx app.Context, ch shared.CatalogChart) {
	if p.install.busy() {
		return
	}
	p.install.close()
	v := p.view
	v.Chart = chartRef(ch)
	p.setView(ctx, v)
	focusLater(ctx, "kd-install-title")
}

// closeInstall closes the install form.
func (p *chartsPage) closeInstall(ctx app.Context) {
	if p.install.busy() {
		return
	}
	forgetDraft(p.drafts)
	ref := p.view.Chart
	p.install.close()
	v := p.view
	v.Chart = ""
	p.setView(ctx, v)
	focusLater(ctx, "kd-choose-"+ref)
}

func (p *chartsPage) changeInstall(ctx app.Context, field, value string) {
	p.install.set(field, value)
	p.install.saveDraft(p.drafts)
	p.loadDefaults(p.installForm)
}

func (p *chartsPage) editInstall(ctx app.Context) {
	p.install.edit()
	focusLater(ctx, "kd-install-title")
}

// loadInstallNamespaces asks for the namespaces the user may create
// objects in, once.
func (p *chartsPage) loadInstallNamespaces() {
	if !p.running || p.install.nsStatus == statusLoaded || p.install.nsStatus == statusLoading {
		return
	}
	p.install.nsStatus = statusLoading
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		opts, err := apiGet[shared.DeploymentOptions](stop, api, "/deployments/config", quiet())
		ui.Dispatch(func(ctx app.Context) {
			if p.running && !errors.Is(err, context.Canceled) {
				p.install.offered(opts.Namespaces, err, p.rememberedNamespace())
			}
		})
	})
}

// submitInstall sends the install and follows its operation; a 400 puts
// the server's error beside its field rather than in a toast.
func (p *chartsPage) submitInstall(ctx app.Context) {
	if !p.running {
		return
	}
	req, ok := p.install.start()
	if !ok {
		focusLater(ctx, "kd-install-title")
		return
	}
	if p.prefs != nil {
		_ = p.prefs.Set(namespaceStorageKey, req.Namespace)
	}
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		var rep shared.OperationReply
		err := api.post(stop, "/charts", req, &rep, quietOn(http.StatusBadRequest))
		ui.Dispatch(func(ctx app.Context) {
			if !p.running {
				return
			}
			if err != nil {
				p.install.refused(err)
				return
			}
			p.install.accepted(rep.Operation)
			forgetDraft(p.drafts)
			p.followOperation(ctx, rep.Operation)
		})
	})
}
