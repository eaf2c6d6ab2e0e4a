package main

import "syscall"

// childAttr puts the server in its own process group (a terminal Ctrl-C
// reaches only the benchmark, which then stops the server itself) and kills
// it if the benchmark dies without cleaning up.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
