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

// upgradeDraftStorageKey is where the upgrade form keeps what the user
// typed (sessionStorage), for the release it upgrades: a reload reopens
// the upgrade (the URL says so) with the version and values chosen.
const upgradeDraftStorageKey = "kubedeck.charts.upgrade"

// upgradeDraft is the upgrade form's kept request and its release.
type upgradeDraft struct {
	Release shared.ReleaseRef   `json:"release"`
	Req     shared.ChartInstall `json:"req"`
}

// saveDraft keeps the open upgrade form's request in store.
func (u *releaseUpgrade) saveDraft(store draftStore) {
	if store == nil || !u.form.isOpen() || u.form.busy() || u.form.following() {
		return
	}
	_ = store.Set(upgradeDraftStorageKey, upgradeDraft{Release: u.ref, Req: u.form.req})
}

// restoreDraft gives the just-opened upgrade form what store kept for the
// same release and chart: the version, when the form offers it, and the
// values.
func (u *releaseUpgrade) restoreDraft(store draftStore) {
	var d upgradeDraft
	if store == nil || !u.form.isOpen() || store.Get(upgradeDraftStorageKey, &d) != nil ||
		d.Release != u.ref || d.Req.Chart != u.form.req.Chart {
		return
	}
	if len(d.Req.Values) <= maxValuesBytes {
		u.form.req.Values = d.Req.Values
	}
	if slices.Contains(u.form.versions(), d.Req.Version) {
		u.form.req.Version = d.Req.Version
	}
}

// forgetUpgradeDraft removes the upgrade form's kept request.
func forgetUpgradeDraft(store draftStore) {
	if store != nil {
		store.Del(upgradeDraftStorageKey)
	}
}
