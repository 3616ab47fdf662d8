package main

import "github.com/kubedeck/kubedeck/shared"

// What the object viewer's toolbar offers and follows: the kinds it can
// show, and the search box, which the view follows once typing pauses.

// objectsKinds are the kinds of objects the server can list, and where
// their load stands.
type objectsKinds struct {
	status loadStatus
	err    string // why the load failed, while status is statusFailed
	list   []shared.KindInfo
}

// begin starts a load of the kinds.
func (k *objectsKinds) begin() { k.status = statusLoading }

// loaded takes the load's answer and says whether it brought kinds; a
// failure keeps the kinds known before.
func (k *objectsKinds) loaded(kinds []shared.KindInfo, err error) bool {
	if err != nil {
		k.status, k.err = statusFailed, err.Error()
		return false
	}
	k.list, k.status = kinds, statusLoaded
	return true
}

// find is the kind named name (the zero KindInfo when there is none).
func (k *objectsKinds) find(name string) shared.KindInfo {
	info, _ := findKind(k.list, name)
	return info
}

// objectsSearch is the search box's text, which the view follows after a
// pause in typing.
type objectsSearch struct {
	text string
	seq  int // one per change typed; only the last one's pause counts
}

// set shows text in the box without waiting (the view changed).
func (s *objectsSearch) set(text string) { s.text = text }

// typed takes what the box holds after a key and returns the number that
// its pause brings back.
func (s *objectsSearch) typed(text string) int {
	s.text = text
	s.seq++
	return s.seq
}

// settled says whether the pause after change seq should search: no key
// came since, and the text differs from query, the view's search.
func (s *objectsSearch) settled(seq int, query string) bool {
	return seq == s.seq && s.text != query
}
