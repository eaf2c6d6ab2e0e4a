package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

// digestList has the same number of members as the big list, all in
// daily-digest mode, and one "each" member whose copy says the post is
// archived.
const (
	digestList  = "digests@lists.example.org"
	digestProbe = "probe@example.net"
)

// digestResult is the digest measurement: one post, then `listserv
// digest send --now` queues a digest for every member and the server
// delivers them; then, for the cost beside it, a fan-out of a post of the
// digest's size to as many members.
type digestResult struct {
	Seconds      float64 `json:"seconds"`       // command start to the last copy at the sink
	QueueSeconds float64 `json:"queue_seconds"` // the command alone (render, claim, queue)
	FirstSeconds float64 `json:"first_seconds"` // command start to the first copy at the sink
	CopiesPerSec float64 `json:"copies_per_sec"`
	Copies       int64   `json:"copies"` // at the sink 0.5 s after the last expected one
	Bytes        int     `json:"bytes"`  // one member's digest (digest preview)
	CommandCPU   float64 `json:"command_cpu_seconds"`
	CPUUse       cpuUse  `json:"cpu_use"`
	// SameSize is the fan-out of a post of Bytes bytes, in the same run.
	SameSize *fanoutResult `json:"same_size_fanout,omitempty"`
}

// costRatio is the digest's CPU (server, command and PostgreSQL) over the
// same-size fan-out's (server and PostgreSQL), and the ratio of their
// copies per second.
func (d *digestResult) costRatio() (cpu, rate float64) {
	f := d.SameSize
	if f == nil || f.Seconds == 0 {
		return 0, 0
	}
	dc := d.CPUUse.Server + d.CommandCPU + d.CPUUse.Postgres
	fc := f.CPUUse.Server + f.CPUUse.Postgres
	if fc > 0 {
		cpu = dc / fc
	}
	return cpu, d.CopiesPerSec / f.RcptPerSec
}

// setupDigestList creates the digest list with n digest members.
func setupDigestList(ctx context.Context, c cli, csv string, n int) error {
	if _, err := c.run(ctx, "list", "create", digestList, "--policy", "open"); err != nil {
		return err
	}
	if err := writeMembersCSVMode(csv, n, "digest"); err != nil {
		return err
	}
	if _, err := c.run(ctx, "member", "import", digestList, csv); err != nil {
		return err
	}
	_, err := c.run(ctx, "member", "add", digestList, digestProbe)
	return err
}

// measureDigest posts once to the digest list, waits for the probe's copy
// (the post is archived), then times `digest send --now` until the sink
// has n more copies: the digest counterpart of measureFanout.
func measureDigest(ctx context.Context, srv *server, sink relaySink, c cli, n int, timeout time.Duration, progress io.Writer) (digestResult, error) {
	var r digestResult
	msg := post(digestProbe, digestList, "Consultation reply: please read before Friday",
		fmt.Sprintf("digest.%d@bench.example.net", time.Now().UnixNano()), time.Now())
	base := sink.Count()
	start, err := sendOne(srv.smtpAddr, digestProbe, digestList, msg)
	if err != nil {
		return r, fmt.Errorf("digest post: %w%s", err, srv.logTail())
	}
	if err := waitForCount(ctx, srv, sink, base+1, timeout, start, progress, "digest post"); err != nil {
		return r, err
	}
	preview, err := c.run(ctx, "digest", "preview", digestList, "--member", memberAddr(1))
	if err != nil {
		return r, err
	}
	r.Bytes = len(preview)
	base = sink.Count()
	cpu0, err := takeCPU(srv, sink.PID())
	if err != nil {
		return r, err
	}
	start = time.Now()
	first := watchFirst(sink, base)
	_, r.CommandCPU, err = c.runCPU(ctx, "digest", "send", digestList, "--now")
	if err != nil {
		return r, err
	}
	r.QueueSeconds = time.Since(start).Seconds()
	if err := waitForCount(ctx, srv, sink, base+int64(n), timeout, start, progress, "digests"); err != nil {
		return r, err
	}
	r.Seconds = time.Since(start).Seconds()
	r.FirstSeconds = (<-first).Sub(start).Seconds()
	r.CopiesPerSec = float64(n) / r.Seconds
	cpu1, err := takeCPU(srv, sink.PID())
	if err != nil {
		return r, err
	}
	r.CPUUse = cpu0.until(cpu1)
	time.Sleep(500 * time.Millisecond) // duplicates would come after the count
	r.Copies = sink.Count() - base
	same, err := measureFanoutSized(ctx, srv, sink, n, r.Bytes, timeout, progress)
	if err != nil {
		return r, fmt.Errorf("same-size fan-out: %w", err)
	}
	r.SameSize = &same
	return r, nil
}

// watchFirst reports when the sink first holds more than base copies.
func watchFirst(sink relaySink, base int64) <-chan time.Time {
	ch := make(chan time.Time, 1)
	go func() {
		for sink.Count() <= base {
			time.Sleep(time.Millisecond)
		}
		ch <- time.Now()
	}()
	return ch
}

func otherOfDigest(d *digestResult) float64 {
	if d == nil {
		return 0
	}
	return d.CPUUse.otherPercent(d.Seconds)
}
