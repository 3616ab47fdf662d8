package shared

import "encoding/json"

// OperationUpdate and OperationRollback are the operations that change an
// app the wizard made: a new spec, or back to the previous revision.
const (
	OperationUpdate   OperationKind = "update"
	OperationRollback OperationKind = "rollback"
)

// StepRollback is the step of a rollback that puts the previous revision's
// pod template back.
const StepRollback = "rollback"

// SpecChange is one field of an app's spec that an update changes: the
// field as the spec's JSON names it ("image", "env") and its value before
// and after, as text ("" for none).
type SpecChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// specFieldOrder is the spec's fields as its JSON names them, in the
// order the wizard asks for them.
var specFieldOrder = []string{"name", "namespace", "image", "pullSecret", "port", "replicas", "exposure",
	"cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit", "gpu", "command", "args", "env", "volumes"}

// SpecChanges lists what differs from old to new, field by field, in the
// order of the spec's fields. The same code runs in the browser (the
// wizard's diff) and on the server (the update check's).
func SpecChanges(old, new DeploymentSpec) []SpecChange {
	before, after := specFields(old), specFields(new)
	out := []SpecChange{}
	for _, f := range specFieldOrder {
		if before[f] != after[f] {
			out = append(out, SpecChange{Field: f, Old: before[f], New: after[f]})
		}
	}
	return out
}

// specFields is each field of s as text: strings as they are, the rest
// as compact JSON; a field left out or empty is "".
func specFields(s DeploymentSpec) map[string]string {
	raw, _ := json.Marshal(s) // a spec always encodes
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw, &fields)
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		var text string
		if json.Unmarshal(v, &text) != nil {
			text = string(v)
		}
		if text == "null" || text == "[]" {
			text = ""
		}
		out[k] = text
	}
	return out
}

// DeploymentUpdateCheck is the data of
// POST /api/v1/deployments/{name}/validate: the check of a new spec for an
// app (as for a create, with the dry run of the update itself), the spec
// in force and what the new one changes.
type DeploymentUpdateCheck struct {
	DeploymentValidation
	Current DeploymentSpec `json:"current"`
	Changes []SpecChange   `json:"changes"`
}
