package main

import "syscall"

// childAttrs makes a server die with the harness: a harness that is killed
// must not leave servers running against its databases.
func childAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
