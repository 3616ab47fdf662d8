package main

import (
	"context"
	"errors"
	"net/url"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// The charts page's loads for the values of the install and upgrade
// forms: the chart's defaults, and the dry run.

// installForm and upgradeForm are the page's two forms, for the loads
// that outlive a render.
func (p *chartsPage) installForm() *chartInstall { return &p.install }
func (p *chartsPage) upgradeForm() *chartInstall { return &p.upgrade.form }

// loadDefaults loads the defaults of the chart version form names, unless
// it shows them already.
func (p *chartsPage) loadDefaults(form func() *chartInstall) {
	f := form()
	key, want := f.wantDefaults()
	if !p.running || !want {
		return
	}
	f.loadingDefaults(key)
	path := "/catalog/values?" + url.Values{"chart": {f.req.Chart}, "version": {f.req.Version}}.Encode()
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		d, err := apiGet[shared.ChartDefaults](stop, api, path, quiet())
		ui.Dispatch(func(ctx app.Context) {
			if p.running && !errors.Is(err, context.Canceled) {
				form().loadedDefaults(key, d, err)
			}
		})
	})
}

// previewForm asks for the dry run of what form holds; prefix starts the
// form's ids. The outcome shows below the form, a refusal beside its
// field.
func (p *chartsPage) previewForm(ctx app.Context, form func() *chartInstall, prefix string) {
	if !p.running {
		return
	}
	req, seq, ok := form().startPreview()
	if !ok {
		focusLater(ctx, prefix+"-title")
		return
	}
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		var d shared.ReleaseDetail
		// Its failures show in the preview; a refusal beside its field.
		err := api.post(stop, "/charts/preview", req, &d, quiet())
		ui.Dispatch(func(ctx app.Context) {
			f := form()
			if !p.running || f.req.Name != req.Name || f.req.Namespace != req.Namespace {
				return
			}
			f.previewed(seq, d, err)
			if f.previewShown() && f.preview.status == statusLoaded {
				focusLater(ctx, prefix+"-preview-title")
			}
		})
	})
}

func (p *chartsPage) previewInstall(ctx app.Context) { p.previewForm(ctx, p.installForm, "kd-install") }
func (p *chartsPage) previewUpgrade(ctx app.Context) { p.previewForm(ctx, p.upgradeForm, "kd-upgrade") }

func (p *chartsPage) useInstallDefaults(ctx app.Context) {
	p.install.useDefaults()
	p.install.saveDraft(p.drafts)
	focusLater(ctx, "kd-install-values")
}

func (p *chartsPage) useUpgradeDefaults(ctx app.Context) {
	p.upgrade.form.useDefaults()
	p.upgrade.saveDraft(p.drafts)
	focusLater(ctx, "kd-upgrade-values")
}
