package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubedeck/kubedeck/shared"
)

func TestChartsConfirm(t *testing.T) {
	var c chartsConfirm
	if c.ask(nil) || c.open() {
		t.Fatal("the dialog opened on nothing")
	}
	refs := []shared.ReleaseRef{{Namespace: "a", Name: "web"}, {Namespace: "b", Name: "db"}}
	if !c.ask(refs) || !c.open() {
		t.Fatal("the dialog did not open")
	}
	refs[0].Name = "changed" // the dialog lists what was asked, not a later change
	got, ok := c.start()
	if diff := cmp.Diff([]shared.ReleaseRef{{Namespace: "a", Name: "web"}, {Namespace: "b", Name: "db"}}, got); !ok || diff != "" {
		t.Errorf("start = %v (-want +got):\n%s", ok, diff)
	}
	if _, again := c.start(); again {
		t.Error("sent twice")
	}
	c.cancel()
	if !c.open() {
		t.Error("cancel closed the dialog while the request was on its way")
	}
	if c.ask(refs[:1]) {
		t.Error("a new question while the request was on its way")
	}
	c.finish()
	if c.open() || c.working {
		t.Error("the dialog stayed after the answer")
	}
	c.ask(refs)
	c.cancel()
	if c.open() {
		t.Error("cancel did not close")
	}
}

func uninstallOp(id, ns, name string, phase shared.OperationPhase) shared.Operation {
	return shared.Operation{ID: id, Kind: shared.OperationHelmUninstall, Phase: phase,
		Target: shared.OperationTarget{Kind: "release", Namespace: ns, Name: name}}
}

func TestChartsOps(t *testing.T) {
	var o chartsOps
	if o.follow(uninstallOp("x", "a", "done", shared.OperationSucceeded)) {
		t.Error("followed an operation already done")
	}
	if !o.follow(uninstallOp("1", "a", "web", shared.OperationRunning)) || !o.follow(uninstallOp("2", "b", "db", shared.OperationPending)) {
		t.Fatal("follow refused")
	}
	if o.follow(uninstallOp("1", "a", "web", shared.OperationRunning)) {
		t.Error("followed the same operation twice")
	}
	if !o.busy("a", "web") || o.busy("a", "db") {
		t.Error("busy is wrong")
	}
	if final, _ := o.ended(uninstallOp("1", "a", "web", shared.OperationRunning)); final {
		t.Error("a running state ended it")
	}
	if final, last := o.ended(uninstallOp("1", "a", "web", shared.OperationSucceeded)); !final || last {
		t.Errorf("first end: final %v last %v", final, last)
	}
	if final, _ := o.ended(uninstallOp("1", "a", "web", shared.OperationSucceeded)); final {
		t.Error("ended twice (socket and poll both told)")
	}
	if was, last := o.lost("2"); !was || !last {
		t.Errorf("lost: was %v last %v", was, last)
	}
	if o.busy("b", "db") {
		t.Error("a lost operation stays busy")
	}
}

func TestChartsToasts(t *testing.T) {
	failed := uninstallOp("1", "a", "web", shared.OperationFailed)
	failed.Error = &shared.Error{Message: "timed out waiting for the condition"}
	noReason := shared.Operation{Kind: shared.OperationHelmRollback, Phase: shared.OperationFailed,
		Target: shared.OperationTarget{Namespace: "a", Name: "web"}}
	tests := []struct {
		name  string
		op    shared.Operation
		level toastLevel
		text  string
	}{
		{"uninstalled", uninstallOp("1", "a", "web", shared.OperationSucceeded), toastSuccess, "Release a/web uninstalled."},
		{"uninstall failed", failed, toastError, "Release a/web was not uninstalled: timed out waiting for the condition"},
		{"rollback failed without a reason", noReason, toastError, "Release a/web was not rolled back: the server gave no reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			level, text := endedToast(tc.op)
			if level != tc.level || text != tc.text {
				t.Errorf("endedToast = %q %q, want %q %q", level, text, tc.level, tc.text)
			}
		})
	}
	if got := startedToast(uninstallOp("1", "a", "web", shared.OperationPending)); got != "Uninstalling release a/web…" {
		t.Errorf("startedToast = %q", got)
	}
	refused := shared.UninstallResult{ReleaseRef: shared.ReleaseRef{Namespace: "c", Name: "api"},
		Error: &shared.Error{Code: shared.CodeForbidden, Message: "You may not uninstall releases in namespace c."}}
	if got := refusedToast(refused); got != "Release c/api was not uninstalled: You may not uninstall releases in namespace c." {
		t.Errorf("refusedToast = %q", got)
	}
	if uninstallTitle(1) != "Uninstall 1 release?" || uninstallTitle(3) != "Uninstall 3 releases?" {
		t.Error("uninstallTitle")
	}
}

func TestChartsDetailState(t *testing.T) {
	var d releaseDetailState
	a := shared.ReleaseRef{Namespace: "a", Name: "web"}
	seq := d.begin(a)
	if !d.open() || d.status != statusLoading {
		t.Fatal("not loading")
	}
	d.loaded(seq, shared.ReleaseDetailReply{ReleaseDetail: shared.ReleaseDetail{Notes: "hi"}}, nil)
	if d.status != statusLoaded || d.reply.Notes != "hi" {
		t.Errorf("loaded: %v %q", d.status, d.reply.Notes)
	}
	old := d.begin(a)
	if d.reply.Notes != "hi" {
		t.Error("reloading the same release dropped what it shows")
	}
	d.close()
	d.loaded(old, shared.ReleaseDetailReply{}, nil)
	if d.open() || d.status != statusIdle {
		t.Error("an answer after close reopened the drawer")
	}
	if !(&releaseDetailState{ref: a}).about(uninstallOp("1", "a", "web", shared.OperationSucceeded)) {
		t.Error("about")
	}
	det := shared.ReleaseDetail{Release: shared.Release{Revision: 3},
		History: []shared.ReleaseRevision{{Revision: 1}, {Revision: 2}, {Revision: 3}}}
	if diff := cmp.Diff(map[int]bool{1: true, 2: true}, rollbackTargets(det)); diff != "" {
		t.Errorf("rollbackTargets (-want +got):\n%s", diff)
	}
}
