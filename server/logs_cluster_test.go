package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/kubedeck/kubedeck/kube/localcluster"
	"github.com/kubedeck/kubedeck/shared"
)

// logFixture is a server on the local cluster behind a real listener, a
// namespace where "log-lena" may read logs (the view role) and "log-nora"
// may see pods but not their logs.
type logFixture struct {
	*clusterFixture
	ts *httptest.Server
	ns string
}

func newLogFixture(t testing.TB, cfg Config) *logFixture {
	t.Helper()
	cfg.TrustedProxies = loopbackProxies
	f := newClusterFixture(t, cfg, time.Second)
	ts := httptest.NewServer(f.s.Handler())
	t.Cleanup(ts.Close)
	ns := f.namespace(t, "logs")
	f.bind(t, "log-lena", "view", ns)
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "pods-only", Namespace: ns},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}}}}
	if _, err := f.admin.RbacV1().Roles(ns).Create(t.Context(), role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "nora-pods", Namespace: ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "pods-only"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "log-nora"}}}
	if _, err := f.admin.RbacV1().RoleBindings(ns).Create(t.Context(), rb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	f.waitAuthorized(t, "log-nora", nil, ns)
	return &logFixture{clusterFixture: f, ts: ts, ns: ns}
}

// runPod creates a pod on a node of the cluster and waits until it runs.
func (f *logFixture) runPod(t testing.TB, name string, labels map[string]string) {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: f.ns, Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "main", Image: "registry.example/talker:1"}}},
	}
	if _, err := f.admin.CoreV1().Pods(f.ns).Create(t.Context(), pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pod "+name+" runs", func() bool {
		p, err := f.admin.CoreV1().Pods(f.ns).Get(t.Context(), name, metav1.GetOptions{})
		return err == nil && p.Status.Phase == corev1.PodRunning
	})
}

// serveLogs points the pod's logs at files of the test, with lines, and
// waits until the API server reads them.
func (f *logFixture) serveLogs(t testing.TB, pod string, at time.Time, lines ...string) (file, previous string) {
	t.Helper()
	dir := t.TempDir()
	file, previous = filepath.Join(dir, pod+".log"), filepath.Join(dir, pod+"-previous.log")
	if err := localcluster.AppendPodLog(file, at, lines...); err != nil {
		t.Fatal(err)
	}
	if err := localcluster.AppendPodLog(previous, at.Add(-time.Hour), "previous "+pod+": out of memory"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.ServePodLogs(t.Context(), f.ns, pod, localcluster.PodLogFiles{File: file, Previous: previous}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the logs of "+pod+" come from the test's file", func() bool {
		b, err := f.admin.CoreV1().Pods(f.ns).GetLogs(pod, &corev1.PodLogOptions{}).DoRaw(t.Context())
		return err == nil && strings.HasPrefix(string(b), lines[0])
	})
	return file, previous
}

// readLogs reads logs through the API as user.
func (f *logFixture) readLogs(t *testing.T, user, path string) (int, shared.Envelope, shared.LogChunk) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, f.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(headerUser, user)
	req.Header.Set(headerProxySecret, testProxySecret)
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env shared.Envelope
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	var ch shared.LogChunk
	if env.Success {
		if err := json.Unmarshal(env.Data, &ch); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, env, ch
}

func texts(lines []shared.LogLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Pod + "|" + l.Text
	}
	return out
}

// A pod's logs are read as the user through the API server (and kwok's
// kubelet server): the last lines, the previous container's, a bounded
// tail; a user without pods/log is refused with the right named; bad
// input gets a message saying what is wrong, never a read.
func TestReadPodLogsAsTheUser(t *testing.T) {
	f := newLogFixture(t, Config{})
	f.runPod(t, "talker", nil)
	start := time.Now().Add(-time.Minute)
	long := strings.Repeat("x", shared.MaxLogLineBytes+500)
	f.serveLogs(t, "talker", start, "first", "<script>alert(1)</script>", "\x1b[31mred\x1b[0m", "bad \xff\xfe utf-8", long, "last")
	base := "/api/v1/resources/pods/" + f.ns + "/talker/logs"

	code, env, ch := f.readLogs(t, "log-lena", base)
	if code != http.StatusOK {
		t.Fatalf("lena's read: %d %+v", code, env.Error)
	}
	want := []string{"|first", "|<script>alert(1)</script>", "|\x1b[31mred\x1b[0m", "|bad \ufffd utf-8",
		"|" + long[:shared.MaxLogLineBytes] + " … [500 bytes cut]", "|last"}
	if diff := cmp.Diff(want, texts(ch.Lines)); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if !ch.Lines[0].Time.Equal(start) {
		t.Errorf("first line's time = %v, want %v", ch.Lines[0].Time, start)
	}
	if diff := cmp.Diff([]shared.LogContainer{{Name: "main"}}, ch.Containers); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}

	_, _, ch = f.readLogs(t, "log-lena", base+"?tailLines=2")
	if diff := cmp.Diff([]string{"|" + long[:shared.MaxLogLineBytes] + " … [500 bytes cut]", "|last"}, texts(ch.Lines)); diff != "" {
		t.Errorf("tail of 2 (-want +got):\n%s", diff)
	}
	_, _, ch = f.readLogs(t, "log-lena", base+"?previous=true")
	if diff := cmp.Diff([]string{"|previous talker: out of memory"}, texts(ch.Lines)); diff != "" {
		t.Errorf("previous container (-want +got):\n%s", diff)
	}

	refusals := []struct {
		name, user, path string
		code             int
		says             string
	}{
		{"no pods/log", "log-nora", base, http.StatusForbidden, "pods/log"},
		{"no container", "log-lena", base + "?container=sidecar", http.StatusBadRequest, "its containers are main"},
		{"bad tail", "log-lena", base + "?tailLines=-5", http.StatusBadRequest, "lines"},
		{"huge tail", "log-lena", base + "?tailLines=99999999999999999999999", http.StatusBadRequest, "whole number"},
		{"no such pod", "log-lena", "/api/v1/resources/pods/" + f.ns + "/nobody/logs", http.StatusNotFound, "nobody"},
		{"not a log kind", "log-lena", "/api/v1/resources/secrets/" + f.ns + "/x/logs", http.StatusNotFound, "Logs are read for"},
		{"encoded dots", "log-lena", "/api/v1/resources/pods/" + f.ns + "/%2e%2e/logs", http.StatusBadRequest, ""},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			code, env, _ := f.readLogs(t, r.user, r.path)
			if code != r.code || env.Error == nil || !strings.Contains(env.Error.Message, r.says) {
				t.Errorf("GET %s as %s: %d %+v; want %d saying %q", r.path, r.user, code, env.Error, r.code, r.says)
			}
		})
	}
}

// An app's logs merge its pods' lines in time order, each labelled with
// its pod.
func TestReadAppLogsMergesPods(t *testing.T) {
	f := newLogFixture(t, Config{})
	labels := map[string]string{"app": "merge"}
	dep := testDeployment(f.ns, "merge", "registry.example/merge:1", 2, 0)
	dep.Spec.Selector.MatchLabels, dep.Spec.Template.Labels = labels, labels
	if _, err := f.admin.AppsV1().Deployments(f.ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pods []string
	eventually(t, "the app's two pods run", func() bool {
		list, err := f.admin.CoreV1().Pods(f.ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app=merge"})
		pods = pods[:0]
		for _, p := range list.Items {
			if p.Status.Phase == corev1.PodRunning {
				pods = append(pods, p.Name)
			}
		}
		return err == nil && len(pods) == 2
	})
	t0 := time.Now().Add(-time.Minute)
	fileA, _ := f.serveLogs(t, pods[0], t0, "a1")
	if err := localcluster.AppendPodLog(fileA, t0.Add(2*time.Millisecond), "a3"); err != nil {
		t.Fatal(err)
	}
	f.serveLogs(t, pods[1], t0.Add(time.Millisecond), "b2")
	code, env, ch := f.readLogs(t, "log-lena", "/api/v1/resources/deployments/"+f.ns+"/merge/logs")
	if code != http.StatusOK {
		t.Fatalf("read: %d %+v", code, env.Error)
	}
	want := []string{pods[0] + "|a1", pods[1] + "|b2", pods[0] + "|a3"}
	if diff := cmp.Diff(want, texts(ch.Lines)); diff != "" {
		t.Errorf("merged lines (-want +got):\n%s", diff)
	}
	if len(ch.Pods) != 2 {
		t.Errorf("pods = %v, want both", ch.Pods)
	}
}

// followLogs subscribes to logs over c and returns the first chunk.
func followLogs(t testing.TB, c *wsClient, id string, q shared.LogQuery) wsMsg {
	t.Helper()
	m, err := shared.NewWSMessage(shared.WSSubscribeLogs, q)
	if err != nil {
		t.Fatal(err)
	}
	m.ID = id
	c.send(m)
	return c.next()
}

// Following a pod's logs over the socket: the last lines at once, a line
// appended to the log within a second, and the end when the pod is
// deleted; a user without pods/log is refused with the right named.
func TestFollowPodLogsOverTheSocket(t *testing.T) {
	f := newLogFixture(t, Config{})
	f.runPod(t, "follow", nil)
	file, _ := f.serveLogs(t, "follow", time.Now(), "hello")
	q := shared.LogQuery{Kind: "pods", Namespace: f.ns, Name: "follow"}

	nora := dialWS(t, f.ts, "log-nora")
	if m := followLogs(t, nora, "l1", q); m.Type != shared.WSError || m.Error.Code != shared.CodeForbidden || !strings.Contains(m.Error.Message, "pods/log") {
		t.Errorf("nora's follow: %+v %+v, want FORBIDDEN naming pods/log", m.WSMessage, m.Error)
	}

	c := dialWS(t, f.ts, "log-lena")
	got := collectLines(t, c, followLogs(t, c, "l1", q), func(seen []string) bool { return len(seen) >= 1 })
	if diff := cmp.Diff([]string{"|hello"}, got); diff != "" {
		t.Errorf("first lines (-want +got):\n%s", diff)
	}
	for i := range 3 {
		written := time.Now()
		line := fmt.Sprintf("appended %d", i)
		if err := localcluster.AppendPodLog(file, written, line); err != nil {
			t.Fatal(err)
		}
		m, err := c.read(time.Second)
		if err != nil || m.Logs == nil || len(m.Logs.Lines) != 1 || m.Logs.Lines[0].Text != line {
			t.Fatalf("within 1 s of the append: %+v %v, want the line %q", m, err, line)
		}
	}

	if err := f.admin.CoreV1().Pods(f.ns).Delete(t.Context(), "follow", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	m, err := c.read(15 * time.Second)
	if err != nil || m.LogEnd == nil || m.LogEnd.Reason != shared.LogEndDone || !strings.Contains(m.LogEnd.Message, "deleted") {
		t.Fatalf("after the pod's deletion: %+v %v, want logs:end saying it was deleted", m, err)
	}
}

// collectLines gathers the lines of logs:lines messages, starting with m,
// until done says it has enough (10 s at most).
func collectLines(t *testing.T, c *wsClient, m wsMsg, done func(seen []string) bool) []string {
	t.Helper()
	var seen []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m.Type != shared.WSLogLines || m.Logs == nil {
			t.Fatalf("got %+v %+v, want logs:lines", m.WSMessage, m.Error)
		}
		seen = append(seen, texts(m.Logs.Lines)...)
		if done(seen) {
			return seen
		}
		var err error
		if m, err = c.read(time.Until(deadline)); err != nil {
			t.Fatalf("lines so far %q: %v", seen, err)
		}
	}
}

// An app's follow picks up its new pods, each line labelled with its pod.
func TestFollowAppLogsFollowsNewPods(t *testing.T) {
	f := newLogFixture(t, Config{})
	labels := map[string]string{"app": "grow"}
	dep := testDeployment(f.ns, "grow", "registry.example/grow:1", 1, 0)
	dep.Spec.Selector.MatchLabels, dep.Spec.Template.Labels = labels, labels
	if _, err := f.admin.AppsV1().Deployments(f.ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := func() []string {
		list, err := f.admin.CoreV1().Pods(f.ns).List(t.Context(), metav1.ListOptions{LabelSelector: "app=grow"})
		if err != nil {
			return nil
		}
		var names []string
		for _, p := range list.Items {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
				names = append(names, p.Name)
			}
		}
		return names
	}
	eventually(t, "the app's pod runs", func() bool { return len(running()) == 1 })
	first := running()[0]
	f.serveLogs(t, first, time.Now(), "from the first pod")

	c := dialWS(t, f.ts, "log-lena")
	collectLines(t, c, followLogs(t, c, "app", shared.LogQuery{Kind: "deployments", Namespace: f.ns, Name: "grow"}),
		func(seen []string) bool { return slices.Contains(seen, first+"|from the first pod") })

	// A second pod: its lines (the local cluster's demo lines) come labelled.
	scale := []byte(`{"spec":{"replicas":2}}`)
	if _, err := f.admin.AppsV1().Deployments(f.ns).Patch(t.Context(), "grow", types.MergePatchType, scale, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := c.read(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	collectLines(t, c, m, func(seen []string) bool {
		for _, s := range seen {
			if !strings.HasPrefix(s, first+"|") && strings.HasSuffix(s, "|Listening on :8080") {
				return true
			}
		}
		return false
	})
}

// Follows are bounded: a user holds at most MaxStreamsPerUser at once, a
// follow with no line for Idle ends (freeing its slot), and one whose
// right to read logs is taken away ends saying so.
func TestFollowLogsLimitsIdleAndRevocation(t *testing.T) {
	f := newLogFixture(t, Config{
		WebSocket: WebSocketConfig{ReauthInterval: 500 * time.Millisecond},
		Logs:      LogConfig{MaxStreamsPerUser: 2, Idle: 2 * time.Second},
	})
	f.runPod(t, "quiet", nil)
	f.serveLogs(t, "quiet", time.Now(), "only line")
	q := shared.LogQuery{Kind: "pods", Namespace: f.ns, Name: "quiet"}
	c := dialWS(t, f.ts, "log-lena")
	for _, id := range []string{"l1", "l2"} {
		collectLines(t, c, followLogs(t, c, id, q), func(seen []string) bool { return len(seen) == 1 })
	}
	if m := followLogs(t, c, "l3", q); m.Type != shared.WSError || m.Error.Code != shared.CodeRateLimited {
		t.Fatalf("third follow: %+v %+v, want RATE_LIMITED", m.WSMessage, m.Error)
	}
	ends := map[string]string{}
	for len(ends) < 2 {
		m, err := c.read(10 * time.Second)
		if err != nil {
			t.Fatalf("ends so far %v: %v", ends, err)
		}
		if m.LogEnd != nil {
			ends[m.Sub] = m.LogEnd.Reason
		}
	}
	if diff := cmp.Diff(map[string]string{"l1": shared.LogEndIdle, "l2": shared.LogEndIdle}, ends); diff != "" {
		t.Errorf("ends (-want +got):\n%s", diff)
	}

	// The slots are free again; then the right goes.
	collectLines(t, c, followLogs(t, c, "l3", q), func(seen []string) bool { return len(seen) == 1 })
	rb := "log-lena-view"
	if err := f.admin.RbacV1().RoleBindings(f.ns).Delete(t.Context(), rb, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := c.read(10 * time.Second)
	if err != nil || m.LogEnd == nil || m.LogEnd.Reason != shared.LogEndForbidden || !strings.Contains(m.LogEnd.Message, "pods/log") {
		t.Fatalf("after the right was taken: %+v %v, want logs:end forbidden naming pods/log", m, err)
	}
}
