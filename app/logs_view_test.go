package main

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kubedeck/kubedeck/shared"
)

func TestLogsViewURLRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		view logsView
		url  string
	}{
		{"defaults", logsView{Query: shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web-1"}},
			"/apps/logs/pods/demo/web-1"},
		{"every option", logsView{
			Query:  shared.LogQuery{Kind: "deployments", Namespace: "team-a", Name: "api", Container: "sidecar", TailLines: 1000, SinceSeconds: 3600, Previous: true},
			Follow: true, Timestamps: true, NoWrap: true, Search: `err "quoted" & <b>`},
			"/apps/logs/deployments/team-a/api?container=sidecar&follow=true&previous=true&search=err+%22quoted%22+%26+%3Cb%3E&sinceSeconds=3600&tailLines=1000&timestamps=true&wrap=false"},
		{"dotted pod name", logsView{Query: shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web.v2-1"}},
			"/apps/logs/pods/demo/web.v2-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			href := tc.view.href("")
			if diff := cmp.Diff(tc.url, href); diff != "" {
				t.Errorf("href (-want +got):\n%s", diff)
			}
			u, err := url.Parse(href)
			if err != nil {
				t.Fatal(err)
			}
			got, errs := parseLogsView(u.Path, u.Query())
			if errs != nil {
				t.Fatalf("errors reading %s: %v", href, errs)
			}
			if diff := cmp.Diff(tc.view, got); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLogsViewErrors(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		query    string
		wantErrs []string
		want     shared.LogQuery
	}{
		{"not a logs path", "/apps/logs/pods/demo", "", []string{"path"}, shared.LogQuery{}},
		{"bad kind", "/apps/logs/secrets/demo/x", "", []string{"kind"}, shared.LogQuery{Kind: "secrets", Namespace: "demo", Name: "x"}},
		{"bad options left at defaults", "/apps/logs/pods/demo/web", "tailLines=99999&sinceSeconds=abc&previous=maybe&container=Bad_Name",
			[]string{"container", "previous", "sinceSeconds", "tailLines"}, shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			v, errs := parseLogsView(tc.path, q)
			var keys []string
			for k := range errs {
				keys = append(keys, k)
			}
			if diff := cmp.Diff(tc.wantErrs, keys, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, v.Query); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckTail(t *testing.T) {
	q := shared.LogQuery{Kind: "pods", Namespace: "demo", Name: "web"}
	tests := []struct {
		typed   string
		want    int
		wantErr bool
	}{
		{"250", 250, false}, {"", 500, false}, {"0", 0, true}, {"-3", 0, true}, {"10001", 0, true}, {"1e3", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.typed, func(t *testing.T) {
			n, msg := checkTail(q, tc.typed)
			if n != tc.want || (msg != "") != tc.wantErr {
				t.Errorf("checkTail(%q) = %d, %q; want %d, error %v", tc.typed, n, msg, tc.want, tc.wantErr)
			}
		})
	}
}
