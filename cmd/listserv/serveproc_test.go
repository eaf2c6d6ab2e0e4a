package main

// A real `listserv serve` process for tests that need one (Postfix in
// front): started with the store of a cli, stopped with SIGTERM as an init
// system would, and required to exit 0.

import (
	"bytes"
	"context"
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
	t    *testing.T
	cmd  *exec.Cmd
	http string
	out  *lockedBuffer
	done chan error
}

// startServe runs `listserv serve ARGS --http HTTP` and waits for /healthz.
func (c *cli) startServe(httpAddr string, args ...string) *serveProc {
	c.t.Helper()
	args = append([]string{"serve", "--http", httpAddr}, args...)
	cmd := exec.Command(binPath, args...)
	cmd.Dir = c.workdir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LISTSERV_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, c.env()...)
	s := &serveProc{t: c.t, cmd: cmd, http: httpAddr, out: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start serve: %v", err)
	}
	go func() { s.done <- cmd.Wait() }()
	c.t.Cleanup(func() {
		if cmd.ProcessState == nil && cmd.Process.Signal(syscall.SIGKILL) == nil {
			<-s.done
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
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-s.done:
			s.t.Fatalf("serve exited at start: %v\n%s", err, s.out)
		default:
		}
		resp, err := http.Get("http://" + s.http + "/healthz")
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Fatalf("serve did not stop cleanly: %v\n%s", err, s.out)
		}
	case <-ctx.Done():
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
