package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubedeck/kubedeck/shared"
)

// server is a running Kubedeck server process in proxy auth mode: the
// benchmark plays oauth2-proxy, sending the proxy secret and a user name
// with every request, so that it can be many users at once (the read
// budget is per user).
type server struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed once cmd has exited
	url    string        // http://127.0.0.1:port
	secret string
	log    string // the server's stderr
	client *http.Client
}

// startServer starts bin with the cluster's kubeconfig for Kubedeck's own
// identity, on a free loopback port, and waits until it answers /readyz.
// extra are more flags. The process is killed if the benchmark dies.
func startServer(ctx context.Context, bin, kubeconfig, dir string, extra []string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s := &server{url: "http://127.0.0.1:" + strconv.Itoa(port), secret: hex.EncodeToString(b),
		log: filepath.Join(dir, "kubedeck.log"), done: make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2048, IdleConnTimeout: time.Minute}}}
	secretFile := filepath.Join(dir, "proxy-secret")
	if err := os.WriteFile(secretFile, []byte(s.secret), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(s.log)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	args := append([]string{
		"--listen", "127.0.0.1:" + strconv.Itoa(port),
		"--auth-mode", "proxy",
		"--proxy-secret-file", secretFile,
		"--kubeconfig", kubeconfig,
	}, extra...)
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	for {
		resp, err := s.client.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("kubedeck exited before it was ready (log: %s)", s.log)
		case <-ctx.Done():
			return nil, errors.Join(ctx.Err(), s.stop())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stop ends the server with SIGTERM, then SIGKILL after 10 seconds.
func (s *server) stop() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return nil
}

// request builds a GET of path as user, with the headers oauth2-proxy
// sends.
func (s *server) request(ctx context.Context, user, path string) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+path, nil)
	if err != nil {
		return nil, err
	}
	setIdentity(r.Header, s.secret, user)
	return r, nil
}

// setIdentity sets what oauth2-proxy tells Kubedeck about user.
func setIdentity(h http.Header, secret, user string) {
	h.Set("X-Kubedeck-Proxy-Secret", secret)
	h.Set("X-Forwarded-User", user)
	h.Set("X-Forwarded-Groups", benchGroup)
}

// get sends a GET of path as user and returns the status and the body
// (read to the end, so the connection is reused).
func (s *server) get(ctx context.Context, user, path string) (int, []byte, error) {
	r, err := s.request(ctx, user, path)
	if err != nil {
		return 0, nil, err
	}
	resp, err := s.client.Do(r)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// list asks for one page of pods and decodes it.
func (s *server) list(ctx context.Context, user, path string) (shared.ListResult, error) {
	var out shared.ListResult
	status, body, err := s.get(ctx, user, path)
	if err != nil {
		return out, err
	}
	var env shared.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return out, fmt.Errorf("GET %s: %d, %w", path, status, err)
	}
	if !env.Success {
		msg := "no error given"
		if env.Error != nil {
			msg = env.Error.Message
		}
		return out, fmt.Errorf("GET %s: %d %s", path, status, msg)
	}
	return out, json.Unmarshal(env.Data, &out)
}

// podSortKeys asks the server which sort keys pods have: a list with a
// sort key no kind has is refused with the allowed ones in the details.
func (s *server) podSortKeys(ctx context.Context, user string) ([]string, error) {
	_, body, err := s.get(ctx, user, "/api/v1/resources/pods?sort=no-such-key&limit=1")
	if err != nil {
		return nil, err
	}
	var env struct {
		Error *struct {
			Details struct {
				Allowed []string `json:"allowed"`
			} `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, err
	}
	if env.Error == nil || len(env.Error.Details.Allowed) == 0 {
		return nil, fmt.Errorf("the server named no sort keys for pods: %s", body)
	}
	return env.Error.Details.Allowed, nil
}

// waitForTotal polls until a search for q over every namespace counts at
// least want pods, and returns how long that took.
func (s *server) waitForTotal(ctx context.Context, user, q string, want int, budget time.Duration) (time.Duration, error) {
	start := time.Now()
	path := "/api/v1/resources/pods?namespace=all&limit=1&q=" + url.QueryEscape(q)
	for {
		res, err := s.list(ctx, user, path)
		if err == nil && res.Total >= want {
			return time.Since(start), nil
		}
		if time.Since(start) > budget {
			return 0, fmt.Errorf("after %v the server counts %d pods matching %q, want %d (last error: %v)", budget, res.Total, q, want, err)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// memory is the server's resident set (from /proc) and, when its metrics
// say, the Go heap in use, in MiB.
type memory struct {
	RSS  float64 `json:"rss_mib"`
	Heap float64 `json:"heap_inuse_mib,omitempty"`
}

func (s *server) memory(ctx context.Context) (memory, error) {
	var m memory
	rss, err := vmRSS(s.cmd.Process.Pid)
	if err != nil {
		return m, err
	}
	m.RSS = float64(rss) / (1 << 20)
	if _, body, err := s.get(ctx, "bench-metrics", "/metrics"); err == nil {
		if v, ok := metricValue(string(body), "go_memstats_heap_inuse_bytes"); ok {
			m.Heap = v / (1 << 20)
		}
	}
	return m, nil
}

// vmRSS reads the resident set size of process pid, in bytes.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}

// metricValue finds an unlabelled sample of name in Prometheus text.
func metricValue(text, name string) (float64, bool) {
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
