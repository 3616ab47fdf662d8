package main

import (
	"slices"

	"github.com/kubedeck/kubedeck/shared"
)

// chartDraftStorageKey is where the install form keeps what the user typed
// (sessionStorage), so a reload or a crash loses nothing: the form of the
// same chart opens with it again. Logout clears it; an install started,
// or Cancel, forgets it.
const chartDraftStorageKey = "kubedeck.charts.install"

// chartDraft is the install form's kept request.
type chartDraft struct {
	Req shared.ChartInstall `json:"req"`
}

// saveDraft keeps the open install form's request in store.
func (f *chartInstall) saveDraft(store draftStore) {
	if store == nil || !f.isOpen() || f.upgrade {
		return
	}
	_ = store.Set(chartDraftStorageKey, chartDraft{Req: f.req})
}

// restoreDraft gives the just-opened install form what store kept for its
// chart: the name, its namespace if it is still offered, a version and
// the values. Nothing is marked touched, so no
// error shows before the user acts.
func (f *chartInstall) restoreDraft(store draftStore) {
	var d chartDraft
	if store == nil || !f.isOpen() || f.upgrade || store.Get(chartDraftStorageKey, &d) != nil || d.Req.Chart != f.req.Chart {
		return
	}
	f.req.Name, f.req.Values = d.Req.Name, d.Req.Values
	if len(f.req.Values) > maxValuesBytes {
		f.req.Values = ""
	}
	switch {
	case f.nsStatus != statusLoaded:
		f.draftNamespace = d.Req.Namespace // chosen once offered (offered)
	case slices.Contains(f.namespaces, d.Req.Namespace):
		f.req.Namespace = d.Req.Namespace
	}
	if d.Req.Version != "" && len(d.Req.Version) <= 128 {
		f.req.Version = d.Req.Version
	}
}

// forgetDraft removes the kept request.
func forgetDraft(store draftStore) {
	if store != nil {
		store.Del(chartDraftStorageKey)
	}
}
