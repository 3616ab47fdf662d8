package shared

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSpecChanges(t *testing.T) {
	base := DeploymentSpec{Name: "web", Namespace: "team-a", Image: "nginx:1.27", Port: 8080, Replicas: 2, Exposure: ExposeInternal}
	tests := []struct {
		name   string
		change func(*DeploymentSpec)
		want   []SpecChange
	}{
		{"nothing", func(*DeploymentSpec) {}, []SpecChange{}},
		{"image and replicas", func(s *DeploymentSpec) { s.Image, s.Replicas = "nginx:1.28", 0 },
			[]SpecChange{{Field: "image", Old: "nginx:1.27", New: "nginx:1.28"}, {Field: "replicas", Old: "2", New: "0"}}},
		{"a limit set", func(s *DeploymentSpec) { s.MemoryLimit = "256Mi" },
			[]SpecChange{{Field: "memoryLimit", Old: "", New: "256Mi"}}},
		{"env added", func(s *DeploymentSpec) { s.Env = []EnvVar{{Name: "MODE", Value: "prod"}} },
			[]SpecChange{{Field: "env", Old: "", New: `[{"name":"MODE","value":"prod"}]`}}},
		{"exposure", func(s *DeploymentSpec) { s.Exposure = ExposePublic },
			[]SpecChange{{Field: "exposure", Old: "internal", New: "public"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := base
			tt.change(&next)
			if diff := cmp.Diff(tt.want, SpecChanges(base, next)); diff != "" {
				t.Errorf("SpecChanges (-want +got):\n%s", diff)
			}
		})
	}
}

// Every field of the spec is compared: a field added to the spec and not
// to the order would never show in a diff.
func TestSpecFieldOrderCoversTheSpec(t *testing.T) {
	typ := reflect.TypeFor[DeploymentSpec]()
	var fields []string
	for i := range typ.NumField() {
		fields = append(fields, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
	}
	if diff := cmp.Diff(fields, specFieldOrder); diff != "" {
		t.Errorf("the spec's fields (-spec +compared):\n%s", diff)
	}
}
