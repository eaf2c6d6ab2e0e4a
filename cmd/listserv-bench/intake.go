package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// intakeResult is measurement 3, for one server setting.
type intakeResult struct {
	Seconds      float64 `json:"seconds"`
	Clients      int     `json:"clients"`
	Posts        int64   `json:"posts"` // answered 250 within the window
	PostsPerSec  float64 `json:"posts_per_sec"`
	Errors       int64   `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
	P50Millis    float64 `json:"latency_p50_ms"`
	P99Millis    float64 `json:"latency_p99_ms"`
	Copies       int64   `json:"sink_copies"` // reached the sink within the window
	CopiesPerSec float64 `json:"sink_copies_per_sec"`
	CPUUse       cpuUse  `json:"cpu_use"`
}

// intakeClient is one SMTP connection sending posts back to back.
type intakeClient struct {
	addr string
	c    *smtp.Client
	msg  []byte // a post whose Message-ID has a 12-digit counter at idAt
	idAt int
	from string

	posts, errs int64
	firstErr    error
	lat         []time.Duration
}

const idDigits = "000000000000"

func newIntakeClient(addr string, k int) (*intakeClient, error) {
	from := smallAddr(k%smallSize + 1)
	msg := post(from, smallList, fmt.Sprintf("Intake test from client %d", k),
		fmt.Sprintf("intake.%d.%d.%s@bench.example.net", time.Now().UnixNano(), k, idDigits), time.Now())
	ic := &intakeClient{addr: addr, msg: msg, idAt: bytes.Index(msg, []byte(idDigits+"@")), from: from}
	return ic, ic.dial()
}

func (ic *intakeClient) dial() error {
	if ic.c != nil {
		ic.c.Close()
	}
	c, err := smtp.Dial(ic.addr)
	if err != nil {
		return err
	}
	if err := c.Hello("bench.example.net"); err != nil {
		c.Close()
		return err
	}
	ic.c = c
	return nil
}

// loop sends posts until deadline; a post answered after the deadline is
// not counted.
func (ic *intakeClient) loop(ctx context.Context, deadline time.Time) {
	for seq := 1; ctx.Err() == nil; seq++ {
		copy(ic.msg[ic.idAt:], fmt.Sprintf("%012d", seq))
		t0 := time.Now()
		if !t0.Before(deadline) {
			return
		}
		err := ic.c.SendMail(ic.from, []string{smallList}, bytes.NewReader(ic.msg))
		t1 := time.Now()
		if t1.After(deadline) {
			return
		}
		if err == nil {
			ic.posts++
			ic.lat = append(ic.lat, t1.Sub(t0))
			continue
		}
		ic.errs++
		if ic.firstErr == nil {
			ic.firstErr = err
		}
		var se *smtp.SMTPError
		if errors.As(err, &se) && ic.c.Reset() == nil {
			continue
		}
		if ic.dial() != nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// measureIntake runs clients concurrent connections for dur against the
// small list and counts the posts accepted, and the copies the sink
// received in the same window.
func measureIntake(ctx context.Context, srv *server, sink relaySink, clients int, dur time.Duration) (intakeResult, error) {
	r := intakeResult{Clients: clients}
	cs := make([]*intakeClient, clients)
	defer func() {
		for _, ic := range cs {
			if ic != nil && ic.c != nil {
				_ = ic.c.Quit()
				ic.c.Close()
			}
		}
	}()
	for k := range cs {
		ic, err := newIntakeClient(srv.smtpAddr, k)
		if err != nil {
			return r, fmt.Errorf("intake: connect client %d: %w%s", k, err, srv.logTail())
		}
		cs[k] = ic
	}
	cpu0, err := takeCPU(srv, sink.PID())
	if err != nil {
		return r, err
	}
	start := time.Now()
	deadline := start.Add(dur)
	sink0 := sink.Count()
	var wg sync.WaitGroup
	for _, ic := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ic.loop(ctx, deadline)
		}()
	}
	select {
	case <-time.After(time.Until(deadline)):
	case <-ctx.Done():
	}
	r.Copies = sink.Count() - sink0
	cpu1, cerr := takeCPU(srv, sink.PID())
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return r, err
	}
	if err := srv.exited(); err != nil {
		return r, fmt.Errorf("intake: %w", err)
	}
	if cerr != nil {
		return r, cerr
	}
	r.CPUUse = cpu0.until(cpu1)
	r.Seconds = dur.Seconds()
	var lat []time.Duration
	for _, ic := range cs {
		r.Posts += ic.posts
		r.Errors += ic.errs
		if ic.firstErr != nil && r.FirstError == "" {
			r.FirstError = ic.firstErr.Error()
		}
		lat = append(lat, ic.lat...)
	}
	r.PostsPerSec = float64(r.Posts) / r.Seconds
	r.CopiesPerSec = float64(r.Copies) / r.Seconds
	slices.Sort(lat)
	r.P50Millis, r.P99Millis = percentileMillis(lat, 0.50), percentileMillis(lat, 0.99)
	return r, nil
}

func percentileMillis(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p * float64(len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}
