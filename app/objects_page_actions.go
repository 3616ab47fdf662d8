package main

import (
	"net/http"
	"net/url"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// What the user does on the object viewer. Every change of the view goes
// through setView, which writes it to the URL and loads what it needs.

// setView shows v: it checks it against the kinds, writes it to the URL,
// lists again when the list it shows changed, and opens or closes the
// drawer.
func (p *objectsPage) setView(ctx app.Context, v objectsView) {
	v = v.fit(p.kinds.list)
	old := p.view
	p.view = v
	p.writeURL(ctx)
	if v.Kind != old.Kind {
		p.list.clear()
	}
	if v.listKey() != old.listKey() {
		p.reload(false)
	}
	p.loadDrawer()
}

// writeURL puts the view in the address bar without navigating.
func (p *objectsPage) writeURL(ctx app.Context) { replaceQuery(ctx, p.view.encode()) }

// replaceQuery puts query in the address bar, in place of the current one,
// without navigating (in the browser only; the server's prerender has no
// address bar).
func replaceQuery(ctx app.Context, query string) {
	if !app.IsClient {
		return
	}
	u := *ctx.Page().URL()
	u.RawQuery = query
	if u.String() != ctx.Page().URL().String() {
		ctx.Page().ReplaceURL(&u)
	}
}

func (p *objectsPage) chooseKind(ctx app.Context, kind string) {
	v := p.view
	v.Kind, v.Sort, v.Desc, v.Page, v.Name, v.ObjectNS = kind, "", false, 1, "", ""
	p.setView(ctx, v)
}

func (p *objectsPage) chooseNamespace(ctx app.Context, namespace string) {
	v := p.view
	v.Namespace, v.Page = namespace, 1
	p.setView(ctx, v.withDrawer(v.drawerNamespace(), v.Name))
}

// typeSearch follows the search box: the list follows once typing pauses.
func (p *objectsPage) typeSearch(ctx app.Context, text string) {
	seq := p.search.typed(text)
	ctx.After(searchPause, func(ctx app.Context) {
		if !p.search.settled(seq, p.view.Query) {
			return
		}
		v := p.view
		v.Query, v.Page = p.search.text, 1
		p.setView(ctx, v)
	})
}

// sortBy sorts by key, ascending first, then the other way.
func (p *objectsPage) sortBy(ctx app.Context, key string) {
	v := p.view
	if v.Sort == key {
		v.Desc = !v.Desc
	} else {
		v.Sort, v.Desc = key, false
	}
	v.Page = 1
	p.setView(ctx, v)
}

func (p *objectsPage) goToPage(ctx app.Context, page int) {
	v := p.view
	v.Page = page
	p.setView(ctx, v)
}

// openDetails opens the drawer on a row; focus moves into it.
func (p *objectsPage) openDetails(ctx app.Context, r shared.Row) {
	p.focus.set("kd-details-" + r.UID)
	p.setView(ctx, p.view.withDrawer(r.Namespace, r.Name))
	focusLater(p.later(ctx), "kd-drawer-close")
}

// closeDrawer closes the drawer; focus goes back where it came from.
func (p *objectsPage) closeDrawer(ctx app.Context) {
	v := p.view
	v.Name, v.ObjectNS = "", ""
	p.setView(ctx, v)
	p.focusBack(ctx)
}

// askDelete opens the confirmation for deleting a row's object.
func (p *objectsPage) askDelete(ctx app.Context, r shared.Row) {
	p.confirm.ask(r)
	p.focus.set("kd-delete-" + r.UID)
	focusLater(p.later(ctx), "kd-confirm-cancel")
}

func (p *objectsPage) cancelDelete(ctx app.Context) {
	p.confirm.cancel()
	p.focusBack(ctx)
}

// confirmDelete deletes the object the dialog names, as the user, and
// says how it went (a failure's toast comes from the API client).
func (p *objectsPage) confirmDelete(ctx app.Context) {
	if !p.running {
		return
	}
	r, ok := p.confirm.start()
	if !ok {
		return
	}
	k := p.kind()
	path := objectPath(k.Name, r.Namespace, r.Name) + "?uid=" + url.QueryEscape(r.UID)
	api, stop, ui := p.Link.api, p.stopCtx, p.ui
	ui.Async(func() {
		err := api.do(stop, http.MethodDelete, path, nil, nil)
		ui.Dispatch(func(ctx app.Context) {
			if said := p.confirm.finish(k.Kind, err); said != "" {
				p.Link.toast(ctx, toastSuccess, said)
				if !p.subs.live() { // else the socket tells
					p.requestReload()
				}
			}
			p.focusBack(ctx)
		})
	})
}

// focusBack moves focus to the control that opened the dialog or drawer,
// or to the search box when that control is gone.
func (p *objectsPage) focusBack(ctx app.Context) {
	id := p.focus.take()
	p.later(ctx).Defer(func(ctx app.Context) {
		if !focusByID(id) {
			focusByID("kd-search")
		}
	})
}

// later is the context to defer work on: the page's own while it runs,
// since the element an event came from may be gone after the update (a
// closed drawer's button), and go-app drops what such a context defers.
func (p *objectsPage) later(ctx app.Context) app.Context {
	if p.running {
		return p.ui
	}
	return ctx
}

// focusLater focuses an element once the current update is rendered.
func focusLater(ctx app.Context, id string) {
	ctx.Defer(func(ctx app.Context) { focusByID(id) })
}

// focusByID focuses the element with this id; false when there is none
// (or the button is disabled).
func focusByID(id string) bool {
	if !app.IsClient || id == "" {
		return false
	}
	el := app.Window().GetElementByID(id)
	if !el.Truthy() || el.Get("disabled").Truthy() {
		return false
	}
	el.Call("focus")
	return true
}

// copyYAML puts the YAML on the clipboard and says whether it worked.
func (p *objectsPage) copyYAML(ctx app.Context, yaml string) {
	if !app.IsClient || !p.running {
		return
	}
	clip := app.Window().Get("navigator").Get("clipboard")
	if !clip.Truthy() {
		p.Link.toast(ctx, toastError, "The clipboard cannot be reached from this page (browsers allow it only on https or localhost).")
		return
	}
	ui := p.ui
	var done, failed app.Func
	release := func() {
		ui.Defer(func(app.Context) {
			done.Release()
			failed.Release()
		})
	}
	done = app.FuncOf(func(this app.Value, args []app.Value) any {
		ui.Dispatch(func(ctx app.Context) { p.Link.toast(ctx, toastSuccess, "YAML copied to the clipboard.") })
		release()
		return nil
	})
	failed = app.FuncOf(func(this app.Value, args []app.Value) any {
		why := "the browser refused"
		if len(args) > 0 && args[0].Truthy() {
			why = args[0].Get("message").String()
		}
		ui.Dispatch(func(ctx app.Context) { p.Link.toast(ctx, toastError, "The YAML could not be copied: "+why+".") })
		release()
		return nil
	})
	clip.Call("writeText", yaml).Call("then", done, failed)
}
