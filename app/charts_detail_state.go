package main

import (
	"github.com/kubedeck/kubedeck/shared"
)

// releaseDetailState is the release the drawer shows and where its load
// stands.
type releaseDetailState struct {
	ref    shared.ReleaseRef
	status loadStatus
	reply  shared.ReleaseDetailReply
	err    string
	seq    int
}

// open says whether the drawer shows.
func (d *releaseDetailState) open() bool { return d.ref.Name != "" }

// begin starts loading ref and returns the load's number. Another release
// starts from nothing; the same one keeps what it shows until the answer.
func (d *releaseDetailState) begin(ref shared.ReleaseRef) int {
	if ref != d.ref {
		d.reply, d.err = shared.ReleaseDetailReply{}, ""
	}
	d.ref, d.status = ref, statusLoading
	d.seq++
	return d.seq
}

// loaded takes a load's outcome, unless a newer load or a close overtook it.
func (d *releaseDetailState) loaded(seq int, reply shared.ReleaseDetailReply, err error) {
	if seq != d.seq || !d.open() {
		return
	}
	if err != nil {
		d.status, d.err = statusFailed, errorText(err)
		return
	}
	d.status, d.reply, d.err = statusLoaded, reply, ""
}

// close closes the drawer.
func (d *releaseDetailState) close() {
	d.ref, d.reply, d.err, d.status = shared.ReleaseRef{}, shared.ReleaseDetailReply{}, "", statusIdle
	d.seq++
}

// about says whether op works on the release shown.
func (d *releaseDetailState) about(op shared.Operation) bool {
	return d.open() && op.Target.Namespace == d.ref.Namespace && op.Target.Name == d.ref.Name
}

// rollbackTargets are the revisions a rollback may go to: every one but
// the release's current revision.
func rollbackTargets(det shared.ReleaseDetail) map[int]bool {
	out := map[int]bool{}
	for _, h := range det.History {
		if h.Revision != det.Release.Revision {
			out[h.Revision] = true
		}
	}
	return out
}
