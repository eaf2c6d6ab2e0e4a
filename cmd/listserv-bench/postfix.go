package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// sourceResult is the Postfix reference: what smtp-source pushes into the
// same sink the server delivers to.
type sourceResult struct {
	Command       string  `json:"command"`
	Messages      int64   `json:"messages"` // counted by the sink
	Seconds       float64 `json:"seconds"`  // wall time of smtp-source
	MsgsPerSec    float64 `json:"msgs_per_sec"`
	SourceCPU     float64 `json:"smtp_source_cpu_seconds"`
	CPUUse        cpuUse  `json:"cpu_use"` // Bench, Sink, Other; smtp-source is left out of Other
	OtherCPUShare float64 `json:"other_cpu_percent"`
}

// postfixTool finds a Postfix test tool on PATH or in /usr/sbin, where
// Debian's postfix package puts it (often not on a user's PATH).
func postfixTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return exec.LookPath(filepath.Join("/usr/sbin", name))
}

// measureSMTPSource runs smtp-source with persistent connections (-d: the
// fair reference, as the server keeps its connections open too) against
// sink. It returns nil, nil when smtp-source is not installed.
func measureSMTPSource(ctx context.Context, sink relaySink, count int, log io.Writer) (*sourceResult, error) {
	path, err := postfixTool("smtp-source")
	if err != nil || count == 0 {
		return nil, nil
	}
	args := []string{"-d", "-s", "50", "-l", "4400", "-m", strconv.Itoa(count),
		"-f", "a@example.net", "-t", "b@example.net", sink.Addr()}
	r := &sourceResult{Command: "smtp-source " + joinArgs(args)}
	fmt.Fprintf(log, "listserv-bench: Postfix reference: %s\n", r.Command)
	base := sink.Count()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cpu0, err := takeCPU(nil, sink.PID())
	if err != nil {
		return nil, err
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, path, args...)
	out, err := cmd.CombinedOutput()
	r.Seconds = time.Since(start).Seconds()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", r.Command, err, bytes.TrimSpace(out))
	}
	cpu1, err := takeCPU(nil, sink.PID())
	if err != nil {
		return nil, err
	}
	r.SourceCPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	r.CPUUse = cpu0.until(cpu1)
	r.CPUUse.Other = max(0, r.CPUUse.Other-r.SourceCPU)
	r.OtherCPUShare = r.CPUUse.otherPercent(r.Seconds)
	// smtp-sink counts a message when "." arrives, maybe just after
	// smtp-source has read the reply; let the counter settle.
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
	_ = sink.WaitCount(wctx, base+int64(count))
	wcancel()
	r.Messages = sink.Count() - base
	r.MsgsPerSec = float64(r.Messages) / r.Seconds
	return r, nil
}

// postfixSink is Postfix's smtp-sink run as the relay; it counts from the
// "sess=N quit=N mesg=N\r" counters that smtp-sink -c prints.
type postfixSink struct {
	cmd     *exec.Cmd
	addr    string
	mesg    atomic.Int64
	done    chan struct{}
	waitErr error
}

func startPostfixSink() (*postfixSink, error) {
	path, err := postfixTool("smtp-sink")
	if err != nil {
		return nil, errors.New("-sink postfix: smtp-sink is not on PATH or in /usr/sbin (apt-get install postfix)")
	}
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"-c"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "nobody") // smtp-sink refuses to run as root without -u
	}
	args = append(args, addr, "256")
	s := &postfixSink{addr: addr, done: make(chan struct{})}
	s.cmd = exec.Command(path, args...)
	s.cmd.SysProcAttr = childAttr()
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	s.cmd.Stderr = &stderr
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start smtp-sink: %w", err)
	}
	go s.readCounters(stdout)
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("smtp-sink exited: %v: %s", s.waitErr, bytes.TrimSpace(stderr.Bytes()))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.Close()
			return nil, fmt.Errorf("smtp-sink not listening on %s after 5s", addr)
		}
	}
}

func (s *postfixSink) readCounters(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	})
	for sc.Scan() {
		line := sc.Bytes()
		if i := bytes.Index(line, []byte("mesg=")); i >= 0 {
			f := bytes.Fields(line[i+len("mesg="):])
			if len(f) > 0 {
				if n, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
					s.mesg.Store(n)
				}
			}
		}
	}
}

func (s *postfixSink) Count() int64 { return s.mesg.Load() }
func (s *postfixSink) PID() int     { return s.cmd.Process.Pid }
func (s *postfixSink) Addr() string { return s.addr }
func (s *postfixSink) URL() string  { return "smtp://" + s.addr }

func (s *postfixSink) WaitCount(ctx context.Context, n int64) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for s.Count() < n {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
			return fmt.Errorf("smtp-sink exited: %v", s.waitErr)
		case <-t.C:
		}
	}
	return nil
}

func (s *postfixSink) Close() error {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	return nil
}
