package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/emersion/go-smtp"
)

// fanoutResult is measurements 1 and 2.
type fanoutResult struct {
	Seconds     float64 `json:"seconds"`
	RcptPerSec  float64 `json:"rcpt_per_sec"`
	Copies      int64   `json:"copies"` // at the sink 0.5 s after the last expected one
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	HWMMB       float64 `json:"vm_hwm_mb"`
	RSSBeforeMB float64 `json:"rss_before_mb"`
	RSSSamples  int     `json:"rss_samples"`
	CPUSeconds  float64 `json:"cpu_seconds"` // the server's
	CPUUse      cpuUse  `json:"cpu_use"`
	// Read and write system calls of the server per copy (/proc/PID/io):
	// unlike times, a busy machine does not change them.
	SyscallsPerCopy float64 `json:"syscalls_per_copy"`
}

// measureFanout sends one post to the big list and waits until the sink has
// n more copies. The clock starts when the post is accepted (250).
func measureFanout(ctx context.Context, srv *server, sink relaySink, n int, timeout time.Duration, progress io.Writer) (fanoutResult, error) {
	return measureFanoutSized(ctx, srv, sink, n, postSize, timeout, progress)
}

// measureFanoutSized is measureFanout with a post of about size bytes.
func measureFanoutSized(ctx context.Context, srv *server, sink relaySink, n, size int, timeout time.Duration, progress io.Writer) (fanoutResult, error) {
	var r fanoutResult
	base := sink.Count()
	before, err := procStatusKB(srv.pid, "VmRSS")
	if err != nil {
		return r, err
	}
	r.RSSBeforeMB = mb(before)
	cpu0, err := takeCPU(srv, sink.PID())
	if err != nil {
		return r, err
	}
	sys0, err := procSyscalls(srv.pid)
	if err != nil {
		return r, err
	}
	sampler := startRSSSampler(srv.pid, 20*time.Millisecond)
	stopSampler := func() error {
		peak, samples, err := sampler.stop()
		r.PeakRSSMB, r.RSSSamples = mb(peak), samples
		return err
	}

	msg := postSized(memberAddr(1), benchList, "Consultation reply: please read before Friday",
		fmt.Sprintf("fanout.%d@bench.example.net", time.Now().UnixNano()), time.Now(), size)
	start, err := sendOne(srv.smtpAddr, memberAddr(1), benchList, msg)
	if err != nil {
		_ = stopSampler()
		return r, fmt.Errorf("fan-out post: %w%s", err, srv.logTail())
	}
	werr := waitForCount(ctx, srv, sink, base+int64(n), timeout, start, progress, "fan-out")
	elapsed := time.Since(start)
	serr := stopSampler()
	if werr != nil {
		return r, werr
	}
	if serr != nil {
		return r, serr
	}
	cpu1, err := takeCPU(srv, sink.PID())
	if err != nil {
		return r, err
	}
	hwm, err := procStatusKB(srv.pid, "VmHWM")
	if err != nil {
		return r, err
	}
	sys1, err := procSyscalls(srv.pid)
	if err != nil {
		return r, err
	}
	r.SyscallsPerCopy = float64(sys1-sys0) / float64(n)
	r.Seconds = elapsed.Seconds()
	r.RcptPerSec = float64(n) / r.Seconds
	// Duplicates would arrive after the count was reached: let them.
	time.Sleep(500 * time.Millisecond)
	r.Copies = sink.Count() - base
	r.CPUUse = cpu0.until(cpu1)
	r.CPUSeconds = r.CPUUse.Server
	r.HWMMB = mb(hwm)
	return r, nil
}

// sendOne sends one message over a fresh SMTP connection and returns when
// its 250 arrived.
func sendOne(addr, from, to string, msg []byte) (time.Time, error) {
	c, err := smtp.Dial(addr)
	if err != nil {
		return time.Time{}, err
	}
	defer c.Close()
	if err := c.Hello("bench.example.net"); err != nil {
		return time.Time{}, err
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(msg)); err != nil {
		return time.Time{}, err
	}
	accepted := time.Now()
	_ = c.Quit()
	return accepted, nil
}

// waitForCount waits until the sink has target messages, the server exits,
// timeout passes or ctx is cancelled, printing progress every 5 s.
func waitForCount(ctx context.Context, srv *server, sink relaySink, target int64, timeout time.Duration, start time.Time, progress io.Writer, what string) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-srv.done:
				cancel()
				return
			case <-t.C:
				fmt.Fprintf(progress, "  %s: %d of %d copies after %.0fs\n", what, sink.Count(), target, time.Since(start).Seconds())
			}
		}
	}()
	err := sink.WaitCount(ctx, target)
	if err == nil {
		return nil
	}
	if xerr := srv.exited(); xerr != nil {
		return fmt.Errorf("%s: %w", what, xerr)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: only %d of %d copies reached the sink after %s%s", what, sink.Count(), target, timeout, srv.logTail())
	}
	return fmt.Errorf("%s: %w", what, err)
}
