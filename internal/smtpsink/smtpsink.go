// Package smtpsink is a fast, recording SMTP server listening on 127.0.0.1.
//
// It is used as the outbound relay in delivery tests, end-to-end tests, the
// crash harness and the benchmark. It is built on github.com/emersion/go-smtp's
// server and records every accepted message (or, for benchmarks, only
// counters/envelopes). Tests can inject per-recipient and end-of-DATA
// refusals, abrupt connection drops and a connection limit, and make it
// an old relay (no PIPELINING, no SMTPUTF8) or an smtps relay that demands
// AUTH.
package smtpsink

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message accepted by the sink (DATA answered with 250).
type Message struct {
	From string   // MAIL FROM (without angle brackets; "" for the null sender)
	To   []string // RCPT TO accepted, in order
	Data []byte   // raw bytes as received (nil when Options.Discard)
	Conn int      // sequence number (from 1) of the connection it arrived on
	UTF8 bool     // MAIL FROM carried SMTPUTF8 (RFC 6531)
}

// Header returns the first value of the named header field of m.Data,
// unfolded, or "" when absent (or when Data is nil).
func (m Message) Header(name string) string {
	return m.Headers().Get(name)
}

// Headers parses and returns the header section of m.Data. Folded lines are
// unfolded. A malformed header section yields whatever could be parsed before
// the error.
func (m Message) Headers() textproto.MIMEHeader {
	if len(m.Data) == 0 {
		return textproto.MIMEHeader{}
	}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(m.Data)))
	h, _ := r.ReadMIMEHeader()
	if h == nil {
		h = textproto.MIMEHeader{}
	}
	return h
}

// Body returns the part of m.Data after the header section (after the first
// empty line), or nil if there is none.
func (m Message) Body() []byte {
	if i := bytes.Index(m.Data, []byte("\r\n\r\n")); i >= 0 {
		return m.Data[i+4:]
	}
	if i := bytes.Index(m.Data, []byte("\n\n")); i >= 0 {
		return m.Data[i+2:]
	}
	return nil
}

// Options configures a Sink. The zero value records everything and accepts
// everything.
type Options struct {
	// Addr is the listen address; default "127.0.0.1:0".
	Addr string

	// Discard keeps only counts and envelopes, not Data (for benchmarks:
	// minimal CPU/memory). Per-recipient counts (RcptCounts) are still kept.
	Discard bool
	// CountOnly keeps only counters; no per-message records and no
	// per-recipient counts at all.
	CountOnly bool

	// Rcpt lets a test decide per recipient: return nil to accept, or an
	// *smtp.SMTPError (e.g. 450 4.2.0, 550 5.1.1). Other errors are
	// answered with 451 4.3.0. Called concurrently from connection
	// goroutines.
	Rcpt func(from, to string) error
	// Data lets a test decide at end of DATA (e.g. 451 4.3.0 for temporary
	// refusal); nil accepts. data is the raw message (it is read even in
	// Discard/CountOnly mode when this hook is set); it must not be retained
	// after the call unless copied. Called concurrently.
	Data func(from string, to []string, data []byte) error

	// DropAfter: if > 0, the server closes the TCP connection abruptly (no
	// reply) after receiving the Nth DATA on the whole sink (counting from 1,
	// from when it was armed), once. Re-arm with SetDropAfter. The dropped
	// message is not recorded or counted as accepted (see Dropped).
	DropAfter int64

	// MaxConns: if > 0, connections beyond this many at once get
	// "421 4.7.0 too many connections" and are closed (see Refused).
	MaxConns int

	// NoPipelining leaves PIPELINING out of the EHLO reply, as an old
	// relay would (go-smtp always offers it; the sink strips the line).
	NoPipelining bool
	// NoSMTPUTF8 leaves SMTPUTF8 out of the EHLO reply; MAIL with it is
	// then refused with 504 5.5.4.
	NoSMTPUTF8 bool
	// TLS makes the sink speak implicit TLS from the first byte (smtps,
	// port 465 style). TestTLS makes a certificate for 127.0.0.1.
	TLS *tls.Config
	// Auth, when set, offers AUTH PLAIN and refuses MAIL before a
	// successful AUTH with 530 5.7.0; it decides each username/password.
	Auth func(username, password string) error
}

// ErrClosed is returned by WaitCount when the sink is closed before the
// count is reached.
var ErrClosed = errors.New("smtpsink: sink closed")

// Sink is a running recording SMTP server. All methods are safe for
// concurrent use.
type Sink struct {
	opts   Options
	srv    *smtp.Server
	ln     net.Listener
	addr   string
	served chan struct{} // closed when Serve returns
	closed chan struct{} // closed by Close
	once   sync.Once
	cerr   error

	// counters
	count    atomic.Int64 // accepted messages
	conns    atomic.Int64 // accepted connections (resettable)
	open     atomic.Int64 // currently open connections
	refused  atomic.Int64 // connections refused because of MaxConns
	dropped  atomic.Int64 // DATA transactions dropped via DropAfter
	dataSeen atomic.Int64 // DATA bodies received (any outcome)
	connSeq  atomic.Int64 // connection sequence numbers; never reset
	dropLeft atomic.Int64 // DropAfter countdown; <= 0 means disarmed

	// live connections, so Close can close even ones go-smtp has not
	// registered yet.
	liveMu sync.Mutex
	live   map[*sinkConn]struct{}

	// records
	mu         sync.Mutex
	msgs       []Message
	rcptCounts map[string]int

	// WaitCount wake-ups
	waitMu     sync.Mutex
	waitCh     chan struct{}
	hasWaiters atomic.Bool
}

// Start starts a sink for a test on 127.0.0.1:0; t.Cleanup closes it.
func Start(t testing.TB, opts Options) *Sink {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("smtpsink: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// New starts a sink (for non-test programs). The caller must call Close.
func New(opts Options) (*Sink, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	s := &Sink{
		opts:       opts,
		addr:       ln.Addr().String(),
		served:     make(chan struct{}),
		closed:     make(chan struct{}),
		live:       make(map[*sinkConn]struct{}),
		rcptCounts: make(map[string]int),
	}
	s.dropLeft.Store(opts.DropAfter)
	var base net.Listener = ln
	if opts.TLS != nil {
		base = tls.NewListener(ln, opts.TLS)
	}
	s.ln = &sinkListener{Listener: base, s: s}

	srv := smtp.NewServer(backend{s})
	srv.Domain = "sink.test"
	srv.MaxRecipients = 1000
	srv.MaxMessageBytes = 64 << 20
	srv.ReadTimeout = 60 * time.Second
	srv.WriteTimeout = 60 * time.Second
	srv.AllowInsecureAuth = true
	srv.EnableSMTPUTF8 = !opts.NoSMTPUTF8
	srv.EnableDSN = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv = srv

	go func() {
		defer close(s.served)
		_ = srv.Serve(s.ln)
	}()
	return s, nil
}

// Addr returns "127.0.0.1:PORT".
func (s *Sink) Addr() string { return s.addr }

// URL returns "smtp://127.0.0.1:PORT".
func (s *Sink) URL() string { return "smtp://" + s.addr }

// Messages returns a copy of every message recorded so far, in acceptance
// order. The Data and To slices are shared and must not be modified.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	copy(out, s.msgs)
	return out
}

// Count returns the number of messages accepted (DATA answered 250) so far.
func (s *Sink) Count() int64 { return s.count.Load() }

// CountFor returns how many accepted messages had rcpt among their
// recipients (case-insensitive). Always 0 in CountOnly mode.
func (s *Sink) CountFor(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcptCounts[strings.ToLower(rcpt)]
}

// RcptCounts returns a copy of the lowercased-recipient -> accepted-message
// count map. Kept in Discard mode, empty in CountOnly mode.
func (s *Sink) RcptCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.rcptCounts))
	for k, v := range s.rcptCounts {
		out[k] = v
	}
	return out
}

// WaitCount blocks until Count() >= n, ctx is done (returns ctx.Err()) or
// the sink is closed (returns ErrClosed).
func (s *Sink) WaitCount(ctx context.Context, n int64) error {
	for {
		s.waitMu.Lock()
		// Announce the waiter before checking the count so a concurrent
		// acceptor either is seen here or sees us (no lost wake-up).
		if s.waitCh == nil {
			s.waitCh = make(chan struct{})
		}
		s.hasWaiters.Store(true)
		ch := s.waitCh
		s.waitMu.Unlock()

		if s.count.Load() >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			if s.count.Load() >= n {
				return nil
			}
			return ctx.Err()
		case <-s.closed:
			if s.count.Load() >= n {
				return nil
			}
			return ErrClosed
		}
	}
}

func (s *Sink) notify() {
	if !s.hasWaiters.Load() {
		return
	}
	s.waitMu.Lock()
	if s.waitCh != nil {
		close(s.waitCh)
		s.waitCh = nil
	}
	s.hasWaiters.Store(false)
	s.waitMu.Unlock()
}

// Conns returns the total number of connections accepted so far (refused
// ones excluded).
func (s *Sink) Conns() int64 { return s.conns.Load() }

// OpenConns returns the number of currently open connections.
func (s *Sink) OpenConns() int64 { return s.open.Load() }

// Refused returns how many connections were refused because of MaxConns.
func (s *Sink) Refused() int64 { return s.refused.Load() }

// Dropped returns how many DATA transactions were dropped via DropAfter.
func (s *Sink) Dropped() int64 { return s.dropped.Load() }

// DataReceived returns how many DATA bodies were received, whatever their
// outcome (accepted, refused by the Data hook, dropped).
func (s *Sink) DataReceived() int64 { return s.dataSeen.Load() }

// SetDropAfter (re-)arms the drop: the nth DATA received from now on (counting
// from 1) has its connection closed abruptly without a reply. n <= 0 disarms.
func (s *Sink) SetDropAfter(n int64) { s.dropLeft.Store(n) }

// Reset forgets recorded messages, per-recipient counts and counters
// (Count, Conns, Refused, Dropped, DataReceived). OpenConns, the DropAfter
// arming and connection sequence numbers are not affected.
func (s *Sink) Reset() {
	s.mu.Lock()
	s.msgs = nil
	s.rcptCounts = make(map[string]int)
	s.count.Store(0)
	s.mu.Unlock()
	s.conns.Store(0)
	s.refused.Store(0)
	s.dropped.Store(0)
	s.dataSeen.Store(0)
}

// Close stops the server and closes every connection. It is idempotent.
func (s *Sink) Close() error {
	s.once.Do(func() {
		close(s.closed)
		err := s.srv.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		s.cerr = err
		// srv.Close does not know the listener if Serve has not started
		// yet; closing it ourselves makes Serve return either way.
		s.ln.Close()
		<-s.served
		s.liveMu.Lock()
		live := make([]*sinkConn, 0, len(s.live))
		for c := range s.live {
			live = append(live, c)
		}
		s.liveMu.Unlock()
		for _, c := range live {
			_ = c.Close()
		}
	})
	return s.cerr
}

// record stores an accepted message. It takes ownership of to and data.
func (s *Sink) record(conn int, from string, to []string, data []byte, utf8 bool) {
	if s.opts.CountOnly {
		s.count.Add(1)
		s.notify()
		return
	}
	if s.opts.Discard {
		data = nil
	}
	s.mu.Lock()
	s.msgs = append(s.msgs, Message{From: from, To: to, Data: data, Conn: conn, UTF8: utf8})
	if len(to) == 1 {
		s.rcptCounts[strings.ToLower(to[0])]++
	} else {
		seen := make(map[string]struct{}, len(to))
		for _, r := range to {
			r = strings.ToLower(r)
			if _, dup := seen[r]; dup {
				continue
			}
			seen[r] = struct{}{}
			s.rcptCounts[r]++
		}
	}
	s.count.Add(1)
	s.mu.Unlock()
	s.notify()
}

// ---- listener / connection tracking ----

type sinkListener struct {
	net.Listener
	s *Sink
}

func (l *sinkListener) Accept() (net.Conn, error) {
	s := l.s
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		// Accept runs on a single goroutine and other goroutines only
		// decrement open, so check-then-increment cannot overshoot.
		if max := s.opts.MaxConns; max > 0 && s.open.Load() >= int64(max) {
			s.refused.Add(1)
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = io.WriteString(c, "421 4.7.0 too many connections\r\n")
			_ = c.Close()
			continue
		}
		s.open.Add(1)
		s.conns.Add(1)
		sc := &sinkConn{Conn: c, s: s, seq: int(s.connSeq.Add(1))}
		s.liveMu.Lock()
		s.live[sc] = struct{}{}
		s.liveMu.Unlock()
		return sc, nil
	}
}

type sinkConn struct {
	net.Conn
	s    *Sink
	seq  int
	once sync.Once
}

// Write strips PIPELINING from the EHLO reply when Options.NoPipelining
// is set. go-smtp writes the whole EHLO reply in one flush.
func (c *sinkConn) Write(b []byte) (int, error) {
	if !c.s.opts.NoPipelining || !bytes.Contains(b, pipeliningLine) {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(bytes.Replace(b, pipeliningLine, nil, 1)); err != nil {
		return 0, err
	}
	return len(b), nil
}

var pipeliningLine = []byte("250-PIPELINING\r\n")

func (c *sinkConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.s.open.Add(-1)
		c.s.liveMu.Lock()
		delete(c.s.live, c)
		c.s.liveMu.Unlock()
	})
	return err
}

// ---- go-smtp backend / session ----

type backend struct{ s *Sink }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	sess := &session{s: b.s, c: c}
	if sc, ok := c.Conn().(*sinkConn); ok {
		sess.seq = sc.seq
	}
	return sess, nil
}

type session struct {
	s      *Sink
	c      *smtp.Conn
	seq    int
	from   string
	to     []string
	utf8   bool // this transaction's MAIL had SMTPUTF8
	authed bool
}

func (ss *session) Reset() {
	ss.from, ss.utf8 = "", false
	ss.to = ss.to[:0]
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	if ss.s.opts.Auth != nil && !ss.authed {
		return errAuthRequired
	}
	ss.from, ss.utf8 = from, opts != nil && opts.UTF8
	ss.to = ss.to[:0]
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if h := ss.s.opts.Rcpt; h != nil {
		if err := h(ss.from, to); err != nil {
			return asSMTPError(err)
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

var errDropped = &smtp.SMTPError{
	Code:         421,
	EnhancedCode: smtp.EnhancedCode{4, 4, 2},
	Message:      "connection dropped by smtpsink",
}

func (ss *session) Data(r io.Reader) error {
	s := ss.s
	keep := !s.opts.Discard && !s.opts.CountOnly
	var data []byte
	if keep || s.opts.Data != nil {
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r); err != nil {
			return asSMTPError(err)
		}
		data = buf.Bytes()
	} else if _, err := io.Copy(io.Discard, r); err != nil {
		return asSMTPError(err)
	}
	s.dataSeen.Add(1)

	if s.dropLeft.Load() > 0 && s.dropLeft.Add(-1) == 0 {
		s.dropped.Add(1)
		if nc := ss.c.Conn(); nc != nil {
			if tc, ok := nc.(*sinkConn); ok {
				if t, ok := tc.Conn.(*net.TCPConn); ok {
					_ = t.SetLinger(0) // RST: as abrupt as possible
				}
			}
			_ = nc.Close()
		}
		return errDropped
	}

	if h := s.opts.Data; h != nil {
		if err := h(ss.from, ss.to, data); err != nil {
			return asSMTPError(err)
		}
	}

	// Hand ownership of the recipient slice to the record when we keep
	// envelopes; otherwise reuse it.
	to := ss.to
	if s.opts.CountOnly {
		s.record(ss.seq, ss.from, nil, nil, false)
		return nil
	}
	ss.to = nil
	s.record(ss.seq, ss.from, to, data, ss.utf8)
	return nil
}

// asSMTPError returns err as an unwrapped *smtp.SMTPError, mapping other
// errors to 451 4.3.0.
func asSMTPError(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se
	}
	return &smtp.SMTPError{
		Code:         451,
		EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message:      err.Error(),
	}
}
