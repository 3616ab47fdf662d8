package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// TestExecRunsACommandAsTheUser opens a shell as a user who may create
// pods/exec, types a command and reads its output, then exits and reads
// the exit code; the audit line names the session without its contents.
func TestExecRunsACommandAsTheUser(t *testing.T) {
	f := newExecFixture(t, ExecConfig{})
	f.allowExec(t, "alice")

	c := f.mustDial(t, "alice", nil)
	if ev := c.event(10 * time.Second); ev.Type != shared.ExecEventStarted || ev.Container != "main" {
		t.Fatalf("first event %+v, want started in the first container, main", ev)
	}
	start := time.Now()
	c.typeIn("echo secret-$((6*7))\n")
	c.waitOutput("secret-42")
	t.Logf("keypress to output: %v", time.Since(start))
	c.typeIn("exit 3\n")
	ev := c.event(10 * time.Second)
	if ev.Type != shared.ExecEventEnded || ev.Reason != shared.ExecEndExited || ev.ExitCode == nil || *ev.ExitCode != 3 {
		t.Fatalf("end %+v, want exited with code 3", ev)
	}

	// The place is given back after the audit line is written.
	eventually(t, "the session is released", func() bool { return f.s.execs.open("alice") == 0 })
	line := execAuditLine(t, f.logs.String(), "exec")
	if line["container"] != "main" || line["result"] != "exited" || line["exit_code"] != float64(3) ||
		line["user"] != "alice" || line["duration_ms"] == nil || line["started"] == nil {
		t.Errorf("audit line %v, want alice's session in main, exited 3, with start and duration", line)
	}
	if strings.Contains(f.logs.String(), "secret") {
		t.Errorf("the log holds what was typed or printed:\n%s", f.logs.String())
	}
}

// execAuditLine is the one audit line of verb in logs.
func execAuditLine(t *testing.T, logs, verb string) map[string]any {
	t.Helper()
	var found []map[string]any
	for l := range strings.Lines(logs) {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "audit" && m["verb"] == verb {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d audit lines for %s, want 1:\n%s", len(found), verb, logs)
	}
	return found[0]
}

// TestExecRefusedBeforeTheUpgrade: a user without pods/exec, a foreign
// page, an unknown pod and a container the pod does not have are each
// answered with an envelope, never a socket.
func TestExecRefusedBeforeTheUpgrade(t *testing.T) {
	f := newExecFixture(t, ExecConfig{})
	f.bind(t, "bob", "view", f.ns)
	f.allowExec(t, "alice")
	tests := []struct {
		name, user, origin, pod string
		q                       url.Values
		status                  int
		says                    string
	}{
		{"no right to exec", "bob", "", "shell", nil, http.StatusForbidden, "pods/exec"},
		{"foreign origin", "alice", "https://evil.example", "shell", nil, http.StatusForbidden, "Kubedeck's own pages"},
		{"unknown pod", "alice", "", "nope", nil, http.StatusNotFound, "nope"},
		{"unknown container", "alice", "", "shell", url.Values{"container": {"other"}}, http.StatusBadRequest, "main, side"},
		{"bad command", "alice", "", "shell", url.Values{"command": {""}}, http.StatusBadRequest, "command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, status, env := f.dial(t, tc.user, tc.origin, tc.pod, tc.q)
			if c != nil {
				t.Fatal("the socket was opened")
			}
			if status != tc.status || env.Error == nil || !strings.Contains(env.Error.Message, tc.says) {
				t.Errorf("got %d %+v, want %d saying %q", status, env.Error, tc.status, tc.says)
			}
		})
	}
	if n := f.s.execs.open("bob") + f.s.execs.open("alice"); n != 0 {
		t.Errorf("%d sessions open after refusals", n)
	}
	if strings.Contains(f.logs.String(), `"verb":"exec"`) {
		t.Error("a refused session left an audit line of a session")
	}
}

// TestExecPicksTheContainer opens a shell in a named container.
func TestExecPicksTheContainer(t *testing.T) {
	f := newExecFixture(t, ExecConfig{})
	f.allowExec(t, "alice")
	// The sleep: kwok runs the command on a pty it closes as soon as the
	// command exits, and output still in the pty can be lost then (CI saw
	// an empty output once); a real kubelet drains it.
	c := f.mustDial(t, "alice", url.Values{"container": {"side"}, "command": {"sh", "-c", "echo one-$((1+1)); sleep 0.3"}})
	if ev := c.event(10 * time.Second); ev.Container != "side" {
		t.Fatalf("started %+v, want container side", ev)
	}
	c.waitOutput("one-2")
	if ev := c.event(10 * time.Second); ev.Reason != shared.ExecEndExited || *ev.ExitCode != 0 {
		t.Fatalf("end %+v, want exited 0", ev)
	}
}

// TestExecEndsWhenIdle: a session with nothing typed or printed ends at
// the idle limit, and says so.
func TestExecEndsWhenIdle(t *testing.T) {
	f := newExecFixture(t, ExecConfig{IdleTimeout: 700 * time.Millisecond})
	f.allowExec(t, "alice")
	c := f.mustDial(t, "alice", nil)
	c.event(10 * time.Second)
	ev := c.event(10 * time.Second)
	if ev.Reason != shared.ExecEndIdle || !strings.Contains(ev.Message, "without input or output") {
		t.Fatalf("end %+v, want idle", ev)
	}
	eventually(t, "the session is released", func() bool { return f.s.execs.open("alice") == 0 })
	if line := execAuditLine(t, f.logs.String(), "exec"); line["result"] != "idle" {
		t.Errorf("audit result %v, want idle", line["result"])
	}
}

// TestExecEndsWhenTheRightIsRevoked: deleting the RoleBinding mid-session
// ends it with the reason.
func TestExecEndsWhenTheRightIsRevoked(t *testing.T) {
	f := newExecFixture(t, ExecConfig{ReauthInterval: 200 * time.Millisecond})
	unbind := f.allowExec(t, "alice")
	c := f.mustDial(t, "alice", nil)
	c.event(10 * time.Second)
	c.typeIn("echo still-$((2*2))\n")
	c.waitOutput("still-4")
	unbind()
	ev := c.event(15 * time.Second)
	if ev.Reason != shared.ExecEndRevoked || !strings.Contains(ev.Message, "pods/exec") {
		t.Fatalf("end %+v, want revoked naming pods/exec", ev)
	}
}

// TestExecSessionsPerUserAreLimited: past the limit a user gets 429; a
// closed session frees its place.
func TestExecSessionsPerUserAreLimited(t *testing.T) {
	f := newExecFixture(t, ExecConfig{MaxPerUser: 2})
	f.allowExec(t, "alice")
	first := f.mustDial(t, "alice", nil)
	f.mustDial(t, "alice", nil)
	if c, status, env := f.dial(t, "alice", "", "shell", nil); c != nil || status != http.StatusTooManyRequests {
		t.Fatalf("third session: %d %+v, want 429", status, env.Error)
	}
	first.typeIn("exit\n")
	eventually(t, "a place is free", func() bool { return f.s.execs.open("alice") == 1 })
	f.mustDial(t, "alice", nil)
}

// TestExecPlainGetChecks: a GET without an upgrade answers the checks and
// the container a session would open in, and opens nothing.
func TestExecPlainGetChecks(t *testing.T) {
	f := newExecFixture(t, ExecConfig{})
	f.allowExec(t, "alice")
	get := func(pod string) (int, shared.Envelope) {
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+shared.ExecPath(f.ns, pod, "", nil), nil)
		req.Header.Set(headerUser, "alice")
		req.Header.Set(headerProxySecret, testProxySecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, decodeEnvelope(t, resp.Body)
	}
	status, env := get("shell")
	var check shared.ExecCheck
	if status != http.StatusOK || json.Unmarshal(env.Data, &check) != nil || check.Container != "main" {
		t.Fatalf("check: %d %s, want 200 naming main", status, env.Data)
	}
	if status, _ := get("gone"); status != http.StatusNotFound {
		t.Errorf("check of an unknown pod: %d, want 404", status)
	}
	if n := f.s.execs.open("alice"); n != 0 {
		t.Errorf("%d sessions open after checks", n)
	}
}
