package kube

import (
	"testing"

	"github.com/kubedeck/kubedeck/shared"
)

func TestSelfKeyIgnoresGroupOrder(t *testing.T) {
	a := selfKey(User{Name: "alice", Groups: []string{"b", "a"}}, "ns")
	tests := []struct {
		name string
		u    User
		ns   string
		same bool
	}{
		{"groups reordered", User{Name: "alice", Groups: []string{"a", "b"}}, "ns", true},
		{"another namespace", User{Name: "alice", Groups: []string{"a", "b"}}, "ns2", false},
		{"another group", User{Name: "alice", Groups: []string{"a"}}, "ns", false},
		{"another user", User{Name: "bob", Groups: []string{"a", "b"}}, "ns", false},
		{"name spilling into groups", User{Name: "alice\x00b", Groups: []string{"a"}}, "ns", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := selfKey(tt.u, tt.ns) == a; got != tt.same {
				t.Errorf("same key = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestSelfActionReasons(t *testing.T) {
	byKey := map[string]selfAction{}
	for _, a := range selfActions() {
		byKey[a.key] = a
	}
	tests := []struct {
		key, ns, want string
	}{
		{shared.ActionCreateDeployments, "team-a", `You may not create deployments in namespace "team-a".`},
		{"list persistentvolumes", "team-a", `You may not list persistentvolumes across the cluster.`},
		{"get pods", "", `You may not get pods in every namespace.`},
		{shared.ActionUninstallCharts, "team-a", `You may not delete secrets in namespace "team-a"; Helm stores each release as a Secret in its namespace, so uninstalling a chart needs the right to delete Secrets there.`},
		{shared.ActionScaleDeployments, "team-a", `You may not patch deployments/scale in namespace "team-a"; scaling a Deployment needs it.`},
		{shared.ActionRestartStatefulSets, "team-a", `You may not patch statefulsets in namespace "team-a"; a restart patches the StatefulSet's pod template.`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			a, ok := byKey[tt.key]
			if !ok {
				t.Fatalf("no action %q", tt.key)
			}
			if got := a.reason(tt.ns); got != tt.want {
				t.Errorf("reason = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSelfActionsCoverDeleteOfEveryKind: the object viewer's Delete button
// asks "delete <kind>" for every kind; each action is reviewed once.
func TestSelfActionsCoverDeleteOfEveryKind(t *testing.T) {
	count := map[string]int{}
	for _, a := range selfActions() {
		count[a.key]++
	}
	for _, k := range newRegistry().kinds {
		for _, verb := range []string{"list", "get", "delete"} {
			if key := verb + " " + k.Name(); count[key] != 1 {
				t.Errorf("%q is reviewed %d times, want once", key, count[key])
			}
		}
	}
}
