package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// nodeOpts says how to run one `listserv serve` process.
type nodeOpts struct {
	name   string // --hostname, and the log file's name
	db     string
	dir    string // data directory; logs go here
	relay  string
	extra  []string // more serve flags
	health time.Duration
}

// node is one running `listserv serve` child process.
type node struct {
	name    string
	pid     int
	smtp    string
	http    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// serveArgs are the flags every node runs with. Every delay is
// compressed to the harness's scale (a 2 s lease, 200 ms retries and
// domain pauses), so a round's deadline measures safety, not waiting: the
// refuse fault's 421s pause the test domain as a real throttle would.
func serveArgs(o nodeOpts, smtpAddr, httpAddr string) []string {
	args := []string{"serve", "--db", o.db, "--data", o.dir, "--smtp", smtpAddr, "--http", httpAddr,
		"--imap", "off", "--lmtp", "off", "--relay", o.relay, "--hostname", o.name,
		"--lease", "2s", "--workers", "4", "--chunk-size", "50", "--log-level", "warn", "--retry-base", "200ms",
		"--domain-pause", "200ms"}
	return append(args, o.extra...)
}

// startNode starts serve on free ports and waits for /healthz. A port
// taken between choosing it and binding it makes serve exit: try again.
func (e *env) startNode(ctx context.Context, o nodeOpts, incarnation int) (*node, error) {
	var last error
	for range 3 {
		n, err := e.tryStartNode(ctx, o, incarnation)
		if err == nil {
			return n, nil
		}
		last = err
	}
	return nil, last
}

func (e *env) tryStartNode(ctx context.Context, o nodeOpts, incarnation int) (*node, error) {
	addrs, err := freeAddrs(2)
	if err != nil {
		return nil, err
	}
	smtpAddr, httpAddr := addrs[0], addrs[1]
	logPath := filepath.Join(o.dir, fmt.Sprintf("%s-%02d.log", o.name, incarnation))
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(e.bin, serveArgs(o, smtpAddr, httpAddr)...)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	n := &node{name: o.name, pid: cmd.Process.Pid, smtp: smtpAddr, http: httpAddr, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		n.waitErr = cmd.Wait()
		logf.Close()
		close(n.done)
	}()
	limit := o.health
	if limit == 0 {
		limit = 30 * time.Second
	}
	if err := n.waitHealthy(ctx, limit); err != nil {
		n.kill()
		return nil, fmt.Errorf("%s did not become healthy: %w\n%s", o.name, err, tail(logPath, 20))
	}
	return n, nil
}

// freeAddrs returns n distinct 127.0.0.1:PORT addresses that were free a
// moment ago.
func freeAddrs(n int) ([]string, error) {
	var out []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("no free port: %w", err)
		}
		defer ln.Close()
		out = append(out, ln.Addr().String())
	}
	return out, nil
}

func (n *node) waitHealthy(ctx context.Context, limit time.Duration) error {
	end := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(end) {
		select {
		case <-n.done:
			return fmt.Errorf("exited: %v", n.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get("http://" + n.http + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("timed out")
}

// kill sends SIGKILL and waits for the process to be gone.
func (n *node) kill() {
	_ = n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.done
}

// term sends SIGTERM and waits up to limit for the process to exit. It
// returns how long the stop took and an error unless the exit status is 0.
func (n *node) term(limit time.Duration) (time.Duration, error) {
	start := time.Now()
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(limit):
		n.kill()
		return time.Since(start), fmt.Errorf("%s did not exit within %s of SIGTERM (killed)\n%s", n.name, limit, tail(n.logPath, 20))
	}
	took := time.Since(start)
	if n.waitErr != nil {
		return took, fmt.Errorf("%s exited after SIGTERM with %v, want status 0\n%s", n.name, n.waitErr, tail(n.logPath, 20))
	}
	return took, nil
}

// exited reports whether the process has ended on its own.
func (n *node) exited() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// ownerTag is how this process appears in lease owner strings: serve names
// its delivery node OSHOSTNAME-PID-SUFFIX (not after --hostname).
func (n *node) ownerTag() string { return fmt.Sprintf("-%d-", n.pid) }

// tail returns the last lines of a log file, indented.
func tail(path string, lines int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var ring []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		ring = append(ring, sc.Text())
		if len(ring) > lines {
			ring = ring[1:]
		}
	}
	if len(ring) == 0 {
		return "  (log " + path + " is empty)"
	}
	return "  log " + path + ":\n    " + strings.Join(ring, "\n    ")
}

// logProblems returns the ERROR lines of the logs in dir (at most limit).
func logProblems(dir string, limit int) []string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	var out []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "level=ERROR") && len(out) < limit {
				out = append(out, filepath.Base(p)+": "+sc.Text())
			}
		}
		f.Close()
	}
	return out
}
