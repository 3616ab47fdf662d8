// Package redistest runs a real redis-server for tests: on a free port,
// without persistence, killed and started again at the same address to
// test what Kubedeck does when Redis dies and returns.
package redistest

import (
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Binary is Debian's redis-server, which `make test` installs.
const Binary = "/usr/bin/redis-server"

// Server is a redis-server the test started.
type Server struct {
	t        testing.TB
	port     int
	password string
	cmd      *exec.Cmd
}

// Options configure a server.
type Options struct {
	// Password, when set, is required of every client (requirepass).
	Password string
}

// Start starts redis-server on a free port; it is killed when the test
// ends. Without the binary the test is skipped with how to get it.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	if _, err := exec.LookPath(Binary); err != nil {
		t.Skip("redis-server not found: apt-get install redis-server (make test provides it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{t: t, port: port, password: opts.Password}
	s.Restart()
	t.Cleanup(s.Kill)
	return s
}

// URL is the server's redis:// URL, with its password when it has one.
func (s *Server) URL() string {
	u := url.URL{Scheme: "redis", Host: s.Addr(), Path: "/0"}
	if s.password != "" {
		u.User = url.UserPassword("", s.password)
	}
	return u.String()
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

// Password is the password the server requires ("" for none).
func (s *Server) Password() string { return s.password }

// Restart starts the server again on its port, killing it first if it
// runs (its data is lost, as with a restart without persistence), and
// waits until it accepts connections.
func (s *Server) Restart() {
	s.t.Helper()
	// A server still running would keep the port, and the new one, unable
	// to bind, would exit while the old one answered: kill it first.
	s.Kill()
	args := []string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}
	if s.password != "" {
		args = append(args, "--requirepass", s.password)
	}
	s.cmd = exec.Command(Binary, args...)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.port), 100*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server did not listen on %d: %v", s.port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill kills the server, as a crash would, and waits for it to exit.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}
