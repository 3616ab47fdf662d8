package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kubedeck/kubedeck/shared"
)

// What the drawer of a Deployment or StatefulSet knows of its Scale and
// Restart: the replicas typed and why they are refused, whether the
// restart is being confirmed, and the operation started, followed to its
// end.
type workloadActions struct {
	key      string // kind/namespace/name the state is about
	replicas string // as typed
	edited   bool   // the user typed (else the field shows the spec's)
	asking   bool   // the restart's confirmation is open
	sending  bool   // a request is on its way
	op       *deployProgress
}

// scalable says whether the drawer of kind offers Scale and Restart.
func scalable(kind string) bool { return kind == "deployments" || kind == "statefulsets" }

// reset points the state at the object named key, forgetting what was
// typed and asked about another one. An operation followed stays shown
// until another starts.
func (w *workloadActions) reset(key string) {
	if w.key == key {
		return
	}
	*w = workloadActions{key: key}
}

// parseReplicas reads the replicas typed: a whole number from 0 to
// shared.MaxScale; otherwise why not, for people.
func parseReplicas(text string) (int, string) {
	text = strings.TrimSpace(text)
	n, err := strconv.Atoi(text)
	switch {
	case text == "":
		return 0, "Type how many replicas to run."
	case err != nil:
		return 0, fmt.Sprintf("%q is not a whole number of replicas.", text)
	case n < 0 || n > shared.MaxScale:
		return 0, fmt.Sprintf("Choose from 0 to %d replicas.", shared.MaxScale)
	}
	return n, ""
}

// typed is what the replicas field shows: what the user typed, else the
// replicas the spec asks for now.
func (w *workloadActions) typed(current int) string {
	if w.edited {
		return w.replicas
	}
	return strconv.Itoa(current)
}

// replicasError says why the replicas typed cannot be asked for; "" when
// they can (or nothing was typed).
func (w *workloadActions) replicasError() string {
	if !w.edited {
		return ""
	}
	_, why := parseReplicas(w.replicas)
	return why
}

// typing takes what the replicas field holds now.
func (w *workloadActions) typing(text string) { w.replicas, w.edited = text, true }

// busy says whether a request or an operation is under way.
func (w *workloadActions) busy() bool { return w.sending || (w.op != nil && !w.op.done()) }

// specReplicas reads the replicas a workload's spec asks for (1 when it
// does not say, as Kubernetes defaults it).
func specReplicas(spec json.RawMessage) int {
	var s struct {
		Replicas *int `json:"replicas"`
	}
	if json.Unmarshal(spec, &s) != nil || s.Replicas == nil {
		return 1
	}
	return *s.Replicas
}

// workloadToast is the toast of a scale or restart that ended: the
// workload's replicas, or why it did not finish.
func workloadToast(op shared.Operation) (toastLevel, string) {
	what := op.Target.Kind + " " + op.Target.Namespace + "/" + op.Target.Name
	done := map[shared.OperationKind]string{shared.OperationScale: "scaled", shared.OperationRestart: "restarted"}[op.Kind]
	if done == "" {
		done = "changed"
	}
	if op.Phase == shared.OperationSucceeded {
		text := what + " " + done + "."
		var p shared.DeploymentProgress
		if json.Unmarshal(op.Result, &p) == nil && p.Phase != "" {
			text = fmt.Sprintf("%s %s: %d of %d replicas ready.", what, done, p.Ready, p.Desired)
		}
		return toastSuccess, text
	}
	why := op.Message
	if op.Error != nil && op.Error.Message != "" {
		why = op.Error.Message
	}
	if why == "" {
		why = "the server gave no reason"
	}
	return toastError, what + " was not " + done + ": " + why
}

// rolloutReplicas says how many replicas of a scale, restart or update
// are ready: from the final progress when there is one, else from the
// rollout step's state; "" before the rollout starts.
func (p deployProgress) rolloutReplicas() string {
	var pr *shared.DeploymentProgress
	if st, ok := p.step(shared.StepRollout); ok && st.Rollout != nil {
		pr = st.Rollout
	}
	var res shared.DeploymentProgress
	if json.Unmarshal(p.Op.Result, &res) == nil && res.Desired > 0 {
		pr = &res
	}
	if p.HasOutcome && p.Outcome.Progress.Desired > 0 {
		pr = &p.Outcome.Progress
	}
	if pr == nil {
		return ""
	}
	return fmt.Sprintf("%d of %d replicas ready", pr.Ready, pr.Desired)
}
