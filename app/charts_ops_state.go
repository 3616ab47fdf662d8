package main

import (
	"github.com/kubedeck/kubedeck/shared"
)

// What the charts page knows of the Helm operations it started: the bulk
// uninstall the dialog asks about, and the operations it follows to their
// end.

// chartsConfirm is the bulk uninstall dialog: exactly the releases it
// names, and whether the request is on its way.
type chartsConfirm struct {
	refs    []shared.ReleaseRef
	working bool
}

// ask opens the dialog on refs; nothing opens for none.
func (c *chartsConfirm) ask(refs []shared.ReleaseRef) bool {
	if len(refs) == 0 || c.working {
		return false
	}
	c.refs = append([]shared.ReleaseRef(nil), refs...)
	return true
}

// open says whether the dialog shows.
func (c *chartsConfirm) open() bool { return len(c.refs) > 0 }

// cancel closes the dialog, unless the request is on its way.
func (c *chartsConfirm) cancel() {
	if !c.working {
		c.refs = nil
	}
}

// start marks the request sent and returns what it removes; false when
// the dialog is closed or already sent.
func (c *chartsConfirm) start() ([]shared.ReleaseRef, bool) {
	if len(c.refs) == 0 || c.working {
		return nil, false
	}
	c.working = true
	return c.refs, true
}

// finish closes the dialog once the server answered.
func (c *chartsConfirm) finish() { c.refs, c.working = nil, false }

// chartsOps counts the operations the page follows, so it lists again once
// the last has ended (each also ends with its own toast).
type chartsOps struct {
	running map[string]shared.Operation
}

// follow adds op; false when it is followed already or done.
func (o *chartsOps) follow(op shared.Operation) bool {
	if op.Done() {
		return false
	}
	if o.running == nil {
		o.running = map[string]shared.Operation{}
	}
	if _, ok := o.running[op.ID]; ok {
		return false
	}
	o.running[op.ID] = op
	return true
}

// ended takes a state of a followed operation: when it is final it stops
// following it and says so (the caller toasts), and says whether it was
// the last one running.
func (o *chartsOps) ended(op shared.Operation) (final, last bool) {
	if _, ok := o.running[op.ID]; !ok || !op.Done() {
		return false, false
	}
	delete(o.running, op.ID)
	return true, len(o.running) == 0
}

// lost stops following an operation the server no longer knows; it says
// whether it was the last one running.
func (o *chartsOps) lost(id string) (was, last bool) {
	if _, ok := o.running[id]; !ok {
		return false, false
	}
	delete(o.running, id)
	return true, len(o.running) == 0
}

// busy says whether an operation on the release is being followed.
func (o *chartsOps) busy(namespace, name string) bool {
	for _, op := range o.running {
		if op.Target.Namespace == namespace && op.Target.Name == name {
			return true
		}
	}
	return false
}

// verbs says how an operation of each kind is told, while running and
// once done.
var verbs = map[shared.OperationKind][2]string{
	shared.OperationHelmUninstall: {"Uninstalling", "uninstalled"},
	shared.OperationHelmRollback:  {"Rolling back", "rolled back"},
	shared.OperationHelmInstall:   {"Installing", "installed"},
	shared.OperationHelmUpgrade:   {"Upgrading", "upgraded"},
}

// releaseName names an operation's release: "namespace/name".
func releaseName(op shared.Operation) string {
	return op.Target.Namespace + "/" + op.Target.Name
}

// startedToast is the toast of an operation just started.
func startedToast(op shared.Operation) string {
	v, ok := verbs[op.Kind]
	if !ok {
		return "Working on release " + releaseName(op) + "…"
	}
	return v[0] + " release " + releaseName(op) + "…"
}

// endedToast is the toast of an operation that ended.
func endedToast(op shared.Operation) (toastLevel, string) {
	v, ok := verbs[op.Kind]
	done := v[1]
	if !ok {
		done = "changed"
	}
	if op.Phase == shared.OperationSucceeded {
		return toastSuccess, "Release " + releaseName(op) + " " + done + "."
	}
	why := op.Message
	if op.Error != nil && op.Error.Message != "" {
		why = op.Error.Message
	}
	if why == "" {
		why = "the server gave no reason"
	}
	return toastError, "Release " + releaseName(op) + " was not " + done + ": " + why
}

// refusedToast is the toast of a release a bulk uninstall refused.
func refusedToast(r shared.UninstallResult) string {
	msg := "the server gave no reason"
	if r.Error != nil && r.Error.Message != "" {
		msg = r.Error.Message
	}
	return "Release " + r.Namespace + "/" + r.Name + " was not uninstalled: " + msg
}

// uninstallTitle is the dialog's title for n releases.
func uninstallTitle(n int) string { return "Uninstall " + plural(n, "release", "releases") + "?" }
