package localcluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// auditPolicy records every change (not reads, which controllers make by
// the thousand) at the Metadata level: who, as whom, what, and the answer.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    verbs: [get, list, watch]
  - level: Metadata
`

// withAudit adds the API server flags that write its audit log to
// AuditLogPath when opts.AuditLog is set.
func (c *Cluster) withAudit(opts Options, args []string) ([]string, error) {
	if !opts.AuditLog {
		return args, nil
	}
	policy := filepath.Join(c.dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		return nil, fmt.Errorf("write audit policy: %w", err)
	}
	return append(args,
		"--audit-policy-file="+policy,
		"--audit-log-path="+c.AuditLogPath(),
		"--audit-log-format=json",
		"--audit-log-mode=blocking",
	), nil
}

// AuditLogPath is the API server's audit log (written when Options.AuditLog
// is set): one JSON event per line.
func (c *Cluster) AuditLogPath() string { return filepath.Join(c.logDir, "audit.log") }

// AuditUser is a user as an audit event names it.
type AuditUser struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
}

// AuditEvent is the part of an API server audit event tests look at.
type AuditEvent struct {
	Verb string `json:"verb"`
	// RequestURI is the request's path and query ("?dryRun=All" marks a
	// dry run).
	RequestURI       string     `json:"requestURI"`
	User             AuditUser  `json:"user"`
	ImpersonatedUser *AuditUser `json:"impersonatedUser"`
	ObjectRef        *struct {
		Resource  string `json:"resource"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		APIGroup  string `json:"apiGroup"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
}

// AuditEvents reads the audit log written so far.
func (c *Cluster) AuditEvents() ([]AuditEvent, error) {
	f, err := os.Open(c.AuditLogPath())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []AuditEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var e AuditEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("audit log line: %w", err)
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
