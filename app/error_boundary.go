package main

import (
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"

	"github.com/kubedeck/kubedeck/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// errorBoundary keeps one broken component from taking the page down.
//
// go-app v10 recovers nothing: a panic in a Render, a lifecycle hook or an
// event handler unwinds into the engine's loop, and RunWhenOnBrowser only
// shows it on the loading screen before the program dies. So the boundary
// puts the recover on the stack itself: it calls its child's Render (and
// forwards go-app's lifecycle hooks to it) inside a recover, and wraps the
// child's event handlers (see guarded). The child is never mounted as a
// component of its own; its rendered tree is the boundary's, so an event in
// it updates the boundary, which renders the child again.
//
// On a panic the child is replaced by an error card with a Retry button, the
// rest of the page goes on, and the panic is reported. Components inside the
// child's tree are mounted by go-app and need a boundary of their own.
type errorBoundary struct {
	app.Compo

	// ID says what the child is (e.g. "page:overview"). It is also the
	// component's identity: a boundary with another ID is mounted afresh.
	ID string
	// Content carries the child's props. When the parent renders a child
	// whose exported fields differ, OnUpdate copies them onto the instance
	// the boundary renders, as go-app does for the components it mounts;
	// the instance keeps its own state.
	Content app.Composer

	child       app.Composer
	initialized bool
	failure     *caughtPanic
	onPanic     func(shared.ClientError)
}

// caughtPanic is a panic the boundary recovered.
type caughtPanic struct {
	where   string // "render", "event handler", "OnNav", …
	message string
	stack   string
}

// newErrorBoundary returns a boundary with no child yet.
func newErrorBoundary() *errorBoundary { return &errorBoundary{} }

// Named sets what the child is called in the card and in reports.
func (b *errorBoundary) Named(id string) *errorBoundary {
	b.ID = id
	return b
}

// Child sets the component the boundary protects.
func (b *errorBoundary) Child(c app.Composer) *errorBoundary {
	b.Content = c
	b.adopt(c)
	return b
}

// OnPanic sets what receives a report of each panic caught.
func (b *errorBoundary) OnPanic(f func(shared.ClientError)) *errorBoundary {
	b.onPanic = f
	return b
}

// CompoID makes go-app mount a new boundary when the ID changes.
func (b *errorBoundary) CompoID() string { return b.ID }

// failed reports whether the boundary shows its error card.
func (b *errorBoundary) failed() bool { return b.failure != nil }

func (b *errorBoundary) adopt(c app.Composer) {
	b.child, b.initialized, b.failure = c, false, nil
	if g, ok := c.(guardable); ok {
		g.setGuard(b.guard)
	}
}

// Render renders the child, or the error card when it panicked.
func (b *errorBoundary) Render() app.UI {
	if b.child != nil && !b.initialized {
		b.initialized = true
		if i, ok := b.child.(app.Initializer); ok {
			b.hook("OnInit", i.OnInit)
		}
	}
	if b.failure == nil && b.child != nil {
		if ui := b.renderChild(); b.failure == nil {
			if len(app.FilterUIElems(ui)) > 0 {
				return ui
			}
			b.fail("render", "the component rendered nothing", nil)
		}
	}
	if b.failure == nil {
		return app.Div().Class("kd-boundary-empty")
	}
	return newErrorCard().
		Title(fmt.Sprintf("This part of the page (%s) failed", b.ID)).
		Detail(fmt.Sprintf("A panic in its %s: %s", b.failure.where, b.failure.message)).
		OnRetry(b.retry)
}

// renderChild calls the child's Render, returning nil when it panicked.
func (b *errorBoundary) renderChild() app.UI {
	defer b.recoverAs("render")
	return b.child.Render()
}

// retry clears the failure, so the next render tries the child again.
func (b *errorBoundary) retry(ctx app.Context) { b.failure = nil }

// guard wraps an event handler of the child in the boundary's recover.
func (b *errorBoundary) guard(h app.EventHandler) app.EventHandler {
	if h == nil {
		return nil
	}
	return func(ctx app.Context, e app.Event) {
		defer b.recoverAs("event handler")
		h(ctx, e)
	}
}

// hook runs one of the child's lifecycle hooks inside the recover.
func (b *errorBoundary) hook(name string, f func()) {
	defer b.recoverAs(name)
	f()
}

// recoverAs must be deferred: it turns a panic into the boundary's failure.
func (b *errorBoundary) recoverAs(where string) {
	if r := recover(); r != nil {
		b.fail(where, fmt.Sprint(r), debug.Stack())
	}
}

func (b *errorBoundary) fail(where, message string, stack []byte) {
	b.failure = &caughtPanic{where: where, message: message, stack: string(stack)}
	slog.Error("component panicked", "component", b.ID, "where", where, "panic", message)
	if b.onPanic != nil {
		b.onPanic(shared.ClientError{Component: b.ID, Message: where + ": " + message, Stack: string(stack)})
	}
}

// OnUpdate brings the props the parent set onto the child instance.
func (b *errorBoundary) OnUpdate(ctx app.Context) {
	switch {
	case b.Content == nil || b.Content == b.child:
	case b.child == nil || reflect.TypeOf(b.child) != reflect.TypeOf(b.Content):
		b.adopt(b.Content)
	default:
		copyProps(b.child, b.Content)
		if u, ok := b.child.(app.Updater); ok && b.failure == nil {
			b.hook("OnUpdate", func() { u.OnUpdate(ctx) })
		}
	}
}

// copyProps sets dst's exported fields (its props) to src's, leaving the
// embedded app.Compo and unexported state alone.
func copyProps(dst, src app.Composer) {
	d, s := reflect.Indirect(reflect.ValueOf(dst)), reflect.Indirect(reflect.ValueOf(src))
	if d.Kind() != reflect.Struct || d.Type() != s.Type() {
		return
	}
	for i := range d.NumField() {
		if f := d.Field(i); f.CanSet() && !d.Type().Field(i).Anonymous {
			f.Set(s.Field(i))
		}
	}
}

// The lifecycle hooks go-app calls on the boundary, passed on to the child.

// OnPreRender forwards server-side prerendering.
func (b *errorBoundary) OnPreRender(ctx app.Context) {
	if c, ok := b.child.(app.PreRenderer); ok && b.failure == nil {
		b.hook("OnPreRender", func() { c.OnPreRender(ctx) })
	}
}

// OnMount forwards the mount (in the browser).
func (b *errorBoundary) OnMount(ctx app.Context) {
	if c, ok := b.child.(app.Mounter); ok && b.failure == nil {
		b.hook("OnMount", func() { c.OnMount(ctx) })
	}
}

// OnNav forwards navigation.
func (b *errorBoundary) OnNav(ctx app.Context) {
	if c, ok := b.child.(app.Navigator); ok && b.failure == nil {
		b.hook("OnNav", func() { c.OnNav(ctx) })
	}
}

// OnDismount forwards the dismount, so the child can stop what it started.
func (b *errorBoundary) OnDismount() {
	if c, ok := b.child.(app.Dismounter); ok {
		b.hook("OnDismount", c.OnDismount)
	}
}

// OnAppUpdate forwards the news of a new version.
func (b *errorBoundary) OnAppUpdate(ctx app.Context) {
	if c, ok := b.child.(app.AppUpdater); ok && b.failure == nil {
		b.hook("OnAppUpdate", func() { c.OnAppUpdate(ctx) })
	}
}

// OnAppInstallChange forwards changes of installability.
func (b *errorBoundary) OnAppInstallChange(ctx app.Context) {
	if c, ok := b.child.(app.AppInstaller); ok && b.failure == nil {
		b.hook("OnAppInstallChange", func() { c.OnAppInstallChange(ctx) })
	}
}

// OnResize forwards resizes.
func (b *errorBoundary) OnResize(ctx app.Context) {
	if c, ok := b.child.(app.Resizer); ok && b.failure == nil {
		b.hook("OnResize", func() { c.OnResize(ctx) })
	}
}

// guardable is a child that takes the boundary's handler wrapper.
type guardable interface {
	setGuard(wrap func(app.EventHandler) app.EventHandler)
}

// guarded is embedded by components an error boundary wraps, so a panic in
// their event handlers is caught too: write OnClick(c.guard(c.onClick)).
// Outside a boundary, guard leaves the handler as it is. go-app tells
// handlers apart by their code, and every guarded handler shares the
// wrapper's: an element that switches between two handlers for one event
// needs app.EventScope to say which one it has.
type guarded struct {
	wrap func(app.EventHandler) app.EventHandler
}

func (g *guarded) setGuard(wrap func(app.EventHandler) app.EventHandler) { g.wrap = wrap }

func (g *guarded) guard(h app.EventHandler) app.EventHandler {
	if g.wrap == nil {
		return h
	}
	return g.wrap(h)
}
