//go:build !linux

package main

import "syscall"

// childAttr: only Linux has the parent-death signal; elsewhere the server is
// stopped by the benchmark's cleanup alone (and /proc measurements fail).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
