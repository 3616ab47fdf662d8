package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// deployProgress is what the wizard knows of a deploy operation: the
// latest state the server sent (over the socket, or by polling), and what
// the operation made, read from its result or, when it failed, from its
// error's details.
type deployProgress struct {
	Op         shared.Operation
	Outcome    shared.DeploymentOutcome
	HasOutcome bool
}

// newDeployProgress follows op from the state the server answered with.
func newDeployProgress(op shared.Operation) deployProgress {
	var p deployProgress
	p.apply(op)
	return p
}

// apply takes a state of the operation and says whether it is the one
// that finishes it. States of another operation, states after the final
// one and states older than the one held (a poll's answer overtaken by the
// socket) change nothing.
func (p *deployProgress) apply(op shared.Operation) (finished bool) {
	switch {
	case p.Op.ID != "" && op.ID != p.Op.ID:
		return false
	case p.Op.ID != "" && (p.Op.Done() || opRank(op) < opRank(p.Op)):
		return false
	}
	p.Op = op.Clone()
	p.Outcome, p.HasOutcome = outcomeOf(op)
	return op.Done()
}

// opRank orders an operation's states: by phase, then by the steps done.
func opRank(op shared.Operation) int {
	rank := map[shared.OperationPhase]int{shared.OperationPending: 0, shared.OperationRunning: 1,
		shared.OperationSucceeded: 2, shared.OperationFailed: 2}[op.Phase] * 100
	for _, s := range op.Steps {
		if s.Phase.Done() {
			rank++
		}
	}
	return rank
}

// outcomeOf reads what a deploy operation made: its result, or the outcome
// in its error's details.
func outcomeOf(op shared.Operation) (shared.DeploymentOutcome, bool) {
	var out shared.DeploymentOutcome
	raw := op.Result
	if len(raw) == 0 && op.Error != nil && op.Error.Details[shared.DetailOutcome] != nil {
		raw, _ = json.Marshal(op.Error.Details[shared.DetailOutcome]) // decoded JSON encodes again
	}
	if len(raw) == 0 || json.Unmarshal(raw, &out) != nil {
		return shared.DeploymentOutcome{}, false
	}
	return out, true
}

// done says whether the operation has finished.
func (p deployProgress) done() bool { return p.Op.Done() }

// succeeded says whether it finished with the app available.
func (p deployProgress) succeeded() bool { return p.Op.Phase == shared.OperationSucceeded }

// app names the app being deployed: "namespace/name".
func (p deployProgress) app() string { return p.Op.Target.Namespace + "/" + p.Op.Target.Name }

// rolloutPhase is where the rollout stands: from the final progress when
// there is one, else from the rollout step's state; Failed once the step
// failed after the rollout started; "" before it starts.
func (p deployProgress) rolloutPhase() shared.DeploymentPhase {
	if p.HasOutcome && p.Outcome.Progress.Phase != "" {
		return p.Outcome.Progress.Phase
	}
	step, ok := p.step(shared.StepRollout)
	switch {
	case !ok || step.Rollout == nil:
		return "" // not started (an earlier step may have failed)
	case step.Phase == shared.OperationFailed:
		return shared.PhaseFailed
	}
	return step.Rollout.Phase
}

// stepMessage is what the progress view says of step s: the server's
// message, but for a finished rollout, which it says from the final
// progress (the server leaves the step's last running message).
func (p deployProgress) stepMessage(s shared.OperationStep) string {
	if s.Name == shared.StepRollout && p.done() && p.HasOutcome && p.Outcome.Progress.Desired > 0 {
		pr := p.Outcome.Progress
		return fmt.Sprintf("%s: %d of %d replicas ready.", pr.Phase, pr.Ready, pr.Desired)
	}
	return s.Message
}

// step finds the operation's step called name.
func (p deployProgress) step(name string) (shared.OperationStep, bool) {
	for _, s := range p.Op.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return shared.OperationStep{}, false
}

// replicas says how many replicas are ready, when the server said.
func (p deployProgress) replicas() string {
	desired, ready := p.Outcome.Progress.Desired, p.Outcome.Progress.Ready
	if !p.HasOutcome && p.Op.Error != nil {
		desired, ready = detailInt(p.Op.Error.Details, "desired"), detailInt(p.Op.Error.Details, "ready")
	}
	if desired == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d replicas ready", ready, desired)
}

// detailInt reads a number of an error's details (JSON numbers decode as
// float64).
func detailInt(details map[string]any, key string) int {
	switch v := details[key].(type) {
	case float64:
		return int(v)
	case int:
		return v
	}
	return 0
}

// stuckReason says why the rollout does not go on, "" when it does: the
// final progress's message, the failure's, or while the rollout runs the
// reason its step's state gives ("No node can run the pods: …").
func (p deployProgress) stuckReason() string {
	if p.HasOutcome && p.Outcome.Progress.Message != "" {
		return p.Outcome.Progress.Message
	}
	if p.Op.Phase == shared.OperationFailed && p.Op.Error != nil {
		return p.Op.Error.Message
	}
	if step, ok := p.step(shared.StepRollout); ok && !p.done() && step.Rollout != nil {
		return step.Rollout.Message
	}
	return ""
}

// url is where the app is reached from outside the cluster, "" when it
// is not exposed so.
func (p deployProgress) url() string { return p.Outcome.URL }

// objectsLink is the object viewer's page of the app's Deployment.
func (p deployProgress) objectsLink(base string) string {
	v := objectsView{Kind: "deployments", Namespace: p.Op.Target.Namespace, Name: p.Op.Target.Name, Page: 1}
	return base + "/apps/objects?" + v.encode()
}

// stepTitle is what the progress view calls a step of an operation of
// kind.
func stepTitle(kind shared.OperationKind, name string) string {
	if kind == shared.OperationUpdate {
		switch name {
		case shared.StepDeployment, shared.StepService, shared.StepIngress:
			return "Update the " + strings.ToUpper(name[:1]) + name[1:]
		}
	}
	switch name {
	case shared.StepDeployment:
		return "Create the Deployment"
	case shared.StepService:
		return "Create the Service"
	case shared.StepIngress:
		return "Create the Ingress"
	case shared.StepRollout:
		return "Start the replicas"
	case shared.StepScale:
		return "Scale"
	case shared.StepRestart:
		return "Restart the pods"
	case shared.StepRollback:
		return "Go back to the previous revision"
	}
	return name
}

// targets lists objects for people: "Deployment web, Service web".
func targets(ts []shared.OperationTarget) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Kind + " " + t.Name
	}
	return strings.Join(names, ", ")
}

// toast is what the toast says when the operation finishes: the app's
// state and address, or why it failed with what was created, what failed
// and what was removed again.
func (p deployProgress) toast() (toastLevel, string) {
	if p.succeeded() {
		text := "App " + p.app() + " is available"
		if r := p.replicas(); r != "" {
			text += ": " + r
		}
		text += "."
		if u := p.url(); u != "" {
			text += " Open it at " + u + "."
		}
		return toastSuccess, text
	}
	text := "App " + p.app() + " was not deployed."
	if p.Op.Error != nil && p.Op.Error.Message != "" {
		text = "App " + p.app() + ": " + p.Op.Error.Message
	}
	return toastError, text + p.madeSummary()
}

// madeSummary says what the operation created, failed to create and
// removed again, for the failure toast.
func (p deployProgress) madeSummary() string {
	if !p.HasOutcome {
		return ""
	}
	var parts []string
	if len(p.Outcome.Created) > 0 {
		parts = append(parts, "Created: "+targets(p.Outcome.Created)+".")
	}
	if p.Outcome.Failed != nil {
		parts = append(parts, "Failed: "+targets([]shared.OperationTarget{*p.Outcome.Failed})+".")
	}
	if len(p.Outcome.RolledBack) > 0 {
		parts = append(parts, "Removed again: "+targets(p.Outcome.RolledBack)+".")
	}
	if len(parts) == 0 {
		return ""
	}
	return " " + strings.Join(parts, " ")
}
