package main

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// guardedButton is the one way pages render a button for an action the
// user may be refused (create a deployment, delete an object): when the
// user may not, the button is disabled, its title is the reason (the
// tooltip), and the reason is also text on the page that the button names
// with aria-describedby, so screen readers and touch screens get it too.
//
//	ok, why := perms.can(shared.ActionCreateDeployments)
//	newGuardedButton("deploy", "Deploy a container").Allowed(ok, why).OnClick(p.deploy).UI()
type guardedButton struct {
	id, label, class string
	allowed          bool
	reason           string
	reasonHidden     bool
	onClick          app.EventHandler
}

// newGuardedButton returns a button with the element id (unique in the
// page; the reason's id is derived from it) showing label.
func newGuardedButton(id, label string) guardedButton {
	return guardedButton{id: id, label: label, class: "kd-button"}
}

// Class replaces the button's classes ("kd-button" by default).
func (b guardedButton) Class(c string) guardedButton { b.class = c; return b }

// Allowed says whether the user may press the button and, when not, why.
func (b guardedButton) Allowed(ok bool, reason string) guardedButton {
	b.allowed, b.reason = ok, reason
	return b
}

// ReasonHidden keeps the reason out of sight (for a button in a table row):
// it stays the tooltip and what screen readers read.
func (b guardedButton) ReasonHidden() guardedButton { b.reasonHidden = true; return b }

// OnClick sets what pressing the button does; it runs only when allowed.
func (b guardedButton) OnClick(h app.EventHandler) guardedButton { b.onClick = h; return b }

// reasonID is the id of the element holding the reason.
func (b guardedButton) reasonID() string { return b.id + "-reason" }

// UI renders the button and, when it is disabled, its reason.
func (b guardedButton) UI() app.UI {
	button := app.Button().Type("button").ID(b.id).Class(b.class).Text(b.label)
	if b.allowed {
		if b.onClick != nil {
			button = button.OnClick(b.onClick)
		}
		return app.Span().Class("kd-guarded").Body(button)
	}
	reasonClass := "kd-guard-reason"
	if b.reasonHidden {
		reasonClass = "kd-sr-only"
	}
	return app.Span().Class("kd-guarded").Body(
		button.Disabled(true).Title(b.reason).Aria("describedby", b.reasonID()),
		app.Span().ID(b.reasonID()).Class(reasonClass).Text(b.reason),
	)
}
