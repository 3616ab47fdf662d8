//go:build !wasm

package main

import (
	"flag"
	"time"

	"github.com/kubedeck/kubedeck/server"
)

// execFlags bound the shells opened in containers.
type execFlags struct {
	idle, lifetime time.Duration
	perUser        int
}

func (e *execFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&e.idle, "exec-idle-timeout", 15*time.Minute, "a shell with nothing typed or printed for this long ends ("+envName("exec-idle-timeout")+")")
	fs.DurationVar(&e.lifetime, "exec-max-lifetime", 4*time.Hour, "the longest a shell lives ("+envName("exec-max-lifetime")+")")
	fs.IntVar(&e.perUser, "exec-max-sessions", 5, "shells one user may have open at once ("+envName("exec-max-sessions")+")")
}

// execConfig is the shells' configuration: the right to open one is
// reviewed again as often as access decisions expire.
func (c config) execConfig() server.ExecConfig {
	return server.ExecConfig{IdleTimeout: c.exec.idle, MaxLifetime: c.exec.lifetime, MaxPerUser: c.exec.perUser, ReauthInterval: c.accessTTL}
}
