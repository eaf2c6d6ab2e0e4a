package main

// A real `listserv serve` process for tests that need one (Postfix in
// front): started with the store of a cli, stopped with SIGTERM as an init
// system would, and required to exit 0.

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

type serveProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	http   string
	out    *lockedBuffer
	exited chan struct{} // closed once the process has exited; then err is set
	err    error
}

// startServe runs `listserv serve ARGS --http HTTP` and waits for /healthz.
func (c *cli) startServe(httpAddr string, args ...string) *serveProc {
	c.t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LISTSERV_") {
			env = append(env, kv)
		}
	}
	return c.startServeEnv(httpAddr, env, args...)
}

// startServeEnv is startServe with env (and c's store) as the process's
// environment.
func (c *cli) startServeEnv(httpAddr string, env []string, args ...string) *serveProc {
	c.t.Helper()
	args = append([]string{"serve", "--http", httpAddr}, args...)
	cmd := exec.Command(binPath, args...)
	cmd.Dir = c.workdir
	cmd.Env = append(env, c.env()...)
	s := &serveProc{t: c.t, cmd: cmd, http: httpAddr, out: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start serve: %v", err)
	}
	go func() { s.err = cmd.Wait(); close(s.exited) }()
	c.t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = cmd.Process.Kill()
			<-s.exited
		}
		if c.t.Failed() {
			c.t.Logf("serve output:\n%s", s.out)
		}
	})
	s.waitHealthy()
	return s
}

func (s *serveProc) waitHealthy() {
	s.t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-s.exited:
			s.t.Fatalf("serve exited at start: %v\n%s", s.err, s.out)
		default:
		}
		resp, err := client.Get("http://" + s.http + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("serve not healthy after 20 s (%v)\n%s", err, s.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and requires a clean exit within 30 s.
func (s *serveProc) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("signal serve: %v", err)
	}
	select {
	case <-s.exited:
		if s.err != nil {
			s.t.Fatalf("serve did not stop cleanly: %v\n%s", s.err, s.out)
		}
	case <-time.After(30 * time.Second):
		s.t.Fatalf("serve still running 30 s after SIGTERM\n%s", s.out)
	}
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
