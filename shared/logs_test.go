package shared

import (
	"net/url"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLogQueryOf(t *testing.T) {
	tests := []struct {
		name      string
		kind      string
		values    string
		want      LogQuery
		wantWrong []string
	}{
		{name: "defaults", kind: "pods", want: LogQuery{Kind: "pods", Namespace: "team-a", Name: "web-0"}},
		{name: "every option", kind: "deployments", values: "container=main&tailLines=20&sinceSeconds=60&previous=true",
			want: LogQuery{Kind: "deployments", Namespace: "team-a", Name: "web-0", Container: "main", TailLines: 20, SinceSeconds: 60, Previous: true}},
		{name: "unknown kind", kind: "secrets", wantWrong: []string{"kind"}},
		{name: "negative tail", kind: "pods", values: "tailLines=-1", wantWrong: []string{"tailLines"}},
		{name: "huge tail", kind: "pods", values: "tailLines=99999999999999999999", wantWrong: []string{"tailLines"}},
		{name: "tail past the bound", kind: "pods", values: "tailLines=10001", wantWrong: []string{"tailLines"}},
		{name: "since too far", kind: "pods", values: "sinceSeconds=2592001", wantWrong: []string{"sinceSeconds"}},
		{name: "previous not a bool", kind: "pods", values: "previous=yes", wantWrong: []string{"previous"}},
		{name: "container with a slash", kind: "pods", values: "container=../x", wantWrong: []string{"container"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := url.ParseQuery(tt.values)
			if err != nil {
				t.Fatal(err)
			}
			got, errs := LogQueryOf(tt.kind, "team-a", "web-0", v)
			var wrong []string
			for k := range errs {
				wrong = append(wrong, k)
			}
			sort.Strings(wrong)
			if diff := cmp.Diff(tt.wantWrong, wrong); diff != "" {
				t.Fatalf("wrong fields (-want +got):\n%s (%v)", diff, errs)
			}
			if errs == nil {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("query (-want +got):\n%s", diff)
				}
				back, errs := LogQueryOf(got.Kind, got.Namespace, got.Name, got.Values())
				if errs != nil || back != got {
					t.Errorf("Values does not round-trip: %+v, %v", back, errs)
				}
			}
		})
	}
}

func FuzzLogQueryOf(f *testing.F) {
	f.Add("pods", "ns", "name", "container=a&tailLines=5&previous=true")
	f.Add("jobs", "..", "%2e%2e", "tailLines=-9223372036854775808")
	f.Fuzz(func(t *testing.T, kind, ns, name, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, errs := LogQueryOf(kind, ns, name, v)
		if errs != nil {
			return
		}
		if q.Check() != nil || q.Tail() < 1 || q.Tail() > MaxLogTailLines {
			t.Fatalf("accepted a query out of bounds: %+v", q)
		}
	})
}
