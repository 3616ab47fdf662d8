package main

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// browserStore is an app.BrowserStorage in memory, as localStorage keeps it.
type browserStore map[string]string

func (s browserStore) Set(k string, v any) error {
	b, err := json.Marshal(v)
	s[k] = string(b)
	return err
}

func (s browserStore) Get(k string, v any) error {
	if raw, ok := s[k]; ok {
		return json.Unmarshal([]byte(raw), v)
	}
	return nil
}

func (s browserStore) Del(k string)           { delete(s, k) }
func (s browserStore) Len() int               { return len(s) }
func (s browserStore) Clear()                 { clear(s) }
func (s browserStore) Contains(k string) bool { _, ok := s[k]; return ok }
func (s browserStore) ForEach(f func(k string)) {
	for _, k := range slices.Sorted(maps.Keys(s)) {
		f(k)
	}
}

func TestClearPersistedKeepsOnlyTheTheme(t *testing.T) {
	store := browserStore{
		themeStorageKey:     `"dark"`,
		namespaceStorageKey: `"team-a"`,
		"kubedeck/objects":  `{"kind":"pods"}`,
		"/go-app/deviceID":  `"d-1"`,
	}
	gone := clearPersisted(store)
	if diff := cmp.Diff([]string{"/go-app/deviceID", "kubedeck.namespace", "kubedeck/objects"}, gone); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(browserStore{themeStorageKey: `"dark"`}, store); diff != "" {
		t.Errorf("left (-want +got):\n%s", diff)
	}
}

func TestLogoutKeepsOnlyTheShellCache(t *testing.T) {
	for name, want := range map[string]bool{"app-v1.2.3": true, "app-": true, "kubedeck-api": false, "other": false} {
		if got := keptCache(name); got != want {
			t.Errorf("keptCache(%q) = %v, want %v", name, got, want)
		}
	}
}
