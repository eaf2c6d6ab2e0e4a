package smtpsink

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func msg(subject, body string) string {
	return "From: a@example.org\r\n" +
		"To: b@example.org\r\n" +
		"Subject: " + subject + "\r\n" +
		"X-Folded: first\r\n second\r\n" +
		"\r\n" + body + "\r\n"
}

func dial(t *testing.T, s *Sink) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(c *smtp.Client, from string, to []string, data string) error {
	return c.SendMail(from, to, strings.NewReader(data))
}

func smtpCode(t *testing.T, err error) int {
	t.Helper()
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		t.Fatalf("want *smtp.SMTPError, got %T %v", err, err)
	}
	return se.Code
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestReceiveAndRecord(t *testing.T) {
	s := Start(t, Options{})
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || s.URL() != "smtp://"+s.Addr() {
		t.Fatalf("Addr=%q URL=%q", s.Addr(), s.URL())
	}
	c := dial(t, s)
	if err := send(c, "list-bounces@example.org", []string{"Alice@Example.org", "bob@example.org"}, msg("hello", "body one")); err != nil {
		t.Fatalf("send 1: %v", err)
	}
	if err := send(c, "", []string{"alice@example.org"}, msg("second", "body two")); err != nil {
		t.Fatalf("send 2: %v", err)
	}
	if got := s.Count(); got != 2 {
		t.Fatalf("Count=%d want 2", got)
	}
	ms := s.Messages()
	if len(ms) != 2 {
		t.Fatalf("len(Messages)=%d", len(ms))
	}
	m := ms[0]
	if m.From != "list-bounces@example.org" || len(m.To) != 2 || m.To[0] != "Alice@Example.org" || m.To[1] != "bob@example.org" {
		t.Fatalf("envelope: %+v", m)
	}
	if m.Header("subject") != "hello" {
		t.Fatalf("Subject=%q", m.Header("subject"))
	}
	if got := m.Header("X-Folded"); got != "first second" {
		t.Fatalf("X-Folded=%q", got)
	}
	if m.Header("Missing") != "" {
		t.Fatal("missing header not empty")
	}
	if !strings.Contains(string(m.Data), "body one") || !strings.HasPrefix(string(m.Body()), "body one") {
		t.Fatalf("Data=%q", m.Data)
	}
	if ms[1].From != "" || ms[1].Header("Subject") != "second" {
		t.Fatalf("second: %+v", ms[1])
	}
	if ms[0].Conn != 1 || ms[1].Conn != 1 {
		t.Fatalf("conn seq: %d %d", ms[0].Conn, ms[1].Conn)
	}
	if s.CountFor("ALICE@example.org") != 2 || s.CountFor("bob@example.org") != 1 || s.CountFor("nobody@example.org") != 0 {
		t.Fatalf("CountFor: %v", s.RcptCounts())
	}
	rc := s.RcptCounts()
	if len(rc) != 2 || rc["alice@example.org"] != 2 {
		t.Fatalf("RcptCounts: %v", rc)
	}
	rc["alice@example.org"] = 99 // must be a copy
	if s.CountFor("alice@example.org") != 2 {
		t.Fatal("RcptCounts not a copy")
	}
	if s.Conns() != 1 || s.OpenConns() != 1 {
		t.Fatalf("Conns=%d Open=%d", s.Conns(), s.OpenConns())
	}

	// A second connection gets sequence number 2.
	c2 := dial(t, s)
	if err := send(c2, "x@example.org", []string{"bob@example.org"}, msg("third", "3")); err != nil {
		t.Fatal(err)
	}
	if ms := s.Messages(); ms[2].Conn != 2 {
		t.Fatalf("conn seq of third: %d", ms[2].Conn)
	}

	c.Quit()
	c2.Quit()
	waitFor(t, func() bool { return s.OpenConns() == 0 })

	s.Reset()
	if s.Count() != 0 || len(s.Messages()) != 0 || len(s.RcptCounts()) != 0 || s.Conns() != 0 {
		t.Fatal("Reset did not clear")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDiscardAndCountOnly(t *testing.T) {
	d := Start(t, Options{Discard: true})
	if err := send(dial(t, d), "f@example.org", []string{"A@example.org"}, msg("s", "b")); err != nil {
		t.Fatal(err)
	}
	ms := d.Messages()
	if len(ms) != 1 || ms[0].Data != nil || ms[0].From != "f@example.org" || ms[0].To[0] != "A@example.org" {
		t.Fatalf("discard record: %+v", ms)
	}
	if d.CountFor("a@example.org") != 1 {
		t.Fatalf("discard rcpt counts: %v", d.RcptCounts())
	}

	co := Start(t, Options{CountOnly: true})
	c := dial(t, co)
	for i := 0; i < 3; i++ {
		if err := send(c, "f@example.org", []string{"a@example.org"}, msg("s", "b")); err != nil {
			t.Fatal(err)
		}
	}
	if co.Count() != 3 || len(co.Messages()) != 0 || len(co.RcptCounts()) != 0 {
		t.Fatalf("countonly: count=%d msgs=%d rc=%v", co.Count(), len(co.Messages()), co.RcptCounts())
	}
}

func TestRcptRefusal(t *testing.T) {
	s := Start(t, Options{
		Rcpt: func(from, to string) error {
			switch to {
			case "unknown@example.org":
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
			case "full@example.org":
				// Wrapped: the sink must unwrap it.
				return fmt.Errorf("wrapped: %w", &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 0}, Message: "mailbox busy"})
			}
			return nil
		},
	})
	c := dial(t, s)
	err := send(c, "f@example.org", []string{"unknown@example.org"}, msg("s", "b"))
	if code := smtpCode(t, err); code != 550 {
		t.Fatalf("code=%d want 550", code)
	}
	c.Reset()
	err = send(c, "f@example.org", []string{"full@example.org"}, msg("s", "b"))
	if code := smtpCode(t, err); code != 450 {
		t.Fatalf("code=%d want 450", code)
	}
	c.Reset()

	// Mixed: refused recipient gets its code, accepted one is delivered.
	if err := c.Mail("f@example.org", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("ok@example.org", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("unknown@example.org", nil); smtpCode(t, err) != 550 {
		t.Fatalf("rcpt unknown: %v", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(msg("mixed", "b")))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ms := s.Messages()
	if len(ms) != 1 || len(ms[0].To) != 1 || ms[0].To[0] != "ok@example.org" {
		t.Fatalf("messages: %+v", ms)
	}
	if s.CountFor("unknown@example.org") != 0 {
		t.Fatal("refused rcpt counted")
	}
}

func TestDataRefusal(t *testing.T) {
	var mu sync.Mutex
	refuse := true
	s := Start(t, Options{
		Discard: true, // the hook still sees the data
		Data: func(from string, to []string, data []byte) error {
			mu.Lock()
			defer mu.Unlock()
			if !strings.Contains(string(data), "Subject: s") {
				return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "no data"}
			}
			if refuse {
				refuse = false
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
			}
			return nil
		},
	})
	c := dial(t, s)
	err := send(c, "f@example.org", []string{"a@example.org"}, msg("s", "b"))
	if code := smtpCode(t, err); code != 451 {
		t.Fatalf("code=%d want 451", code)
	}
	if s.Count() != 0 || s.CountFor("a@example.org") != 0 || s.DataReceived() != 1 {
		t.Fatalf("refused message counted: count=%d", s.Count())
	}
	if err := send(c, "f@example.org", []string{"a@example.org"}, msg("s", "b")); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if s.Count() != 1 || s.CountFor("a@example.org") != 1 {
		t.Fatalf("after retry count=%d", s.Count())
	}
}

func TestDropAfter(t *testing.T) {
	s := Start(t, Options{DropAfter: 2})
	c := dial(t, s)
	if err := send(c, "f@example.org", []string{"a@example.org"}, msg("one", "1")); err != nil {
		t.Fatalf("first: %v", err)
	}
	if err := send(c, "f@example.org", []string{"a@example.org"}, msg("two", "2")); err == nil {
		t.Fatal("second send succeeded; want connection dropped")
	}
	if s.Dropped() != 1 || s.Count() != 1 {
		t.Fatalf("dropped=%d count=%d", s.Dropped(), s.Count())
	}
	// The connection is gone.
	if err := c.Noop(); err == nil {
		t.Fatal("noop on dropped connection succeeded")
	}
	waitFor(t, func() bool { return s.OpenConns() == 0 })

	// Later connections work, and the drop fired only once.
	for i := 0; i < 3; i++ {
		c2 := dial(t, s)
		if err := send(c2, "f@example.org", []string{"a@example.org"}, msg("later", "x")); err != nil {
			t.Fatalf("later %d: %v", i, err)
		}
		c2.Quit()
	}
	if s.Count() != 4 || s.Dropped() != 1 {
		t.Fatalf("count=%d dropped=%d", s.Count(), s.Dropped())
	}

	// Re-arm: the next DATA is dropped.
	s.SetDropAfter(1)
	c3 := dial(t, s)
	if err := send(c3, "f@example.org", []string{"a@example.org"}, msg("rearm", "x")); err == nil {
		t.Fatal("re-armed drop did not fire")
	}
	c4 := dial(t, s)
	if err := send(c4, "f@example.org", []string{"a@example.org"}, msg("after", "x")); err != nil {
		t.Fatalf("after re-arm: %v", err)
	}
	if s.Count() != 5 || s.Dropped() != 2 {
		t.Fatalf("count=%d dropped=%d", s.Count(), s.Dropped())
	}
	for _, m := range s.Messages() {
		if m.Header("Subject") == "two" || m.Header("Subject") == "rearm" {
			t.Fatalf("dropped message recorded: %q", m.Header("Subject"))
		}
	}
}

func TestMaxConns(t *testing.T) {
	s := Start(t, Options{MaxConns: 2})
	c1 := dial(t, s)
	c2 := dial(t, s)
	// Force the greetings so both connections are established server-side.
	if err := c1.Noop(); err != nil {
		t.Fatal(err)
	}
	if err := c2.Noop(); err != nil {
		t.Fatal(err)
	}
	if s.OpenConns() != 2 {
		t.Fatalf("open=%d", s.OpenConns())
	}

	c3 := dial(t, s)
	err := send(c3, "f@example.org", []string{"a@example.org"}, msg("s", "b"))
	if code := smtpCode(t, err); code != 421 {
		t.Fatalf("code=%d want 421 (%v)", code, err)
	}
	if !strings.Contains(err.Error(), "too many connections") {
		t.Fatalf("err=%v", err)
	}
	if s.Refused() != 1 || s.Conns() != 2 {
		t.Fatalf("refused=%d conns=%d", s.Refused(), s.Conns())
	}

	// Freeing a slot lets a new connection in.
	if err := c1.Quit(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return s.OpenConns() == 1 })
	c4 := dial(t, s)
	if err := send(c4, "f@example.org", []string{"a@example.org"}, msg("s", "b")); err != nil {
		t.Fatalf("after slot freed: %v", err)
	}
	if err := send(c2, "f@example.org", []string{"a@example.org"}, msg("s", "b")); err != nil {
		t.Fatalf("existing conn: %v", err)
	}
	if s.Count() != 2 {
		t.Fatalf("count=%d", s.Count())
	}
}

func TestWaitCount(t *testing.T) {
	s := Start(t, Options{Discard: true})

	// Times out when nothing arrives.
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitCount(short, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitCount on empty sink: %v", err)
	}
	if err := s.WaitCount(ctxT(t), 0); err != nil {
		t.Fatalf("WaitCount(0): %v", err)
	}

	const senders, per = 8, 50
	errc := make(chan error, senders)
	for i := 0; i < senders; i++ {
		go func() {
			c, err := smtp.Dial(s.Addr())
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			for j := 0; j < per; j++ {
				if err := send(c, "f@example.org", []string{fmt.Sprintf("m%d@example.org", i)}, msg("s", "b")); err != nil {
					errc <- err
					return
				}
			}
			errc <- c.Quit()
		}()
	}
	start := time.Now()
	if err := s.WaitCount(ctxT(t), senders*per); err != nil {
		t.Fatalf("WaitCount: %v (count=%d)", err, s.Count())
	}
	// ctxT allows 10s; a missed wake-up would only return at the deadline.
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("WaitCount took %v: waiter not woken promptly", d)
	}
	if s.Count() < senders*per {
		t.Fatalf("count=%d", s.Count())
	}
	for i := 0; i < senders; i++ {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	rc := s.RcptCounts()
	for i := 0; i < senders; i++ {
		if rc[fmt.Sprintf("m%d@example.org", i)] != per {
			t.Fatalf("rcpt counts: %v", rc)
		}
	}
	if s.Conns() != senders {
		t.Fatalf("conns=%d", s.Conns())
	}

	// Close wakes waiters.
	done := make(chan error, 1)
	go func() { done <- s.WaitCount(context.Background(), senders*per+1) }()
	time.Sleep(20 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("after Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitCount not woken by Close")
	}
}

func TestCloseClosesConnections(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s)
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := c.Noop(); err == nil {
		t.Fatal("connection still usable after Close")
	}
	if _, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		t.Fatal("still listening after Close")
	}
}

func BenchmarkSinkDiscard(b *testing.B) {
	s, err := New(Options{Discard: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	data := msg("bench", strings.Repeat(strings.Repeat("x", 76)+"\r\n", 26))
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		c, err := smtp.Dial(s.Addr())
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			if err := send(c, "f@example.org", []string{"a@example.org"}, data); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
