package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// moduleRoot returns the directory of the listserv module (go.mod).
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run listserv-bench from inside the listserv module (go env GOMOD is empty)")
	}
	return filepath.Dir(mod), nil
}

// sourceVersion describes the source tree the server is built from: the
// git commit, and whether the tree has uncommitted changes.
func sourceVersion(ctx context.Context, root string) string {
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = root
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	v := git("rev-parse", "--short", "HEAD")
	if v == "" {
		return "unknown (not a git checkout)"
	}
	if git("status", "--porcelain", "--untracked-files=no") != "" {
		v += " with uncommitted changes"
	}
	return v
}

// buildServer builds ./cmd/listserv once into dir and returns the binary.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "listserv")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/listserv")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/listserv: %w\n%s", err, out)
	}
	return bin, nil
}

// cli runs listserv operator commands against one database.
type cli struct {
	bin, data, db string
}

func (c cli) run(ctx context.Context, args ...string) (string, error) {
	out, _, err := c.runCPU(ctx, args...)
	return out, err
}

// runCPU is run, and the CPU seconds the command used.
func (c cli) runCPU(ctx context.Context, args ...string) (string, float64, error) {
	args = append(args, "--data", c.data)
	if c.db != "" {
		args = append(args, "--db", c.db)
	}
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var cpu float64
	if ps := cmd.ProcessState; ps != nil {
		cpu = (ps.UserTime() + ps.SystemTime()).Seconds()
	}
	if err != nil {
		return out.String(), cpu, fmt.Errorf("listserv %s: %w: %s", strings.Join(args[:2], " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), cpu, nil
}

// cleanEnv is our environment without LISTSERV_* variables, so that only
// the flags the benchmark passes configure the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LISTSERV_") {
			env = append(env, kv)
		}
	}
	return env
}

// freePort returns a 127.0.0.1 address with a port that was free just now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// serverOpts is one "listserv serve" invocation.
type serverOpts struct {
	bin, data, db string
	relay         string
	delivery      bool
	workers       int
	chunkSize     int
	cpuProfile    string
	logPath       string
}

// server is a running "listserv serve" process.
type server struct {
	cmd      *exec.Cmd
	pid      int
	smtpAddr string
	httpAddr string
	logPath  string
	grace    time.Duration // between SIGTERM and SIGKILL
	done     chan struct{} // closed when the process has exited
	waitErr  error
	// pgDatabase is the PostgreSQL database it uses ("" on SQLite): only
	// that database's backends count as its PostgreSQL CPU.
	pgDatabase string
}

func startServer(ctx context.Context, o serverOpts) (*server, error) {
	smtpAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	httpAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--data", o.data, "--smtp", smtpAddr, "--http", httpAddr,
		"--imap", "off", "--relay", o.relay, "--log-level", "warn", "--delivery", onOff(o.delivery)}
	if o.db != "" {
		args = append(args, "--db", o.db)
	}
	if o.workers > 0 {
		args = append(args, "--workers", fmt.Sprint(o.workers))
	}
	if o.chunkSize > 0 {
		args = append(args, "--chunk-size", fmt.Sprint(o.chunkSize))
	}
	logf, err := os.Create(o.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(o.bin, args...)
	cmd.Env = cleanEnv()
	if o.cpuProfile != "" {
		cmd.Env = append(cmd.Env, "LISTSERV_CPUPROFILE="+o.cpuProfile)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start listserv serve: %w", err)
	}
	s := &server{cmd: cmd, pid: cmd.Process.Pid, smtpAddr: smtpAddr, httpAddr: httpAddr,
		logPath: o.logPath, grace: 25 * time.Second, done: make(chan struct{}), pgDatabase: pgDatabase(o.db)}
	if o.cpuProfile != "" {
		s.grace = 70 * time.Second // serve's own shutdown limit is a minute; the profile is written at exit
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitHealthy(ctx, time.Minute); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// waitHealthy polls GET /healthz until it answers 200.
func (s *server) waitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get("http://" + s.httpAddr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := s.exited(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("listserv serve: /healthz not 200 after %s%s", limit, s.logTail())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// exited returns an error when the process is no longer running.
func (s *server) exited() error {
	select {
	case <-s.done:
		return fmt.Errorf("listserv serve exited unexpectedly (%v)%s", s.waitErr, s.logTail())
	default:
		return nil
	}
}

// stop asks the server to shut down (SIGTERM) and kills it if it has not
// exited after a grace period. It is idempotent.
func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(s.grace):
		fmt.Fprintf(os.Stderr, "listserv-bench: server did not stop %s after SIGTERM; killing it\n", s.grace)
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// logTail is the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n--- server log (" + s.logPath + ") ---\n" + strings.TrimSpace(string(b))
}

// pgDatabase is the database named by a PostgreSQL URL ("" otherwise).
func pgDatabase(db string) string {
	u, err := url.Parse(db)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}
