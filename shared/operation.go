package shared

import (
	"encoding/json"
	"maps"
	"time"
)

// An Operation is long work the server does for a user after answering:
// creating a deployment, a Helm install or upgrade. Every endpoint that
// starts one answers 202 Accepted with the operation's current state as
// data.operation; GET /api/v1/operations/{id} serves the same state, and the
// WebSocket pushes it (subscribe:operation, operation:progress) each time it
// changes. Only the user who started an operation may see it.
//
// Every message carries the whole state, not a delta: a client keeps the
// latest one it got and may miss any in between.
type Operation struct {
	// ID names the operation; it is long and random, so it cannot be guessed.
	ID     string          `json:"id"`
	Kind   OperationKind   `json:"kind"`
	Target OperationTarget `json:"target"`
	// Owner is the name of the user who started the operation.
	Owner string         `json:"owner"`
	Phase OperationPhase `json:"phase"`
	// Steps are the parts of the work, in order, each with its own phase.
	Steps []OperationStep `json:"steps,omitempty"`
	// Message says, for people, where the operation stands.
	Message  string     `json:"message,omitempty"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
	// Result is what a succeeded operation made (its shape depends on Kind).
	Result json.RawMessage `json:"result,omitempty"`
	// Error says why a failed operation failed.
	Error *Error `json:"error,omitempty"`
}

// Done says whether the operation has finished, for good or not.
func (o Operation) Done() bool { return o.Phase.Done() }

// OperationKind is what an operation does.
type OperationKind string

// The kinds of operation.
const (
	OperationDeploy        OperationKind = "deploy"
	OperationDelete        OperationKind = "delete"
	OperationHelmInstall   OperationKind = "helm-install"
	OperationHelmUpgrade   OperationKind = "helm-upgrade"
	OperationHelmRollback  OperationKind = "helm-rollback"
	OperationHelmUninstall OperationKind = "helm-uninstall"
	OperationScale         OperationKind = "scale"
	OperationRestart       OperationKind = "restart"
)

// OperationPhase is where an operation, or one of its steps, stands.
type OperationPhase string

// The phases of an operation: pending, then running, then succeeded or
// failed, which are final.
const (
	OperationPending   OperationPhase = "pending"
	OperationRunning   OperationPhase = "running"
	OperationSucceeded OperationPhase = "succeeded"
	OperationFailed    OperationPhase = "failed"
)

// Done says whether the phase is final.
func (p OperationPhase) Done() bool { return p == OperationSucceeded || p == OperationFailed }

// OperationTarget is the object an operation works on: a Deployment, a Helm
// release ("release" as the kind).
type OperationTarget struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// OperationStep is one part of an operation ("create the Deployment",
// "wait for the rollout").
type OperationStep struct {
	Name    string         `json:"name"`
	Phase   OperationPhase `json:"phase"`
	Message string         `json:"message,omitempty"`
	// Rollout is where a Deployment's rollout stands, on a step that
	// follows one: the same facts as Message, for programs.
	Rollout *DeploymentProgress `json:"rollout,omitempty"`
}

// Clone is a deep copy of the operation, which its holder may change
// without touching o.
func (o Operation) Clone() Operation {
	c := o
	if o.Steps != nil {
		c.Steps = append([]OperationStep(nil), o.Steps...)
		for i, st := range c.Steps {
			if st.Rollout != nil {
				r := *st.Rollout
				c.Steps[i].Rollout = &r
			}
		}
	}
	if o.Finished != nil {
		f := *o.Finished
		c.Finished = &f
	}
	if o.Result != nil {
		c.Result = append(json.RawMessage(nil), o.Result...)
	}
	if o.Error != nil {
		e := *o.Error
		e.Details = maps.Clone(o.Error.Details)
		c.Error = &e
	}
	return c
}

// The WebSocket messages of operations (see ws.go for the protocol).
const (
	// WSSubscribeOperation asks to follow operation ID: the server answers
	// with its current state at once (so a client that arrives late or
	// reconnects misses nothing), then with each change, until it is done.
	// Only the operation's owner may follow it; others get a WSError with
	// CodeNotFound, as for an id that does not exist. The operation's id is
	// also the subscription's: the replies name it as Sub, and
	// WSUnsubscribe with it stops them.
	WSSubscribeOperation WSType = "subscribe:operation"
	// WSOperationProgress carries an operation's whole state (Data:
	// Operation).
	WSOperationProgress WSType = "operation:progress"
)

// The steps of operations, as OperationStep.Name: a deploy creates the
// app's objects one step each, then follows the rollout; a scale or a
// restart makes its change, then follows the rollout; a Helm write is one
// step.
const (
	StepDeployment = "deployment"
	StepService    = "service"
	StepIngress    = "ingress"
	StepRollout    = "rollout"
	StepHelm       = "helm"
	StepScale      = "scale"
	StepRestart    = "restart"
)

// The keys of Error.Details that clients read.
const (
	// DetailOutcome: a failed deploy's shared.DeploymentOutcome.
	DetailOutcome = "outcome"
	// DetailFields: the field errors of a spec, nested as the spec's
	// validation errors are.
	DetailFields = "fields"
	// DetailVerdicts: every object's dry-run verdict ([]DryRunVerdict).
	DetailVerdicts = "verdicts"
	// DetailField and DetailParameter: the body field or query parameter
	// the error is about.
	DetailField     = "field"
	DetailParameter = "parameter"
	// DetailLine, DetailPath and DetailViolations: where in a text of
	// values the error is (1 for the first line), its JSON path, and every
	// schema violation.
	DetailLine       = "line"
	DetailPath       = "path"
	DetailViolations = "violations"
	// DetailRetryAfter: the seconds to wait before trying again.
	DetailRetryAfter = "retryAfterSeconds"
)

// TargetRelease is the OperationTarget.Kind of a Helm release; an app's
// operations target its "Deployment".
const (
	TargetRelease = "release"
	TargetApp     = "Deployment"
)
