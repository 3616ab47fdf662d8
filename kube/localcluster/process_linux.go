package localcluster

import "syscall"

// dieWithParent makes the kernel kill the child when the process that
// started it dies, so a crashed or killed test binary leaves no cluster
// behind. (Strictly, when the starting OS thread exits; Go only ends threads
// of goroutines that exit while locked to them, which this package never
// does.)
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
