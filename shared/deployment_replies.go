package shared

import "encoding/json"

// DeploymentValidation is the data of POST /api/v1/deployments/validate:
// whether the spec is valid (Errors keyed by field when not, as
// DeploymentSpec.ValidateFor gives them), its warnings, and for a valid
// spec the YAML of every object that would be created (the wizard's
// preview shows exactly this) and the API server's verdict on each, from a
// dry run as the user. Nothing is persisted.
type DeploymentValidation struct {
	Valid    bool              `json:"valid"`
	Errors   json.RawMessage   `json:"errors,omitempty"`
	Warnings map[string]string `json:"warnings,omitempty"`
	YAML     string            `json:"yaml,omitempty"`
	Verdicts []DryRunVerdict   `json:"verdicts,omitempty"`
	// URL is where an externally exposed app will be reached.
	URL string `json:"url,omitempty"`
}

// Allowed says whether every verdict allows its object.
func (v DeploymentValidation) Allowed() bool {
	for _, d := range v.Verdicts {
		if !d.Allowed {
			return false
		}
	}
	return v.Valid && len(v.Verdicts) > 0
}

// DryRunVerdict is the API server's verdict on creating one object: allowed,
// or the error code and reason (a ResourceQuota exceeded, an RBAC denial, a
// name in use), with its warnings. A Pod of the Deployment's template is
// judged too, because a quota is charged to Pods: that verdict has Kind
// "Pod", no Name (the Pod is never created) and Check saying what it is.
type DryRunVerdict struct {
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
	// Check says what a verdict on an object that is never created is.
	Check    string   `json:"check,omitempty"`
	Allowed  bool     `json:"allowed"`
	Code     Code     `json:"code,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// DeploymentOutcome is the result of a deploy operation, and the details
// of its error when it failed: what was created, what failed and what of
// the created was removed again, the app's address and its last progress.
type DeploymentOutcome struct {
	Created    []OperationTarget  `json:"created"`
	Failed     *OperationTarget   `json:"failed,omitempty"`
	RolledBack []OperationTarget  `json:"rolledBack,omitempty"`
	URL        string             `json:"url,omitempty"`
	Progress   DeploymentProgress `json:"progress"`
}

// DeletedApp is the data of DELETE /api/v1/deployments/{name}: the objects
// removed.
type DeletedApp struct {
	Deleted []OperationTarget `json:"deleted"`
}

// DeploymentOptions is the data of GET /api/v1/deployments/config: the
// cluster's settings for the wizard and the namespaces the user may create
// Deployments in (the wizard offers only those).
type DeploymentOptions struct {
	Config     DeploymentConfig `json:"config"`
	Namespaces []string         `json:"namespaces"`
}
