package main

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kubedeck/kubedeck/shared"
)

func TestParseShellURL(t *testing.T) {
	tests := []struct {
		name, path, query string
		want              shellTarget
		ok                bool
	}{
		{"pod", "/apps/shell/team-a/web-1", "", shellTarget{Namespace: "team-a", Pod: "web-1"}, true},
		{"container", "/apps/shell/team-a/web-1", "container=side", shellTarget{"team-a", "web-1", "side"}, true},
		{"no pod", "/apps/shell/team-a", "", shellTarget{}, false},
		{"too deep", "/apps/shell/a/b/c", "", shellTarget{}, false},
		{"other page", "/apps/objects", "", shellTarget{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			got, ok := parseShellURL(tc.path, q)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	if got := shellURL("/v2", "ns", "p", "c 1"); got != "/v2/apps/shell/ns/p?container=c+1" {
		t.Errorf("shellURL = %q", got)
	}
}

func TestTermStateLabels(t *testing.T) {
	three := 3
	open := termState{Status: termOpen, Container: "main"}
	tests := []struct {
		name string
		s    termState
		want string
		re   bool
	}{
		{"open", open, "Connected to main", false},
		{"exited", open.ended(shared.ExecEvent{Reason: shared.ExecEndExited, ExitCode: &three}), "Exited with code 3", true},
		{"idle", open.ended(shared.ExecEvent{Reason: shared.ExecEndIdle}), "Ended: idle too long", true},
		{"revoked", open.ended(shared.ExecEvent{Reason: shared.ExecEndRevoked}), "Ended: permission revoked", true},
		{"shutdown", open.ended(shared.ExecEvent{Reason: shared.ExecEndShutdown}), "Ended: server shutting down", true},
		{"broken", open.broken(errors.New("EOF")), "Disconnected", true},
		{"broken after the end keeps the end", open.ended(shared.ExecEvent{Reason: shared.ExecEndIdle}).broken(nil), "Ended: idle too long", true},
		{"refused", termState{Status: termRefused}, "Not allowed", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.label(); got != tc.want {
				t.Errorf("label = %q, want %q", got, tc.want)
			}
			if got := tc.s.canReconnect(); got != tc.re {
				t.Errorf("canReconnect = %v, want %v", got, tc.re)
			}
		})
	}
}
